"""The plain, slow, obviously-correct evaluator: tokenize every field and compare word by word."""

from __future__ import annotations

from alerts.rules.evaluate import MatchContext, default_fields, exact_ok, holds, rule_allows
from alerts.rules.model import MatchDocument, RuleSpec
from alerts.rules.normalize import CJK_RE, WORD_RE, get_normalizer, stem
from alerts.rules.parser import parse_query
from alerts.rules.query import Piece


class ReferenceContext(MatchContext):
    """Finds pieces by scanning every token of the field."""

    def piece_spans(self, piece: Piece, field: str) -> list[tuple[int, int]]:
        norm = self.fields[field]
        if piece.cjk:
            return [(i, i + len(piece.text)) for i in _find_all(norm.text, piece.text)]
        found: list[tuple[int, int]] = []
        for m in WORD_RE.finditer(norm.text):
            word = m.group()
            if CJK_RE.match(word):
                continue
            for offset in _word_offsets(piece, word):
                start = m.start() + offset
                if exact_ok(norm, start, start + len(piece.literal), piece):
                    found.append((m.start(), m.end()))
                    break
        return found


def _word_offsets(piece: Piece, word: str) -> list[int]:
    """Where in `word` the piece's literal sits when the word matches the piece."""
    if piece.stem is not None:
        return [0] if stem(word) == piece.stem else []
    text = piece.text
    if piece.left_open and piece.right_open:
        return _find_all(word, text)
    if piece.left_open:
        return [len(word) - len(text)] if word.endswith(text) else []
    if piece.right_open:
        return [0] if word.startswith(text) else []
    return [0] if word == text else []


def _find_all(text: str, sub: str) -> list[int]:
    out: list[int] = []
    i = text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def reference_match(rule: RuleSpec, doc: MatchDocument, *, fold_diacritics: bool = True) -> bool:
    """Whether `rule` matches `doc`, evaluated the slow, direct way."""
    root = parse_query(rule.query, fold_diacritics=fold_diacritics).root
    if not rule_allows(rule, doc):
        return False
    normalizer = get_normalizer(fold_diacritics)
    fields = {"title": normalizer.normalize(doc.title), "body": normalizer.normalize(doc.body)}
    ctx = ReferenceContext(doc, fields)
    ctx.defaults = default_fields(rule)
    return holds(root, ctx)
