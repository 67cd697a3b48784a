"""Jinja filters: dates in the reader's timezone, highlighted snippets, subject truncation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from alerts.digest.model import Snippet
from alerts.rules.textdiff import CJK_CHAR, CLOSING

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HIGHLIGHT_STYLE = "background-color:#ffe58a;color:#1a1a1a;padding:0 2px;font-weight:600"


def local(moment: datetime, timezone: str) -> datetime:
    """`moment` converted to the named IANA timezone."""
    return moment.astimezone(ZoneInfo(timezone))


def _abbrev(moment: datetime) -> str:
    name = moment.tzname() or ""
    return name if name else moment.strftime("%z")


def format_datetime(moment: datetime | None, timezone: str) -> str:
    """ "28 Nov 2026, 09:15 PKT" (locale-independent); "" when unknown."""
    if moment is None:
        return ""
    at = local(moment, timezone)
    return f"{at.day} {_MONTHS[at.month - 1]} {at.year}, {at.hour:02}:{at.minute:02} {_abbrev(at)}"


def format_published(
    moment: datetime | None, local_date: date | None, precision: str | None, timezone: str
) -> str:
    """A publication date as the source gave it, for a reader in `timezone`.

    A date-only value is shown as a date ("1 Jul 2020", never "00:00"); a timed value in the
    reader's timezone, followed by the source's own day where that day differs
    ("13 Oct 2020, 21:50 UTC (14 Oct 2020 at the source)"); "" when unknown.
    """
    if precision == "day" and local_date is not None:
        return _date_text(local_date)
    if moment is None:
        return _date_text(local_date) if local_date is not None else ""
    shown = format_datetime(moment, timezone)
    if local_date is not None and local(moment, timezone).date() != local_date:
        shown += f" ({_date_text(local_date)} at the source)"
    return shown


def published_of(item: object, timezone: str) -> str:
    """Jinja filter: `format_published` of an item with published_at/_date/_precision."""
    return format_published(
        getattr(item, "published_at", None),
        getattr(item, "published_date", None),
        getattr(item, "published_precision", None),
        timezone,
    )


def _date_text(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_day(moment: datetime, timezone: str) -> str:
    """ "28 Nov" in the reader's timezone."""
    at = local(moment, timezone)
    return f"{at.day} {_MONTHS[at.month - 1]}"


def format_day_time(moment: datetime, timezone: str) -> str:
    """ "27 Nov 08:00" in the reader's timezone."""
    at = local(moment, timezone)
    return f"{at.day} {_MONTHS[at.month - 1]} {at.hour:02}:{at.minute:02}"


def highlight_html(snippet: Snippet) -> Markup:
    """The snippet escaped, each hit wrapped in an inline-styled <mark>."""
    parts = [
        f'<mark style="{HIGHLIGHT_STYLE}">{escape(piece)}</mark>' if hit else str(escape(piece))
        for piece, hit in snippet.pieces
    ]
    return Markup("".join(parts))


def highlight_text(snippet: Snippet) -> str:
    """The snippet with each hit in **double asterisks**."""
    return "".join(f"**{piece}**" if hit else piece for piece, hit in snippet.pieces)


def one_line(value: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space."""
    return " ".join(value.split())


def shorten(value: str, width: int) -> str:
    """`value` on one line, cut at a word boundary to at most `width` characters with "…"."""
    text = one_line(value)
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def title_list(titles: Iterable[str], width: int, title_width: int = 60) -> str:
    """Several titles for a subject: whole (each shortened to `title_width`) while they fit in
    `width`, quoted so their own commas do not run together, then how many more:
    `"A", "B" and 2 more`. One title is shown alone, unquoted."""
    names = [shorten(title, title_width) for title in titles]
    if len(names) == 1:
        return shorten(names[0], width)
    shown: list[str] = []
    for index, name in enumerate(names):
        rest = len(names) - index - 1
        tail = f" and {rest} more" if rest else ""
        candidate = ", ".join([*shown, f"“{name}”"]) + tail
        if shown and len(candidate) > width:
            break
        shown.append(f"“{name}”")
    rest = len(names) - len(shown)
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def join_names(names: Iterable[str], limit: int = 3) -> str:
    """ "A, B, C" or "A, B, C +2 more" when there are more than `limit`."""
    items = list(names)
    shown = ", ".join(items[:limit])
    return f"{shown} +{len(items) - limit} more" if len(items) > limit else shown


def safe_url(url: str) -> str:
    """`url` when it is http(s), else "" (no javascript: or data: links in a digest)."""
    return url if url.lower().startswith(("https://", "http://")) else ""


# Characters that start Markdown syntax anywhere in a line (CommonMark, Slack, Telegram,
# Discord, Matrix): escaped with a backslash so a hostile title stays text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~>=])")


def markdown_escape(value: str) -> str:
    """`value` on one line with every Markdown-significant character backslash-escaped."""
    return _escape_run(one_line(value))


def _escape_run(value: str) -> str:
    """Escaped, whitespace runs collapsed but kept at the edges (a piece of a snippet)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _WHITESPACE_RUN.sub(" ", value))


_WHITESPACE_RUN = re.compile(r"\s+")


def markdown_url(url: str) -> str:
    """A link target safe inside `(...)`: http(s) only, with spaces, parentheses and angle
    brackets percent-encoded ("" for anything else)."""
    safe = safe_url(url.strip())
    return "".join(_URL_ESCAPES.get(ch, ch) for ch in safe)


_URL_ESCAPES = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\n": "", "\r": ""}


def highlight_markdown(snippet: Snippet) -> str:
    """The snippet escaped for Markdown, each hit in **bold**."""
    return "".join(
        f"**{markdown_escape(piece)}**" if hit else _escape_run(piece)
        for piece, hit in snippet.pieces
    )


def diff_html(stored: str) -> Markup:
    """An edit's stored word diff (alerts.rules.textdiff: escaped `<p>` paragraphs with
    `<del>`/`<ins>`) as trusted markup; the stylesheet's `.diff` rules style it (inlined)."""
    return Markup(stored.replace("<p>", '<p class="diff" dir="auto">'))


def diff_text(stored: str) -> list[str]:
    """An edit's stored text diff as lines (one per changed stretch), each on one line."""
    return [one_line(line) for line in stored.splitlines() if line.strip()]


def diff_markdown(changes: Iterable[tuple[str, str, str, str]]) -> list[str]:
    """Changed stretches as Markdown lines: removed words ~~struck~~, added ones **bold**;
    no space is put between CJK characters (as in the text and HTML diffs)."""
    lines = []
    for before, removed, added, after in changes:
        out, last = "", ""
        for raw, mark in ((before, ""), (removed, "~~"), (added, "**"), (after, "")):
            piece = one_line(raw)
            if not piece:
                continue
            glued = piece[0] in CLOSING or (
                bool(CJK_CHAR.match(last)) and bool(CJK_CHAR.match(piece[0]))
            )
            out += ("" if not out or glued else " ") + f"{mark}{markdown_escape(piece)}{mark}"
            last = piece[-1]
        lines.append(out)
    return lines


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of `text`, each on one line (a stored body's paragraphs)."""
    return [one_line(line) for line in text.splitlines() if line.strip()]
