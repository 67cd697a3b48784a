"""Query evaluation shared by the engine and the reference evaluator (only lookup differs)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from bisect import bisect_left, bisect_right

from alerts.rules.model import MatchDocument, RuleSpec
from alerts.rules.normalize import ANY_WORD_RE, WORD_RE, NormText, exact_form
from alerts.rules.query import And, Filter, Near, Node, Not, Or, Piece, Regex, Term

FieldSpan = tuple[str, int, int]
ALL_FIELDS = ("title", "body")


def default_fields(rule: RuleSpec) -> tuple[str, ...]:
    """The fields unscoped terms of a rule search."""
    return ALL_FIELDS if rule.fields == "all" else (rule.fields,)


def same_language(doc_lang: str | None, wanted: str) -> bool:
    """`ru` matches `ru` and `ru-RU`; comparison ignores case."""
    if not doc_lang:
        return False
    lang = doc_lang.casefold().replace("_", "-")
    return lang == wanted or lang.split("-")[0] == wanted


def rule_allows(rule: RuleSpec, doc: MatchDocument) -> bool:
    """The RuleSpec filters (sources, tags, languages) accept the document."""
    if rule.sources and doc.source_id.casefold() not in {s.casefold() for s in rule.sources}:
        return False
    if rule.tags and not {t.casefold() for t in rule.tags} & {t.casefold() for t in doc.tags}:
        return False
    return not rule.languages or any(
        same_language(doc.language, lang.casefold()) for lang in rule.languages
    )


def filter_holds(node: Filter, doc: MatchDocument) -> bool:
    """A `source:`, `lang:` or `tag:` condition."""
    if node.kind == "source":
        return doc.source_id.casefold() == node.value
    if node.kind == "lang":
        return same_language(doc.language, node.value)
    return node.value in {t.casefold() for t in doc.tags}


def exact_ok(norm: NormText, start: int, end: int, piece: Piece) -> bool:
    """For `=term` pieces: the original characters of the literal fold exactly to the term."""
    if piece.exact is None:
        return True
    orig_start, orig_end = norm.orig_span(start, end)
    return exact_form(norm.original[orig_start:orig_end]) == piece.exact


class MatchContext(ABC):
    """One document being matched against one rule's fields."""

    def __init__(self, doc: MatchDocument, fields: dict[str, NormText]) -> None:
        self.doc = doc
        self.fields = fields
        self.defaults: tuple[str, ...] = ALL_FIELDS
        self._starts: dict[str, list[int]] = {}

    @abstractmethod
    def piece_spans(self, piece: Piece, field: str) -> list[tuple[int, int]]:
        """Spans of a piece (whole words for non-CJK pieces) in a normalized field."""

    def token_starts(self, field: str) -> list[int]:
        """Start offsets of every word token (each CJK character is one token)."""
        if field not in self._starts:
            text = self.fields[field].text
            self._starts[field] = [m.start() for m in WORD_RE.finditer(text)]
        return self._starts[field]

    def term_spans(self, term: Term, field: str) -> list[tuple[int, int]]:
        """Spans where all pieces follow each other with only non-word characters between."""
        text = self.fields[field].text
        chains = self.piece_spans(term.pieces[0], field)
        for piece in term.pieces[1:]:
            if not chains:
                return []
            nexts = self.piece_spans(piece, field)
            chains = [
                (start, e2)
                for start, e1 in chains
                for s2, e2 in nexts
                if s2 >= e1 and ANY_WORD_RE.search(text, e1, s2) is None
            ]
        return sorted(set(chains))


def holds(node: Node, ctx: MatchContext) -> bool:
    """Whether the query node is true for the context's document."""
    if isinstance(node, And):
        return all(holds(child, ctx) for child in node.children)
    if isinstance(node, Or):
        return any(holds(child, ctx) for child in node.children)
    if isinstance(node, Not):
        return not holds(node.child, ctx)
    if isinstance(node, Filter):
        return filter_holds(node, ctx.doc)
    return bool(spans(node, ctx))


def spans(node: Node, ctx: MatchContext) -> list[FieldSpan]:
    """Match spans of a positional node (term, regex, OR of them, NEAR)."""
    if isinstance(node, Term):
        fields = (node.field,) if node.field else ctx.defaults
        return [(f, s, e) for f in fields for s, e in ctx.term_spans(node, f)]
    if isinstance(node, Regex):
        fields = (node.field,) if node.field else ctx.defaults
        return [
            (f, m.start(), m.end())
            for f in fields
            for m in node.pattern.finditer(ctx.fields[f].text)
            if m.end() > m.start()
        ]
    if isinstance(node, Or):
        return [span for child in node.children for span in spans(child, ctx)]
    if isinstance(node, Near):
        return _near(node, ctx)
    return []


def _near(node: Near, ctx: MatchContext) -> list[FieldSpan]:
    lefts = spans(node.left, ctx)
    if not lefts:
        return []
    rights = spans(node.right, ctx)
    out: set[FieldSpan] = set()
    for field, s1, e1 in lefts:
        for field2, s2, e2 in rights:
            if (
                field == field2
                and word_gap(ctx.token_starts(field), s1, e1, s2, e2) <= node.distance
            ):
                out.add((field, min(s1, s2), max(e1, e2)))
    return sorted(out)


def word_gap(starts: list[int], s1: int, e1: int, s2: int, e2: int) -> int:
    """Number of word tokens strictly between two spans (0 when they touch or overlap)."""
    if s2 < s1:
        s1, e1, s2, e2 = s2, e2, s1, e1
    if s2 < e1:
        return 0
    last_of_first = bisect_left(starts, e1) - 1
    first_of_second = bisect_right(starts, s2) - 1
    return max(0, first_of_second - last_of_first - 1)
