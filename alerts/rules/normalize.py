"""Text normalization shared by queries and documents, keeping offsets into the original text."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache

import snowballstemmer

from alerts.rules import hsdb
from alerts.rules.charscan import CharScan, case_changing, code_point_ranges

CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u3130-\u318f"
WORD_RE = re.compile(rf"[{CJK}]|[^\W_{CJK}]+")
WORD_CHAR_RE = re.compile(rf"[^\W_{CJK}]")
ANY_WORD_RE = re.compile(r"[^\W_]")
CJK_RE = re.compile(rf"[{CJK}]")
CYRILLIC_WORD_RE = re.compile(r"[а-я]+")

_DELETE = [0x00AD, 0x0640, 0x0670, *range(0x064B, 0x0660), *range(0x0610, 0x061B)]
_DELETE += [*range(0x06D6, 0x06DD), *range(0x06DF, 0x06E9), *range(0x06EA, 0x06EE)]
_DELETE += [0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F)]
_DELETE += [*range(0x2066, 0x206A)]
_SAME = {
    "-": "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u2e3a\u2e3b",
    "'": "\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4\u2039\u203a",
    '"': "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb",
    " ": "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u202f\u205f\u3000",
    "е": "ё",
    "ي": "یىۍې",
    "ك": "ک",
    "ه": "ہەھةۃ",
    "ا": "أإآٱ",
    "0": "٠۰",
}
_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
_EXTRA_LATIN = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ŀ": "l"}
# From this length on, one Hyperscan pass (when installed) replaces the regex passes.
SCAN_MIN_CHARS = 200


def _base_table() -> dict[int, str | None]:
    table: dict[int, str | None] = dict.fromkeys(_DELETE)
    for target, sources in _SAME.items():
        table.update({ord(ch): target for ch in sources})
    table.update(_DIGITS)
    return table


def _latin_folds() -> dict[int, str | None]:
    table: dict[int, str | None] = dict.fromkeys(range(768, 880))
    for cp in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        stripped = "".join(
            c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c)
        )
        if len(stripped) == 1 and stripped.isascii() and stripped != chr(cp):
            table[cp] = stripped
    table.update({ord(k): v for k, v in _EXTRA_LATIN.items()})
    return table


def _char_class(codepoints: list[int]) -> str:
    """A regex character class body covering the given sorted code points."""
    return "".join(
        re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
        for a, b in code_point_ranges(codepoints)
    )


@dataclass
class NormText:
    """A normalized field: `text` plus a map from its indices back to the original string."""

    original: str
    text: str
    seg_norm: list[int] | None = None  # segment starts in `text`; None = identity
    seg_orig: list[tuple[int, int, bool]] | None = None  # (orig start, orig end, regular)

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalized span [start, end)."""
        if self.seg_norm is None or self.seg_orig is None or end <= start:
            return start, end
        return self._orig_pos(start, False), self._orig_pos(end - 1, True)

    def _orig_pos(self, index: int, after: bool) -> int:
        assert self.seg_norm is not None and self.seg_orig is not None
        k = bisect_right(self.seg_norm, index) - 1
        orig_start, orig_end, regular = self.seg_orig[k]
        if regular:
            return orig_start + index - self.seg_norm[k] + (1 if after else 0)
        return orig_end if after else orig_start


