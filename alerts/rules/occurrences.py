"""Where the rules' literals occur in a document's normalized fields.

Two locators give the same answers. With Hyperscan, one pass per field only says which
literals occur; positions are then searched (str.find) for just the literals that candidate
rules ask about, and most documents need none. The pyahocorasick locator lists every
occurrence with its position in one pass; it is the fallback where Hyperscan is unavailable.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Literal

from alerts.rules import hsdb
from alerts.rules.presence import LiteralPresence
from alerts.rules.scan import LiteralScanner

ScannerChoice = Literal["auto", "hyperscan", "automaton"]


class Occurrences(ABC):
    """The literals occurring in each field of a document and, on demand, where."""

    def __init__(self, per_field: dict[str, set[int]]) -> None:
        self.per_field = per_field

    @abstractmethod
    def ends(self, field: str, literal: int) -> list[int]:
        """Index of the last character of every occurrence of the literal in the field."""


class AutomatonHits(Occurrences):
    """Every (end index, literal id) hit of an automaton pass over each field."""

    def __init__(self, hits: dict[str, list[tuple[int, int]]]) -> None:
        super().__init__({field: {lit for _, lit in found} for field, found in hits.items()})
        self._hits = hits
        self._ends: dict[str, dict[int, list[int]]] = {}

    def ends(self, field: str, literal: int) -> list[int]:
        if field not in self._ends:
            table: dict[int, list[int]] = {}
            for end, lit in self._hits[field]:
                table.setdefault(lit, []).append(end)
            self._ends[field] = table
        return self._ends[field].get(literal, [])


class SearchedHits(Occurrences):
    """Literals known to occur per field; their positions are searched when first asked for."""

    def __init__(
        self, texts: dict[str, str], per_field: dict[str, set[int]], literals: Sequence[str]
    ) -> None:
        super().__init__(per_field)
        self._texts = texts
        self._literals = literals

    def ends(self, field: str, literal: int) -> list[int]:
        if literal not in self.per_field[field]:
            return []
        return find_ends(self._texts[field], self._literals[literal])


def find_ends(text: str, literal: str) -> list[int]:
    """End index (last character) of every occurrence, overlapping ones included."""
    out: list[int] = []
    last = len(literal) - 1
    index = text.find(literal)
    while index >= 0:
        out.append(index + last)
        index = text.find(literal, index + 1)
    return out


class Locator(ABC):
    """Finds a set of literals in the normalized fields of a document."""

    @abstractmethod
    def locate(self, texts: dict[str, str]) -> Occurrences:
        """The occurrences of the literals in each field text."""


class AutomatonLocator(Locator):
    """pyahocorasick: all occurrences with positions in one pass per field."""

    def __init__(self, literals: dict[str, int]) -> None:
        self._scanner = LiteralScanner(literals.items())

    def locate(self, texts: dict[str, str]) -> AutomatonHits:
        return AutomatonHits({name: self._scanner.scan(text) for name, text in texts.items()})


class HyperscanLocator(Locator):
    """Hyperscan: which literals occur, one pass per field; positions searched on demand."""

    def __init__(self, literals: dict[str, int]) -> None:
        self._presence = LiteralPresence(literals.items())
        by_id = sorted(literals.items(), key=lambda item: item[1])
        if [lit_id for _, lit_id in by_id] != list(range(len(by_id))):
            raise ValueError("literal ids must be 0..n-1")
        self._literals = [literal for literal, _ in by_id]

    def locate(self, texts: dict[str, str]) -> SearchedHits:
        present = self._presence.present
        per_field = {name: present(text) for name, text in texts.items()}
        return SearchedHits(texts, per_field, self._literals)


def make_locator(literals: dict[str, int], scanner: ScannerChoice = "auto") -> Locator:
    """Hyperscan when installed (or when asked for), else pyahocorasick."""
    if scanner == "automaton" or (scanner == "auto" and not hsdb.AVAILABLE):
        return AutomatonLocator(literals)
    return HyperscanLocator(literals)
