"""Recursive-descent parser: OR < AND (explicit or implicit) < NEAR < NOT, upper-case operators."""

from __future__ import annotations

import re
from dataclasses import replace

from alerts.rules.lexer import Token, tokenize
from alerts.rules.query import (
    And,
    Filter,
    Near,
    Node,
    Not,
    Or,
    Query,
    Regex,
    Term,
    make_pieces,
    positive_leaves,
)
from crawler.errors import QuerySyntaxError

_STARTS_OPERAND = {"TERM", "PHRASE", "REGEX", "(", "NOT", "FIELD"}
_TEXT_FIELDS = {"title", "body"}


def parse_query(text: str, *, fold_diacritics: bool = True) -> Query:
    """Parse a rule query into an AST; raises QuerySyntaxError with a 1-based column."""
    if not text.strip():
        raise QuerySyntaxError("empty query", 1)
    parser = _Parser(tokenize(text), fold_diacritics)
    root = parser.parse_or()
    parser.expect_end()
    if not positive_leaves(root):
        raise QuerySyntaxError("a query needs at least one positive term", 1)
    return Query(text, root)


class _Parser:
    def __init__(self, tokens: list[Token], fold_diacritics: bool) -> None:
        self.tokens = tokens
        self.fold = fold_diacritics
        self.pos = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect_end(self) -> None:
        if self.peek.kind != "END":
            raise _unexpected(self.peek)

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.peek.kind == "OR":
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_near()]
        while self.peek.kind == "AND" or self.peek.kind in _STARTS_OPERAND:
            if self.peek.kind == "AND":
                self.take()
            children.append(self.parse_near())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_near(self) -> Node:
        left = self.parse_unary()
        while self.peek.kind == "NEAR":
            op = self.take()
            right = self.parse_unary()
            for side in (left, right):
                if not _positional(side):
                    raise QuerySyntaxError(
                        "NEAR can only join terms, phrases or OR-groups of them", op.column
                    )
            left = Near(left, right, op.distance)
        return left

    def parse_unary(self) -> Node:
        if self.peek.kind == "NOT":
            self.take()
            return Not(self.parse_unary())
        return self.parse_primary()

    def parse_primary(self) -> Node:
        token = self.take()
        if token.kind == "(":
            inner = self.parse_or()
            if self.peek.kind != ")":
                if self.peek.kind == "END":
                    raise QuerySyntaxError("missing ')'", token.column)
                raise _unexpected(self.peek)
            self.take()
            return inner
        if token.kind in ("TERM", "PHRASE"):
            return _term(token, self.fold)
        if token.kind == "REGEX":
            return _regex(token)
        if token.kind == "FIELD":
            return self.parse_field(token)
        raise _unexpected(token)

    def parse_field(self, field: Token) -> Node:
        if field.value in _TEXT_FIELDS:
            if self.peek.kind not in ("TERM", "PHRASE", "REGEX", "("):
                raise QuerySyntaxError(f"expected a term after '{field.value}:'", field.column)
            return _scope(self.parse_primary(), field.value)
        value = self.take()
        if value.kind not in ("TERM", "PHRASE") or not value.value.strip():
            raise QuerySyntaxError(f"expected a value after '{field.value}:'", field.column)
        return Filter(field.value, value.value.strip().casefold())


def _unexpected(token: Token) -> QuerySyntaxError:
    if token.kind == "END":
        return QuerySyntaxError("unexpected end of query", token.column)
    return QuerySyntaxError(f"unexpected '{token.value}'", token.column)


def _term(token: Token, fold: bool) -> Term:
    raw = token.value
    left, right = raw.startswith("*"), raw.endswith("*") and len(raw) > 1
    core = raw[1 if left else 0 : len(raw) - 1 if right else len(raw)]
    if "*" in core:
        raise QuerySyntaxError(
            "wildcard * is only allowed at the start or end of a term", token.column
        )
    pieces = make_pieces(core, token.exact, left, right, fold)
    if not pieces:
        raise QuerySyntaxError(f"nothing to search for in {raw!r}", token.column)
    return Term(pieces, None, raw)


def _regex(token: Token) -> Regex:
    if not token.value:
        raise QuerySyntaxError("invalid regex: empty pattern", token.column)
    try:
        return Regex(re.compile(token.value, re.IGNORECASE))
    except re.error as exc:
        raise QuerySyntaxError(f"invalid regex: {exc}", token.column) from None


def _positional(node: Node) -> bool:
    if isinstance(node, Term | Regex | Near):
        return True
    return isinstance(node, Or) and all(_positional(child) for child in node.children)


def _scope(node: Node, field: str) -> Node:
    """Give every unscoped term/regex below `node` the field `field`."""
    if isinstance(node, Term | Regex):
        return node if node.field else replace(node, field=field)
    if isinstance(node, And):
        return And(tuple(_scope(child, field) for child in node.children))
    if isinstance(node, Or):
        return Or(tuple(_scope(child, field) for child in node.children))
    if isinstance(node, Not):
        return Not(_scope(node.child, field))
    if isinstance(node, Near):
        return Near(_scope(node.left, field), _scope(node.right, field), node.distance)
    return node
