"""Which rules to evaluate for a document: those whose key requirements its literals meet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from alerts.rules.prefilter import (
    ClauseBuilder,
    Requirement,
    fields_of,
    key_of,
    literal_of,
    present_keys,
    requirement,
)
from alerts.rules.query import Node, Piece, Term


class CandidateIndex:
    """Rules indexed under one clause each (few, rare keys), checked against all their clauses."""

    def __init__(
        self, rules: Sequence[tuple[Node, tuple[str, ...]]], ids: Mapping[str, int]
    ) -> None:
        """`rules`: each rule's query and the fields its unscoped terms search."""
        # field -> literal -> rules whose index clause that literal in that field satisfies
        self._by_field: dict[str, dict[int, list[int]]] = {"title": {}, "body": {}}
        self._always: list[int] = []
        self._needs: list[Requirement] = []
        lengths = [0] * len(ids)
        for literal, lit_id in ids.items():
            lengths[lit_id] = len(literal)
        for index, (root, defaults) in enumerate(rules):
            builder = _builder(ids, lengths, defaults)
            found = builder.clauses(root)
            self._needs.append(requirement(found))
            if not found:
                self._always.append(index)
                continue
            for key in builder.best(found):
                for field in fields_of(key):
                    self._by_field[field].setdefault(literal_of(key), []).append(index)

    def candidates(self, per_field: Mapping[str, set[int]]) -> set[int]:
        """Indices of the rules that may match, given the literals present in each field."""
        found = set(self._always)
        for field, literals in per_field.items():
            table = self._by_field[field]
            for lit in literals:
                rules = table.get(lit)
                if rules is not None:
                    found.update(rules)
        if not found:  # most documents: no need to build the present keys
            return found
        present = present_keys(per_field)
        needs = self._needs
        return {index for index in found if needs[index].met(present)}


def _builder(
    ids: Mapping[str, int], lengths: Sequence[int], defaults: tuple[str, ...]
) -> ClauseBuilder:
    def key(term: Term, piece: Piece) -> int:
        return key_of(ids[piece.literal], (term.field,) if term.field else defaults)

    return ClauseBuilder(key, lambda k: lengths[literal_of(k)])
