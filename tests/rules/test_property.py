"""Property: the compiled engine agrees with the reference evaluator on random queries/texts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts.rules import MatchDocument, RuleEngine, RuleSpec, reference_match

WORDS = [
    "stability", "instability", "stable", "arms", "control", "nuclear", "café", "cafe",
    "стабильность", "стабильности", "стратегической", "договор", "ёлка", "елки",
    "الأمن", "الامن", "استقرار", "پاکستان", "پاكستان", "战略", "稳定", "战略稳定", "中国",
]  # fmt: skip
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
texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=10).map(
    lambda parts: "".join(w + s for w, s in parts)
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(queries, min_size=1, max_size=4), texts, texts)
def test_engine_agrees_with_reference(query_list: list[str], title: str, body: str) -> None:
    rules = [RuleSpec(f"r{i}", q) for i, q in enumerate(query_list)]
    doc = MatchDocument(title, body)
    got = {hit.rule_id for hit in RuleEngine.from_rules(rules).match(doc)}
    want = {rule.id for rule in rules if reference_match(rule, doc)}
    assert got == want
