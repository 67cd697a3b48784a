"""The plain, slow, obviously-correct evaluator: tokenize every field and compare word by word."""

from __future__ import annotations

from functools import lru_cache

from alerts.rules.evaluate import MatchContext, default_fields, exact_ok, holds, rule_allows
from alerts.rules.model import MatchDocument, RuleSpec
from alerts.rules.normalize import CJK_RE, WORD_RE, NormText, get_normalizer, stem
from alerts.rules.parser import parse_query
from alerts.rules.query import Node, Piece


class ReferenceContext(MatchContext):
    """Finds pieces by scanning every token of the field."""

    def piece_spans(self, piece: Piece, field: str) -> list[tuple[int, int]]:
        norm = self.fields[field]
        if piece.cjk:
            return [(i, i + len(piece.text)) for i in _find_all(norm.text, piece.text)]
        found: list[tuple[int, int]] = []
        for word_start, word_end, word in _words(norm.text):
            for offset in _word_offsets(piece, word):
                start = word_start + offset
                if exact_ok(norm, start, start + len(piece.literal), piece):
                    found.append((word_start, word_end))
                    break
        return found


# The caches only avoid repeating work when many rules are checked against one document.
@lru_cache(maxsize=8)
def _words(text: str) -> tuple[tuple[int, int, str], ...]:
    """Every non-CJK word token of a normalized text with its offsets."""
    return tuple(
        (m.start(), m.end(), m.group())
        for m in WORD_RE.finditer(text)
        if not CJK_RE.match(m.group())
    )


@lru_cache(maxsize=8)
def _normalized(text: str, fold_diacritics: bool) -> NormText:
    return get_normalizer(fold_diacritics).normalize(text)


@lru_cache(maxsize=4096)
def _parsed(query: str, fold_diacritics: bool) -> Node:
    return parse_query(query, fold_diacritics=fold_diacritics).root


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
    root = _parsed(rule.query, fold_diacritics)
    if not rule_allows(rule, doc):
        return False
    fields = {
        "title": _normalized(doc.title, fold_diacritics),
        "body": _normalized(doc.body, fold_diacritics),
    }
    ctx = ReferenceContext(doc, fields)
    ctx.defaults = default_fields(rule)
    return holds(root, ctx)