class Normalizer:
    """NFKC + case folding + letter/diacritic folding, with offsets into the original text."""

    def __init__(self, fold_diacritics: bool = True) -> None:
        self.fold_diacritics = fold_diacritics
        table = _base_table()
        if fold_diacritics:
            table.update(_latin_folds())
        self._table = table
        self._strings = {chr(k): ("" if v is None else v) for k, v in table.items()}
        self._fold_re = re.compile(f"[{_char_class(sorted(table))}]")
        self._special_cps = self._specials()
        specials = _char_class(self._special_cps)
        self._special_re = re.compile(f".[{_combining()}]+|[{specials}]", re.DOTALL)
        self._has_special = re.compile(f"[{specials}]").search  # combining chars are specials
        targets = {ch for out in self._strings.values() for ch in out}
        self._chained = not targets.isdisjoint(self._strings)  # a target is itself folded
        self._char_scan: CharScan | None = None

    def _specials(self) -> list[int]:
        odd = [cp for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF]
        odd = [cp for cp in odd if len(self.fold(chr(cp))) != 1 or unicodedata.combining(chr(cp))]
        return sorted({*odd, *range(0x1100, 0x1200)})

    def fold(self, text: str) -> str:
        """NFKC, case folding and letter folding of a short string (no offsets)."""
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        return text.casefold().translate(self._table)

    def _fold_fast(self, text: str) -> str:
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        text = text.casefold()
        if self._chained:
            return text.translate(self._table)
        # Replace each distinct foldable character everywhere (texts use only a few of them).
        search, strings = self._fold_re.search, self._strings
        m = search(text)
        while m is not None:
            text = text.replace(m.group(), strings[m.group()])
            m = search(text, m.start())
        return text

    def normalize(self, text: str) -> NormText:
        """Normalize a whole field; fast path when every character maps to exactly one."""
        if text.isascii():
            return NormText(text, text.lower())
        if len(text) >= SCAN_MIN_CHARS and hsdb.AVAILABLE and not self._chained:
            scanned = self._normalize_scanned(text)
            if scanned is not None:
                return scanned
        return self._normalize_regex(text)

    def _normalize_regex(self, text: str) -> NormText:
        """`normalize` with regexes for its checks."""
        if self._has_special(text) is None:
            folded = self._fold_fast(text)
            if len(folded) == len(text):
                return NormText(text, folded)
        return self._normalize_slow(text)

    def _normalize_scanned(self, text: str) -> NormText | None:
        """`normalize` with one Hyperscan pass for its checks (the same outcome as the regex
        path, which does one pass per check); None: use the regex path."""
        facts = self._scanner().scan(text)
        if facts is None:
            return None
        if facts.special:
            return self._normalize_slow(text)
        if not unicodedata.is_normalized("NFKC", text):
            return None
        # casefold maps each character alone, so when none changes the text stays as it is,
        # and the characters to fold are those the occurring characters case-fold to.
        folded = text.casefold() if facts.cased else text
        for char in {f for c in facts.chars for f in c.casefold() if f in self._strings}:
            folded = folded.replace(char, self._strings[char])
        if len(folded) == len(text):
            return NormText(text, folded)
        return self._normalize_slow(text)

    def prepare(self) -> None:
        """Build what the first long non-ASCII text would otherwise build (~0.25 s)."""
        if hsdb.AVAILABLE and not self._chained:
            self._scanner()

    def _scanner(self) -> CharScan:
        """Built on first use: compiling it takes ~0.2 s, and short texts never need it."""
        if self._char_scan is None:
            # The characters whose case folding contains a character the table folds.
            strings = self._strings
            cased = case_changing()
            to_fold = [c for c in map(chr, cased) if not strings.keys().isdisjoint(c.casefold())]
            self._char_scan = CharScan(self._special_cps, cased, sorted({*strings, *to_fold}))
        return self._char_scan

    def _normalize_slow(self, text: str) -> NormText:
        parts: list[str] = []
        seg_norm: list[int] = []
        seg_orig: list[tuple[int, int, bool]] = []
        npos = 0

        def add(chunk: str, start: int, regular: bool) -> None:
            nonlocal npos
            out = self._fold_fast(chunk)
            if regular and len(out) != len(chunk):
                for i, ch in enumerate(chunk):
                    add(ch, start + i, False)
                return
            if out:
                parts.append(out)
                seg_norm.append(npos)
                seg_orig.append((start, start + len(chunk), regular))
                npos += len(out)

        pos = 0
        for m in self._special_re.finditer(text):
            if m.start() > pos:
                add(text[pos : m.start()], pos, True)
            add(m.group(), m.start(), False)
            pos = m.end()
        if pos < len(text):
            add(text[pos:], pos, True)
        return NormText(text, "".join(parts), seg_norm, seg_orig)


@cache
def _combining() -> str:
    return _char_class([cp for cp in range(0x10000) if unicodedata.combining(chr(cp))])


@cache
def get_normalizer(fold_diacritics: bool = True) -> Normalizer:
    """The shared normalizer for a folding mode (building the tables takes ~0.2 s)."""
    return Normalizer(fold_diacritics)


def warm_up() -> None:
    """Build both normalizers completely: the crawl forkserver calls this once, so crawl
    children do not each spend ~0.25 s on their first non-ASCII article."""
    for fold_diacritics in (True, False):
        get_normalizer(fold_diacritics).prepare()


def exact_form(text: str) -> str:
    """What the exact operator compares: NFKC and case folding only."""
    return unicodedata.normalize("NFKC", text).casefold()


_RUSSIAN = snowballstemmer.stemmer("russian")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str | None:
    """Russian Snowball stem of an all-Cyrillic folded word (always a prefix of it), else None."""
    if CYRILLIC_WORD_RE.fullmatch(word) is None:
        return None
    result: str = _RUSSIAN.stemWord(word)
    return result if result and word.startswith(result) else word


def is_word_char(text: str, index: int) -> bool:
    """Whether text[index] exists and is a letter or digit of a spaced (non-CJK) script."""
    return 0 <= index < len(text) and WORD_CHAR_RE.match(text, index) is not None


def token_end(text: str, index: int) -> int:
    """End of the non-CJK word run starting at or containing `index`."""
    m = WORD_CHAR_RE.match(text, index)
    while m is not None:
        index += 1
        m = WORD_CHAR_RE.match(text, index)
    return index


def token_start(text: str, index: int) -> int:
    """Start of the non-CJK word run containing `index`."""
    while is_word_char(text, index - 1):
        index -= 1
    return index
