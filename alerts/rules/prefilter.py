"""Literals a rule cannot match without, so most candidates are rejected by set lookups.

Conditions are on keys, not bare literals: a key is a literal together with the fields it
must occur in (either field, the title, or the body), so `title:x` is not a candidate for
a document that has `x` only in its body.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import product

from alerts.rules.query import And, Near, Node, Or, Piece, Term

Clause = frozenset[int]  # at least one of these keys must be present
# Slots of a key: literal * len(SLOTS) + slot. A literal in the title gives the keys of
# slots "any" and "title"; in the body, "any" and "body".
SLOTS: dict[tuple[str, ...], int] = {("title", "body"): 0, ("title",): 1, ("body",): 2}
_FIELD_SLOT = {"title": 1, "body": 2}
_SLOT_FIELDS = {slot: fields for fields, slot in SLOTS.items()}
MAX_COMBINATIONS = 16  # clauses an OR may expand into before it keeps one per branch


def key_of(literal: int, fields: tuple[str, ...]) -> int:
    """The key of a literal that must occur in one of `fields`."""
    return literal * len(SLOTS) + SLOTS[fields]


def fields_of(key: int) -> tuple[str, ...]:
    """The fields in which the key's literal satisfies it."""
    return _SLOT_FIELDS[key % len(SLOTS)]


def literal_of(key: int) -> int:
    """The literal id of a key."""
    return key // len(SLOTS)


def present_keys(per_field: Mapping[str, Iterable[int]]) -> set[int]:
    """Keys present when each field contains the given literals."""
    size = len(SLOTS)
    keys: set[int] = set()
    for field, literals in per_field.items():
        slot = _FIELD_SLOT[field]
        for lit in literals:
            keys.add(lit * size)
            keys.add(lit * size + slot)
    return keys


@dataclass(frozen=True)
class ClauseBuilder:
    """Derives a rule's clauses; `key` maps a term's piece to its key, `weight` ranks keys."""

    key: Callable[[Term, Piece], int]
    weight: Callable[[int], int]  # higher: rarer (e.g. a longer literal)

    def clauses(self, node: Node) -> list[Clause]:
        """Clauses that all hold whenever `node` holds (empty: no condition on literals)."""
        if isinstance(node, Term):
            return [frozenset({self.key(node, piece)}) for piece in node.pieces]
        if isinstance(node, And):
            return [clause for child in node.children for clause in self.clauses(child)]
        if isinstance(node, Near):
            return self.clauses(node.left) + self.clauses(node.right)
        if isinstance(node, Or):
            return self._or(node)
        return []  # NOT, filters and regexes promise no literal

    def _or(self, node: Or) -> list[Clause]:
        """(a AND b) OR (c AND d) implies every clause taking one key per branch."""
        options = [self.clauses(child) for child in node.children]
        if not all(options):
            return []
        combinations = 1
        for option in options:
            combinations *= len(option)
        if combinations > MAX_COMBINATIONS:
            return [frozenset().union(*(self.best(option) for option in options))]
        return minimal(frozenset().union(*combo) for combo in product(*options))

    def best(self, found: Collection[Clause]) -> Clause:
        """The clause that rejects most: few keys, preferring rare ones."""
        return min(found, key=lambda clause: (len(clause), -min(map(self.weight, clause))))


def minimal(found: Iterable[Clause]) -> list[Clause]:
    """Drop clauses implied by others (a superset of a clause always holds when it does)."""
    unique = sorted(set(found), key=len)
    kept: list[Clause] = []
    for clause in unique:
        if not any(other <= clause for other in kept):
            kept.append(clause)
    return kept


@dataclass(frozen=True)
class Requirement:
    """A rule's key conditions: all of `must`, and one of each clause in `some`."""

    must: frozenset[int]
    some: tuple[Clause, ...]

    def met(self, present: Collection[int]) -> bool:
        """Whether the present keys can satisfy the rule."""
        return self.must.issubset(present) and all(
            not clause.isdisjoint(present) for clause in self.some
        )


def requirement(found: Iterable[Clause]) -> Requirement:
    """Split clauses into single required keys and real alternatives."""
    unique = set(found)
    must = frozenset(key for clause in unique if len(clause) == 1 for key in clause)
    some = tuple(sorted((c for c in unique if len(c) > 1 and not c & must), key=len))
    return Requirement(must, some)
