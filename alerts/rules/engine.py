"""The compiled rule engine: one Aho-Corasick automaton for every literal of every rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from alerts.rules.evaluate import (
    MatchContext,
    default_fields,
    exact_ok,
    holds,
    rule_allows,
    spans,
)
from alerts.rules.model import MatchDocument, RuleHit, RuleSpec, Span
from alerts.rules.normalize import (
    NormText,
    get_normalizer,
    is_word_char,
    stem,
    token_end,
    token_start,
)
from alerts.rules.parser import parse_query
from alerts.rules.query import And, Near, Node, Or, Piece, Regex, Term, positive_leaves, walk
from alerts.rules.snippets import make_snippets
from crawler.errors import QuerySyntaxError


@dataclass(frozen=True)
class _Compiled:
    spec: RuleSpec
    root: Node
    leaves: tuple[Term | Regex, ...]
    defaults: tuple[str, ...]


class _EngineContext(MatchContext):
    """Finds pieces from the automaton's hits, checking word boundaries and stems."""

    def __init__(
        self,
        doc: MatchDocument,
        fields: dict[str, NormText],
        hits: dict[str, list[tuple[int, int]]],
        literal_ids: dict[str, int],
    ) -> None:
        super().__init__(doc, fields)
        self._hits = hits
        self._ids = literal_ids
        self._ends: dict[str, dict[int, list[int]]] = {}
        self._cache: dict[tuple[int, str], list[tuple[int, int]]] = {}

    def _ends_of(self, field: str, literal: int) -> list[int]:
        if field not in self._ends:
            table: dict[int, list[int]] = {}
            for end, lit in self._hits[field]:
                table.setdefault(lit, []).append(end)
            self._ends[field] = table
        return self._ends[field].get(literal, [])

    def piece_spans(self, piece: Piece, field: str) -> list[tuple[int, int]]:
        key = (id(piece), field)
        if key not in self._cache:
            self._cache[key] = self._find(piece, field)
        return self._cache[key]

    def _find(self, piece: Piece, field: str) -> list[tuple[int, int]]:
        norm = self.fields[field]
        text, size = norm.text, len(piece.literal)
        found: set[tuple[int, int]] = set()
        for last in self._ends_of(field, self._ids[piece.literal]):
            start, end = last - size + 1, last + 1
            if piece.cjk:
                found.add((start, end))
                continue
            if not piece.left_open and is_word_char(text, start - 1):
                continue
            if piece.stem is not None:
                word_end = token_end(text, end)
                if stem(text[start:word_end]) == piece.stem:
                    found.add((start, word_end))
                continue
            if not piece.right_open and is_word_char(text, end):
                continue
            if exact_ok(norm, start, end, piece):
                found.add((token_start(text, start), token_end(text, end)))
        return sorted(found)


def _anchors(node: Node, ids: dict[str, int]) -> frozenset[int] | None:
    """Literals of which at least one must occur for `node` to hold (None: no such set)."""
    if isinstance(node, Term):
        return frozenset({ids[max(node.pieces, key=lambda p: len(p.literal)).literal]})
    if isinstance(node, And | Near):
        parts = node.children if isinstance(node, And) else (node.left, node.right)
        known = [a for a in (_anchors(child, ids) for child in parts) if a is not None]
        return min(known, key=len) if known else None
    if isinstance(node, Or):
        subs = [_anchors(child, ids) for child in node.children]
        if any(s is None for s in subs):
            return None
        return frozenset().union(*(s for s in subs if s is not None))
    return None


class RuleEngine:
    """All rules compiled together; `match` normalizes and scans a document once."""

    def __init__(self, rules: list[_Compiled], fold_diacritics: bool) -> None:
        self._rules = rules
        self._normalizer = get_normalizer(fold_diacritics)
        self._ids: dict[str, int] = {}
        for rule in rules:
            for node in walk(rule.root):
                if isinstance(node, Term):
                    for piece in node.pieces:
                        self._ids.setdefault(piece.literal, len(self._ids))
        self._by_literal: list[list[int]] = [[] for _ in self._ids]
        self._always: list[int] = []
        for index, rule in enumerate(rules):
            anchors = _anchors(rule.root, self._ids)
            for lit in anchors or ():
                self._by_literal[lit].append(index)
            if anchors is None:
                self._always.append(index)
        self._automaton = ahocorasick.Automaton()
        for literal, lit_id in self._ids.items():
            self._automaton.add_word(literal, lit_id)
        if self._ids:
            self._automaton.make_automaton()

    @classmethod
    def from_rules(cls, rules: Iterable[RuleSpec], *, fold_diacritics: bool = True) -> RuleEngine:
        """Compile rules; raises QuerySyntaxError naming the rule id."""
        compiled: list[_Compiled] = []
        for spec in rules:
            try:
                root = parse_query(spec.query, fold_diacritics=fold_diacritics).root
            except QuerySyntaxError as exc:
                raise QuerySyntaxError(f"rule {spec.id!r}: {exc.reason}", exc.column) from None
            leaves = tuple(positive_leaves(root))
            compiled.append(_Compiled(spec, root, leaves, default_fields(spec)))
        return cls(compiled, fold_diacritics)

    def _scan(self, text: str) -> list[tuple[int, int]]:
        return list(self._automaton.iter(text)) if text and self._ids else []

    def match(self, doc: MatchDocument) -> list[RuleHit]:
        """Every rule that matches the document, in rule order."""
        fields = {
            "title": self._normalizer.normalize(doc.title),
            "body": self._normalizer.normalize(doc.body),
        }
        hits = {name: self._scan(norm.text) for name, norm in fields.items()}
        candidates = set(self._always)
        by_literal = self._by_literal
        for lit in {lit for field_hits in hits.values() for _, lit in field_hits}:
            candidates.update(by_literal[lit])
        if not candidates:
            return []
        ctx = _EngineContext(doc, fields, hits, self._ids)
        return [
            hit
            for index in sorted(candidates)
            if (hit := self._evaluate(self._rules[index], ctx)) is not None
        ]

    def _evaluate(self, rule: _Compiled, ctx: _EngineContext) -> RuleHit | None:
        if not rule_allows(rule.spec, ctx.doc):
            return None
        ctx.defaults = rule.defaults
        if not holds(rule.root, ctx):
            return None
        return build_hit(rule.spec.id, rule.leaves, ctx)


def build_hit(rule_id: str, leaves: Iterable[Term | Regex], ctx: MatchContext) -> RuleHit:
    """Highlight spans (original offsets) and snippets for a rule that matched."""
    found: set[Span] = set()
    for leaf in leaves:
        for field, start, end in spans(leaf, ctx):
            orig_start, orig_end = ctx.fields[field].orig_span(start, end)
            found.add(Span("title" if field == "title" else "body", orig_start, orig_end))
    ordered = tuple(sorted(found, key=lambda s: (s.field != "title", s.start, s.end)))
    snippets, offsets = make_snippets(ctx.doc, ordered)
    return RuleHit(rule_id, ordered, snippets, offsets)
