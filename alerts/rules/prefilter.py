"""Literals a rule cannot match without, so most candidates are rejected by set lookups."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from alerts.rules.query import And, Near, Node, Or, Term

Clause = frozenset[int]  # at least one of these literals must occur


def clauses(node: Node, ids: dict[str, int]) -> list[Clause]:
    """Clauses that all hold whenever `node` holds (empty: no condition on literals)."""
    if isinstance(node, Term):
        return [frozenset({ids[piece.literal]}) for piece in node.pieces]
    if isinstance(node, And):
        return [clause for child in node.children for clause in clauses(child, ids)]
    if isinstance(node, Near):
        return clauses(node.left, ids) + clauses(node.right, ids)
    if isinstance(node, Or):
        options = [clauses(child, ids) for child in node.children]
        if not all(options):
            return []
        return [frozenset().union(*(min(option, key=len) for option in options))]
    return []  # NOT, filters and regexes promise no literal


@dataclass(frozen=True)
class Requirement:
    """A rule's literal conditions: all of `must`, and one of each clause in `some`."""

    must: frozenset[int]
    some: tuple[Clause, ...]

    def met(self, present: Collection[int]) -> bool:
        """Whether the occurring literals can satisfy the rule."""
        return self.must.issubset(present) and all(
            not clause.isdisjoint(present) for clause in self.some
        )


def requirement(found: Iterable[Clause]) -> Requirement:
    """Split clauses into single required literals and real alternatives."""
    unique = set(found)
    must = frozenset(lit for clause in unique if len(clause) == 1 for lit in clause)
    some = tuple(sorted((c for c in unique if len(c) > 1 and not c & must), key=len))
    return Requirement(must, some)


def anchor(found: list[Clause], weight: Callable[[int], int]) -> Clause | None:
    """The clause to index a rule under: few literals, preferring rare (long) ones."""
    if not found:
        return None
    return min(found, key=lambda clause: (len(clause), -min(map(weight, clause))))
