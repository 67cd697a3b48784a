"""Edits of a statement: is a change cosmetic, and a compact word-level diff when it is not.

Cosmetic: whitespace, typography (curly quotes, dashes, ellipsis, non-breaking and
zero-width spaces, full-width forms through NFKC) and tracking parameters in URLs
(utm_*, fbclid, gclid, ...). `same_text` compares texts after folding those away.

The diff is by words for spaced scripts and by characters inside CJK runs (a Chinese
sentence has no spaces to split on, and one changed character is the change). Each
change keeps a few tokens of context on either side; it renders as text
(`[-removed-] {+added+}`) and as HTML (`<del>`/`<ins>`, escaped).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape

from alerts.rules.normalize import CJK

TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
TRACKING = re.compile(
    r"(?<=[?&])(?:utm_[a-z_]+|fbclid|gclid|yclid|mc_cid|mc_eid|_ga|ref_src)=[^&#\s]*&?", re.I
)
DANGLING = re.compile(r"[?&](?=[\s#)\]]|$)")  # a query emptied of tracking parameters
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")
SPACE = re.compile(r"\s+")
TOKEN = re.compile(rf"[{CJK}]|[^\W{CJK}]+|[^\w\s]", re.UNICODE)
CJK_CHAR = re.compile(rf"[{CJK}]")
CLOSING = tuple(".,;:!?)]}\u3002\uff0c\u3001\uff09\uff01\uff1f")  # no space before these
CONTEXT = 4  # tokens kept on each side of a change


def cosmetic_form(text: str) -> str:
    """The text with cosmetic differences folded away (what edits are compared on)."""
    folded = unicodedata.normalize("NFKC", text).translate(TYPOGRAPHY)
    folded = DANGLING.sub("", TRACKING.sub("", folded))
    folded = SPACE_BEFORE_PUNCTUATION.sub(r"\1", folded)
    return SPACE.sub(" ", folded).strip()


def same_text(old: str, new: str) -> bool:
    """Whether two texts differ only cosmetically."""
    return cosmetic_form(old) == cosmetic_form(new)


@dataclass(frozen=True)
class Change:
    """One changed stretch: what was removed, what was added, and the context around it."""

    before: str
    removed: str
    added: str
    after: str


@dataclass(frozen=True)
class TextDiff:
    """The changes between two texts (empty when they differ only cosmetically)."""

    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def text(self) -> str:
        return "\n".join(_change_text(c) for c in self.changes)

    def html(self) -> str:
        return "\n".join(f"<p>{_change_html(c)}</p>" for c in self.changes)


def word_diff(old: str, new: str) -> TextDiff:
    """Word-level (CJK: character-level) changes from `old` to `new`, after folding."""
    a, b = cosmetic_form(old), cosmetic_form(new)
    if a == b:
        return TextDiff(())
    old_tokens, new_tokens = _tokens(a), _tokens(b)
    matcher = SequenceMatcher(None, [t for t, _ in old_tokens], [t for t, _ in new_tokens])
    changes = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changes.append(
            Change(
                before=_span(a, old_tokens, max(0, i1 - CONTEXT), i1),
                removed=_span(a, old_tokens, i1, i2),
                added=_span(b, new_tokens, j1, j2),
                after=_span(a, old_tokens, i2, min(len(old_tokens), i2 + CONTEXT)),
            )
        )
    return TextDiff(tuple(changes))


Token = tuple[str, tuple[int, int]]


def _tokens(text: str) -> list[Token]:
    return [(m.group().casefold(), m.span()) for m in TOKEN.finditer(text)]


def _span(text: str, tokens: list[Token], start: int, end: int) -> str:
    """The original text of tokens[start:end] (with the spacing between them)."""
    if start >= end:
        return ""
    return text[tokens[start][1][0] : tokens[end - 1][1][1]]


def _change_text(change: Change) -> str:
    parts = [change.before]
    if change.removed:
        parts.append(f"[-{change.removed}-]")
    if change.added:
        parts.append(f"{{+{change.added}+}}")
    parts.append(change.after)
    return _join(parts)


def _change_html(change: Change) -> str:
    parts = [escape(change.before)]
    if change.removed:
        parts.append(f"<del>{escape(change.removed)}</del>")
    if change.added:
        parts.append(f"<ins>{escape(change.added)}</ins>")
    parts.append(escape(change.after))
    return _join(parts)


def _join(parts: list[str]) -> str:
    """Join pieces with a space, except between CJK characters (no spaces in CJK text)."""
    out = ""
    for part in (p for p in parts if p):
        first = _first_text(part)
        glued = first in CLOSING or (_cjk_edge(out[-1:]) and _cjk_edge(first))
        if out and not glued:
            out += " "
        out += part
    return out


def _first_text(part: str) -> str:
    stripped = re.sub(r"^(?:<[^>]+>|\[-|\{\+)+", "", part)
    return stripped[:1]


def _cjk_edge(char: str) -> bool:
    return bool(char) and (CJK_CHAR.match(char) is not None or char in "-+]}>")
