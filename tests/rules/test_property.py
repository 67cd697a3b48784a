"""Property: the compiled engine agrees with the reference evaluator on random queries/texts."""

from __future__ import annotations

from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts.rules import MatchDocument, RuleEngine, RuleSpec, reference_match
from alerts.rules.occurrences import ScannerChoice
from tests.rules.scanners import SCANNERS

WORDS = [
    "stability", "instability", "stable", "arms", "control", "nuclear", "café", "cafe",
    "стабильность", "стабильности", "стратегической", "договор", "ёлка", "елки",
    "الأمن", "الامن", "استقرار", "پاکستان", "پاكستان", "战略", "稳定", "战略稳定", "中国",
]  # fmt: skip
FieldScope = Literal["all", "title", "body"]
SEPARATORS = [" ", "  ", ", ", "-", "—", "\n", "", "’"]

terms = st.sampled_from(WORDS).flatmap(
    lambda w: st.sampled_from([w, f"{w}*", f"*{w}", f"={w}", f"title:{w}", f"body:{w}"])
)
phrases = st.lists(st.sampled_from(WORDS), min_size=2, max_size=3).map(
    lambda ws: '"' + " ".join(ws) + '"'
)
atoms = st.one_of(terms, phrases)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, children).map(lambda p: f"({p[0]} OR {p[1]})"),
        st.tuples(children, children).map(lambda p: f"({p[0]} AND {p[1]})"),
        st.tuples(children, children).map(lambda p: f"({p[0]} NOT ({p[1]}))"),
        st.tuples(children, children).map(lambda p: f"{p[0]} {p[1]}"),
    )


near = st.tuples(atoms, st.integers(0, 3), atoms).map(lambda t: f"({t[0]} NEAR/{t[1]} {t[2]})")
queries = st.recursive(st.one_of(atoms, near), _combine, max_leaves=4)
fields: st.SearchStrategy[FieldScope] = st.sampled_from(["all", "title", "body"])
texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=10).map(
    lambda parts: "".join(w + s for w, s in parts)
)


@pytest.mark.parametrize("scanner", SCANNERS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(queries, fields), min_size=1, max_size=4), texts, texts)
def test_engine_agrees_with_reference(
    scanner: ScannerChoice, query_list: list[tuple[str, FieldScope]], title: str, body: str
) -> None:
    rules = [RuleSpec(f"r{i}", q, fields=f) for i, (q, f) in enumerate(query_list)]
    doc = MatchDocument(title, body)
    got = {hit.rule_id for hit in RuleEngine.from_rules(rules, scanner=scanner).match(doc)}
    want = {rule.id for rule in rules if reference_match(rule, doc)}
    assert got == want
