"""Tokenizer for the query language; every token carries its 1-based column."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.errors import QuerySyntaxError

QUOTES = '"“”„«»'
FIELDS = ("title", "body", "source", "lang", "tag")
_STOP = set(QUOTES) | {"(", ")"}
_NEAR_RE = re.compile(r"NEAR(?:/(\d+))?")
_FIELD_RE = re.compile(rf"({'|'.join(FIELDS)}):", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    """A query token: kind is one of ( ) AND OR NOT NEAR FIELD TERM PHRASE REGEX END."""

    kind: str
    value: str
    column: int
    exact: bool = False
    distance: int = 0


def tokenize(query: str) -> list[Token]:
    """Split a query into tokens, raising QuerySyntaxError on lexical errors."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(query):
        ch = query[pos]
        if ch.isspace():
            pos += 1
        elif ch in "()":
            tokens.append(Token(ch, ch, pos + 1))
            pos += 1
        else:
            pos = _lex_one(query, pos, tokens)
    tokens.append(Token("END", "", len(query) + 1))
    return tokens


def _lex_one(query: str, pos: int, tokens: list[Token]) -> int:
    ch = query[pos]
    nxt = query[pos + 1] if pos + 1 < len(query) else " "
    if ch in QUOTES:
        return _phrase(query, pos, tokens, exact=False)
    if ch == "/":
        return _regex(query, pos, tokens)
    if ch == "=":
        if nxt in QUOTES:
            return _phrase(query, pos + 1, tokens, exact=True)
        if nxt.isspace() or nxt in _STOP:
            raise QuerySyntaxError("'=' must be followed by a term or phrase", pos + 1)
        return _bare(query, pos + 1, tokens, exact=True)
    if ch == "-":
        if nxt.isspace() or nxt == ")":
            raise QuerySyntaxError("unexpected '-'", pos + 1)
        tokens.append(Token("NOT", "-", pos + 1))
        return pos + 1
    field = _FIELD_RE.match(query, pos)
    if field is not None:
        tokens.append(Token("FIELD", field.group(1).lower(), pos + 1))
        return field.end()
    return _bare(query, pos, tokens, exact=False)


def _bare(query: str, pos: int, tokens: list[Token], exact: bool) -> int:
    end = pos
    while end < len(query) and not query[end].isspace() and query[end] not in _STOP:
        end += 1
    word = query[pos:end]
    if not exact and word in ("AND", "OR", "NOT"):
        tokens.append(Token(word, word, pos + 1))
    elif not exact and word.startswith("NEAR") and (word == "NEAR" or word[4] == "/"):
        near = _NEAR_RE.fullmatch(word)
        if near is None or near.group(1) is None:
            raise QuerySyntaxError("NEAR needs a distance like NEAR/5", pos + 1)
        tokens.append(Token("NEAR", word, pos + 1, distance=int(near.group(1))))
    else:
        tokens.append(Token("TERM", word, pos + 1, exact=exact))
    return end


def _phrase(query: str, pos: int, tokens: list[Token], exact: bool) -> int:
    end = pos + 1
    while end < len(query) and query[end] not in QUOTES:
        end += 1
    if end >= len(query):
        raise QuerySyntaxError("unterminated phrase", pos + 1)
    tokens.append(Token("PHRASE", query[pos + 1 : end], pos + 1, exact=exact))
    return end + 1


def _regex(query: str, pos: int, tokens: list[Token]) -> int:
    end = pos + 1
    while end < len(query) and query[end] != "/":
        end += 2 if query[end] == "\\" else 1
    if end >= len(query):
        raise QuerySyntaxError("unterminated regex", pos + 1)
    tokens.append(Token("REGEX", query[pos + 1 : end].replace("\\/", "/"), pos + 1))
    return end + 1
