"""Render a `Digest` to subject, plain text and inlined HTML with Jinja2."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import css_inline
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)

from alerts.digest import formatting
from alerts.digest.model import Digest, DigestKind

SUBJECT_WIDTH = 160
TITLE_WIDTH = 80


@dataclass(frozen=True)
class RenderedMessage:
    """What a message says, before it becomes MIME: subject, text body, HTML body."""

    kind: DigestKind
    subject: str
    text: str
    html: str


def build_environment(template_dir: Path | None = None) -> Environment:
    """The Jinja environment: user templates in `template_dir` override the packaged ones."""
    loaders: list[BaseLoader] = []
    if template_dir is not None and template_dir.is_dir():
        loaders.append(FileSystemLoader(str(template_dir)))
    loaders.append(PackageLoader("alerts", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(
        dt=formatting.format_datetime,
        published=formatting.published_of,
        day=formatting.format_day,
        day_time=formatting.format_day_time,
        hl_html=formatting.highlight_html,
        hl_text=formatting.highlight_text,
        shorten=formatting.shorten,
        one_line=formatting.one_line,
        join_names=formatting.join_names,
        safe_url=formatting.safe_url,
    )
    return env


class DigestRenderer:
    """Renders digests and alerts; build once and reuse (templates are compiled once)."""

    def __init__(self, env: Environment, *, subject_prefix: str = "presswatch") -> None:
        self.env = env
        self.subject_prefix = formatting.one_line(subject_prefix)
        self._inliner = css_inline.CSSInliner(
            keep_style_tags=False,
            keep_at_rules=True,
            minify_css=True,
            load_remote_stylesheets=False,
        )

    @classmethod
    def from_config(
        cls, template_dir: Path | None, *, subject_prefix: str = "presswatch"
    ) -> DigestRenderer:
        """A renderer whose templates in `template_dir` (config/templates/) override ours."""
        return cls(build_environment(template_dir), subject_prefix=subject_prefix)

    def render(self, digest: Digest) -> RenderedMessage:
        """Subject, text and HTML of `digest` (kind "digest" or "alert")."""
        context = self._context(digest)
        subject = self._render(f"{digest.kind}_subject.txt.j2", context)
        subject = formatting.shorten(subject, SUBJECT_WIDTH)
        context["subject"] = subject
        text = self._render(f"{digest.kind}.txt.j2", context)
        html = self._inliner.inline(self._render(f"{digest.kind}.html.j2", context))
        return RenderedMessage(digest.kind, subject, text, html)

    def _context(self, digest: Digest) -> dict[str, Any]:
        return {
            "digest": digest,
            "recipient": digest.recipient,
            "tz": digest.recipient.timezone,
            "prefix": self.subject_prefix,
            "title_width": TITLE_WIDTH,
        }

    def _render(self, name: str, context: dict[str, Any]) -> str:
        return self.env.get_template(name).render(context)
