"""Chat rendering (Markdown for Apprise services) from the chat_*.md.j2 templates, fitted to
a service's length limits: fewer items per rule first, then a cut at a line boundary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment

from alerts.digest import Digest, formatting
from alerts.digest.render import TITLE_WIDTH, DigestRenderer

CUT_NOTE = "\n…(cut to fit this service; the email and the feed have everything)"
# A service without a length limit still gets a readable message.
DEFAULT_MAX_BODY = 32_768


@dataclass(frozen=True)
class ChatMessage:
    """A chat title (plain text, "" when the service has none) and a Markdown body."""

    title: str
    body: str


@dataclass(frozen=True)
class Limits:
    """A service's limits in characters; a title limit of 0 means the service has no title
    (Apprise then puts the title at the top of the body)."""

    body: int = DEFAULT_MAX_BODY
    title: int = 250


class ChatRenderer:
    """Renders digests and alerts as Markdown for chat, within `Limits`."""

    def __init__(self, env: Environment, subject_prefix: str = "presswatch") -> None:
        self.env = env
        self.subject = DigestRenderer(env, subject_prefix=subject_prefix)
        self.prefix = formatting.one_line(subject_prefix)

    def render(
        self,
        digest: Digest,
        limits: Limits,
        *,
        top: int = 5,
        feeds: Mapping[str, str] | None = None,
    ) -> ChatMessage:
        """Title and body; each rule shows at most `top` items, fewer if the body is long."""
        title = self._title(digest, limits)
        room = _room(limits, title)
        body = ""
        for shown in range(max(top, 1), 0, -1):
            body = self._body(digest, shown, feeds or {})
            if len(body) <= room:
                return ChatMessage(title, body)
        return ChatMessage(title, _cut(body, room))

    def render_test(self, reader: str, limits: Limits) -> ChatMessage:
        title = self._fit_title(f"{self.prefix}: test message", limits)
        body = self._template("chat_test.md.j2", {"reader": reader}).strip()
        return ChatMessage(title, _cut(body, _room(limits, title)))

    def _title(self, digest: Digest, limits: Limits) -> str:
        context = {
            "digest": digest,
            "recipient": digest.recipient,
            "tz": digest.recipient.timezone,
            "prefix": self.prefix,
            "title_width": TITLE_WIDTH,
        }
        title = self._template(f"{digest.kind}_subject.txt.j2", context)
        return self._fit_title(title, limits)

    @staticmethod
    def _fit_title(title: str, limits: Limits) -> str:
        width = limits.title or 120
        return formatting.shorten(title, width)

    def _body(self, digest: Digest, top: int, feeds: Mapping[str, str]) -> str:
        context = {
            "digest": digest,
            "tz": digest.recipient.timezone,
            "top": top,
            "feeds": feeds,
            "title_width": TITLE_WIDTH,
        }
        text = self._template(f"chat_{digest.kind}.md.j2", context)
        return _tidy(text)

    def _template(self, name: str, context: dict[str, Any]) -> str:
        return self.env.get_template(name).render(context)


def _room(limits: Limits, title: str) -> int:
    """Characters left for the body (a title-less service gets the title in its body)."""
    return limits.body - (len(title) + 2 if limits.title == 0 else 0)


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, no blank first or last line."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out)


def _cut(body: str, room: int) -> str:
    """`body` cut at the last whole line that leaves room for `CUT_NOTE`."""
    if len(body) <= room:
        return body
    keep = max(room - len(CUT_NOTE), 0)
    head = body[:keep]
    newline = head.rfind("\n")
    if newline > 0:
        head = head[:newline]
    return (head + CUT_NOTE)[:room]
