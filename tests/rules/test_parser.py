"""Parser: syntax errors with columns, precedence, implicit AND, field scoping."""

from __future__ import annotations

import pytest

from alerts.rules import RuleEngine, RuleSpec, parse_query
from alerts.rules.query import And, Filter, Near, Node, Not, Or, Regex, Term
from crawler.errors import QuerySyntaxError


def shape(node: Node) -> str:
    """A compact rendering of the tree for comparisons."""
    if isinstance(node, Term):
        prefix = f"{node.field}:" if node.field else ""
        return prefix + "_".join(p.text for p in node.pieces)
    if isinstance(node, And):
        return "(" + " & ".join(shape(c) for c in node.children) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(shape(c) for c in node.children) + ")"
    if isinstance(node, Not):
        return "!" + shape(node.child)
    if isinstance(node, Near):
        return f"({shape(node.left)} ~{node.distance} {shape(node.right)})"
    if isinstance(node, Filter):
        return f"{node.kind}={node.value}"
    assert isinstance(node, Regex)
    return f"/{node.pattern.pattern}/"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("a b", "(a & b)"),
        ("a AND b OR c", "((a & b) | c)"),
        ("a OR b c", "(a | (b & c))"),
        ("a OR b AND c", "(a | (b & c))"),
        ("NOT a b", "(!a & b)"),
        ("b NOT a", "(b & !a)"),
        ("b -a", "(b & !a)"),
        ("a NEAR/3 b c", "((a ~3 b) & c)"),
        ("a NEAR/3 b OR c", "((a ~3 b) | c)"),
        ("a NEAR/1 b NEAR/2 c", "((a ~1 b) ~2 c)"),
        ("(a OR b) NEAR/2 c", "((a | b) ~2 c)"),
        ('"strategic stability"', "strategic_stability"),
        ("anti-missile", "anti_missile"),
        ("title:(a OR b) c", "((title:a | title:b) & c)"),
        ("title:(a OR body:b)", "(title:a | body:b)"),
        ("source:MOFA a", "(source=mofa & a)"),
        ('lang:ru tag:"Very Urgent" a', "(lang=ru & tag=very urgent & a)"),
        ("a and b", "(a & and & b)"),
        ("a or NOT b", "(a & or & !b)"),
        ("((a))", "a"),
        ("/x+y/ a", "(/x+y/ & a)"),
        ("Café", "cafe"),
    ],
)
def test_precedence_and_shapes(query: str, expected: str) -> None:
    assert shape(parse_query(query).root) == expected


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        ('("arms control" OR disarmament))', "unexpected ')'", 32),
        ("a OR", "unexpected end of query", 5),
        ("a AND OR b", "unexpected 'OR'", 7),
        (")", "unexpected ')'", 1),
        ('a "open phrase', "unterminated phrase", 3),
        ("a NEAR b", "NEAR needs a distance like NEAR/5", 3),
        ("a NEAR/x b", "NEAR needs a distance like NEAR/5", 3),
        ("", "empty query", 1),
        ("   ", "empty query", 1),
        ("NOT a", "a query needs at least one positive term", 1),
        ("-a -b", "a query needs at least one positive term", 1),
        ("lang:ru", "a query needs at least one positive term", 1),
        ("(a OR b", "missing ')'", 1),
        ("a /unterminated", "unterminated regex", 3),
        ("x stab*le", "wildcard * is only allowed at the start or end of a term", 3),
        ("a NEAR/2 NOT b", "NEAR can only join terms, phrases or OR-groups of them", 3),
        ("(a b) NEAR/2 c", "NEAR can only join terms, phrases or OR-groups of them", 7),
        ("a - b", "unexpected '-'", 3),
        ('a "!!!"', "nothing to search for in '!!!'", 3),
        ("title: OR", "expected a term after 'title:'", 1),
        ("a source:", "expected a value after 'source:'", 3),
    ],
)
def test_syntax_errors(query: str, message: str, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    assert info.value.reason == message
    assert info.value.column == column


def test_invalid_regex_message() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query("a /(unclosed/")
    assert info.value.reason.startswith("invalid regex: ")
    assert info.value.column == 3


def test_engine_names_the_rule() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        RuleEngine.from_rules([RuleSpec("ok", "a"), RuleSpec("broken", "a OR")])
    assert "rule 'broken'" in str(info.value)
    assert info.value.column == 5


def test_exact_and_stemming_flags() -> None:
    root = parse_query('=стабильность "стратегическая стабильность" стабил*').root
    assert isinstance(root, And)
    exact, phrase, prefix = root.children
    assert isinstance(exact, Term) and isinstance(phrase, Term) and isinstance(prefix, Term)
    assert exact.pieces[0].stem is None and exact.pieces[0].exact == "стабильность"
    assert [p.stem for p in phrase.pieces] == ["стратегическ", "стабильн"]
    assert prefix.pieces[0].stem is None and prefix.pieces[0].right_open
    english = parse_query("stability").root
    assert isinstance(english, Term) and english.pieces[0].stem is None
