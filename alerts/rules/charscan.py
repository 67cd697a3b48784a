"""One Hyperscan pass over a text's UTF-8 bytes saying which characters of interest it has.

Normalizing a long non-ASCII text needs three facts: whether it has a "special" character
(one that rules out the one-character-to-one fast path), whether case folding changes any
character, and which characters the letter folding table replaces. Regexes find each in a
separate pass over the text; a Hyperscan database finds all three in one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from alerts.rules import hsdb

_SPECIAL, _CASED, _FIRST_CHAR = 0, 1, 2
_BLOCK = 4096


@dataclass(frozen=True)
class CharFacts:
    """What a scan found in a text."""

    special: bool  # a character of the `special` set
    cased: bool  # a character that case folding changes
    chars: frozenset[str]  # which of the listed characters occur


class CharScan:
    """Finds two character classes and a list of single characters in one pass."""

    def __init__(self, special: Iterable[int], cased: Iterable[int], chars: Sequence[str]):
        patterns: list[bytes] = []
        ids: list[int] = []
        for pattern_id, codepoints in ((_SPECIAL, special), (_CASED, cased)):
            body = _class_body(sorted(set(codepoints)))
            if body:
                patterns.append(f"[{body}]".encode())
                ids.append(pattern_id)
        for index, char in enumerate(chars):
            patterns.append(f"\\x{{{ord(char):x}}}".encode())
            ids.append(_FIRST_CHAR + index)
        self._chars = list(chars)
        self._scanner = hsdb.IdScanner(patterns, ids, utf8=True)

    def scan(self, text: str) -> CharFacts | None:
        """The facts about `text`; None for text that is not valid Unicode (lone surrogates)."""
        try:
            data = text.encode()
        except UnicodeEncodeError:
            return None  # Hyperscan's UTF-8 mode requires valid UTF-8
        found = self._scanner.ids_in(data)
        chars = frozenset(self._chars[i - _FIRST_CHAR] for i in found if i >= _FIRST_CHAR)
        return CharFacts(_SPECIAL in found, _CASED in found, chars)


@cache
def case_changing() -> tuple[int, ...]:
    """Every code point that str.casefold changes (casefold maps each character alone)."""
    found: list[int] = []
    for start in range(0, sys.maxunicode + 1, _BLOCK):
        block = "".join(map(chr, range(start, start + _BLOCK)))
        if block.casefold() != block:  # rare: check one by one only blocks that change
            found.extend(ord(c) for c in block if c.casefold() != c)
    return tuple(cp for cp in found if not 0xD800 <= cp <= 0xDFFF)


def code_point_ranges(codepoints: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted code points as inclusive (first, last) runs, for character classes."""
    ranges: list[tuple[int, int]] = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


def _class_body(codepoints: list[int]) -> str:
    """A Hyperscan (PCRE) character class body for sorted code points."""
    return "".join(
        f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b > a else "")
        for a, b in code_point_ranges(codepoints)
    )
