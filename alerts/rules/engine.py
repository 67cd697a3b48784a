"""The compiled rule engine: every literal of every rule found in one pass per field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from alerts.rules.candidates import CandidateIndex
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
from alerts.rules.occurrences import Occurrences, ScannerChoice, make_locator
from alerts.rules.parser import parse_query
from alerts.rules.query import Node, Piece, Regex, Term, positive_leaves, walk
from alerts.rules.snippets import make_snippets
from crawler.errors import QuerySyntaxError


@dataclass(frozen=True)
class _Compiled:
    spec: RuleSpec
    root: Node
    leaves: tuple[Term | Regex, ...]
    defaults: tuple[str, ...]


class _EngineContext(MatchContext):
    """Finds pieces from the literals' occurrences, checking word boundaries and stems."""

    def __init__(
        self,
        doc: MatchDocument,
        fields: dict[str, NormText],
        found: Occurrences,
        literal_ids: dict[str, int],
    ) -> None:
        super().__init__(doc, fields)
        self._found = found
        self._ids = literal_ids
        self._cache: dict[tuple[int, str], list[tuple[int, int]]] = {}

    def piece_spans(self, piece: Piece, field: str) -> list[tuple[int, int]]:
        key = (id(piece), field)
        if key not in self._cache:
            self._cache[key] = self._find(piece, field)
        return self._cache[key]

    def _find(self, piece: Piece, field: str) -> list[tuple[int, int]]:
        norm = self.fields[field]
        text, size = norm.text, len(piece.literal)
        found: set[tuple[int, int]] = set()
        for last in self._found.ends(field, self._ids[piece.literal]):
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


class RuleEngine:
    """All rules compiled together; `match` normalizes and scans a document once."""

    def __init__(
        self, rules: list[_Compiled], fold_diacritics: bool, scanner: ScannerChoice = "auto"
    ) -> None:
        self._rules = rules
        self._normalizer = get_normalizer(fold_diacritics)
        self._ids: dict[str, int] = {}
        for rule in rules:
            for node in walk(rule.root):
                if isinstance(node, Term):
                    for piece in node.pieces:
                        self._ids.setdefault(piece.literal, len(self._ids))
        self._index = CandidateIndex([(r.root, r.defaults) for r in rules], self._ids)
        self._locator = make_locator(self._ids, scanner)

    @classmethod
    def from_rules(
        cls,
        rules: Iterable[RuleSpec],
        *,
        fold_diacritics: bool = True,
        scanner: ScannerChoice = "auto",
    ) -> RuleEngine:
        """Compile rules; raises QuerySyntaxError naming the rule id.

        `scanner`: "auto" uses Hyperscan when installed, else pyahocorasick ("automaton");
        both give the same matches.
        """
        compiled: list[_Compiled] = []
        for spec in rules:
            try:
                root = parse_query(spec.query, fold_diacritics=fold_diacritics).root
            except QuerySyntaxError as exc:
                raise QuerySyntaxError(f"rule {spec.id!r}: {exc.reason}", exc.column) from None
            leaves = tuple(positive_leaves(root))
            compiled.append(_Compiled(spec, root, leaves, default_fields(spec)))
        return cls(compiled, fold_diacritics, scanner)

    def match(self, doc: MatchDocument) -> list[RuleHit]:
        """Every rule that matches the document, in rule order."""
        fields = {
            "title": self._normalizer.normalize(doc.title),
            "body": self._normalizer.normalize(doc.body),
        }
        found = self._locator.locate({name: norm.text for name, norm in fields.items()})
        candidates = self._index.candidates(found.per_field)
        if not candidates:
            return []
        ctx = _EngineContext(doc, fields, found, self._ids)
        rules = self._rules
        return [
            hit
            for index in sorted(candidates)
            if (hit := self._evaluate(rules[index], ctx)) is not None
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
