"""Literal scanning: one Aho-Corasick automaton per script, run only on texts using that script."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

import ahocorasick

from alerts.rules.normalize import CJK

# Scripts by code point ranges; together with ASCII non-alphanumerics (which never start a
# literal) they cover every character, so a literal can only occur in a text that contains
# a character of its first character's script.
SCRIPTS: tuple[str, ...] = (
    "0-9a-zA-Z\x80-\u024f",  # Latin
    "\u0370-\u052f",  # Greek, Cyrillic
    "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff",  # Arabic, Urdu
    CJK,
)
OTHER = len(SCRIPTS)
_ASCII_OTHER = "\x00-/:-@\\[-`{-\x7f"
_SCRIPT_RES = [re.compile(f"[{chars}]") for chars in SCRIPTS]


def script_of(ch: str) -> int:
    """Index in SCRIPTS of the character's script (OTHER for anything else)."""
    return next((i for i, pattern in enumerate(_SCRIPT_RES) if pattern.match(ch)), OTHER)


@cache
def _outside(known: frozenset[int]) -> re.Pattern[str]:
    """Characters that may start a literal of a script not in `known`."""
    ranges = "".join(SCRIPTS[i] for i in sorted(known) if i != OTHER)
    if OTHER in known:
        return re.compile(f"[{''.join(SCRIPTS[i] for i in range(OTHER) if i not in known)}]")
    return re.compile(f"[^{_ASCII_OTHER}{ranges}]")


def scripts_in(text: str) -> frozenset[int]:
    """The scripts of the characters of `text` (one pass over the text in total)."""
    if text.isascii():
        return frozenset({0})
    known: frozenset[int] = frozenset()
    m = _outside(known).search(text)
    while m is not None:
        known |= {script_of(m.group())}
        if len(known) > OTHER:
            break
        m = _outside(known).search(text, m.start())
    return known


class LiteralScanner:
    """Finds every occurrence of a set of literals: (index of last character, literal id)."""

    def __init__(self, literals: Iterable[tuple[str, int]]) -> None:
        groups: dict[int, list[tuple[str, int]]] = {}
        for literal, lit_id in literals:
            groups.setdefault(script_of(literal[0]), []).append((literal, lit_id))
        self._automata = {script: _automaton(words) for script, words in groups.items()}

    def scan(self, text: str) -> list[tuple[int, int]]:
        """All (end index, literal id) hits, end index being that of the last character."""
        if not text or not self._automata:
            return []
        hits: list[tuple[int, int]] = []
        for script in scripts_in(text):
            automaton = self._automata.get(script)
            if automaton is not None:
                hits.extend(automaton.iter(text))
        return hits


def _automaton(words: list[tuple[str, int]]) -> ahocorasick.Automaton:
    """An automaton whose root lists frequent first characters first (its lookup is linear)."""
    firsts = Counter(word[0] for word, _ in words)
    automaton = ahocorasick.Automaton()
    for word, lit_id in sorted(words, key=lambda w: (-firsts[w[0][0]], w[0])):
        automaton.add_word(word, lit_id)
    automaton.make_automaton()
    return automaton
