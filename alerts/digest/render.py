"""Render a `Digest` to subject, plain text and inlined HTML with Jinja2."""

from __future__ import annotations

import re
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


_CHARSET = re.compile(r"<meta\s+charset=[\"']?[\w-]+[\"']?\s*/?>", re.IGNORECASE)
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)


def charset_first(html: str) -> str:
    """Move `<meta charset>` to the start of `<head>`.

    Browsers only honour it within the first 1,024 bytes, and the CSS inliner puts the kept
    `@media` rules (about 1.1 KB) in a `<style>` before it, so a preview opened from disk
    was decoded as windows-1252.
    """
    meta = _CHARSET.search(html)
    head = _HEAD.search(html)
    if meta is None or head is None or meta.start() < head.end():
        return html
    without = html[: meta.start()] + html[meta.end() :]
    return without[: head.end()] + meta.group(0) + without[head.end() :]


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
        title_list=formatting.title_list,
        safe_url=formatting.safe_url,
        md=formatting.markdown_escape,
        md_url=formatting.markdown_url,
        hl_md=formatting.highlight_markdown,
        diff_html=formatting.diff_html,
        diff_text=formatting.diff_text,
        diff_md=formatting.diff_markdown,
        paragraphs=formatting.paragraphs,
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
        html = self._html(f"{digest.kind}.html.j2", context)
        return RenderedMessage(digest.kind, subject, text, html)

    def render_test(self, recipient: str) -> RenderedMessage:
        """The message of `presswatch notify test`: a whole HTML document like a digest's."""
        subject = f"{self.subject_prefix}: test message"
        context = {"prefix": self.subject_prefix, "recipient": recipient, "subject": subject}
        text = self._render("test.txt.j2", context)
        return RenderedMessage("alert", subject, text, self._html("test.html.j2", context))

    def _html(self, name: str, context: dict[str, Any]) -> str:
        """Rendered, CSS inlined, and the charset declared first (see `charset_first`)."""
        return charset_first(self._inliner.inline(self._render(name, context)))

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
