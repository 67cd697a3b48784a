"""Literal scanning (Hyperscan and pyahocorasick give the same answers) and the prefilter."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from alerts.rules import MatchDocument, RuleEngine, RuleSpec, hsdb, parse_query, presence
from alerts.rules.candidates import CandidateIndex
from alerts.rules.occurrences import AutomatonLocator, HyperscanLocator, Locator, find_ends
from alerts.rules.prefilter import ClauseBuilder, requirement
from alerts.rules.query import Piece, Term, walk

needs_hyperscan = pytest.mark.skipif(not hsdb.AVAILABLE, reason="hyperscan is not installed")
LITERALS = {"stab": 0, "stability": 1, "аа": 2, "战略": 3, "الامن": 4, "x\udcff": 5}
TEXTS = {
    "title": "instability: stab stabstab аааа",
    "body": "战略战略 x\udcffx الامن stability",
}
CASES: list[dict[str, Any]] = YAML(typ="safe").load(Path(__file__).with_name("cases.yaml"))


def test_find_ends_includes_overlapping_occurrences() -> None:
    assert find_ends("aaaa", "aa") == [1, 2, 3]
    assert find_ends("abc", "x") == []


def _locators() -> list[Locator]:
    found: list[Locator] = [AutomatonLocator(LITERALS)]
    if hsdb.AVAILABLE:
        found.append(HyperscanLocator(LITERALS))
    return found


@pytest.mark.parametrize("locator", _locators(), ids=lambda loc: type(loc).__name__)
def test_locators_find_every_occurrence(locator: Locator) -> None:
    found = locator.locate(TEXTS)
    assert found.per_field == {"title": {0, 1, 2}, "body": {0, 1, 3, 4, 5}}
    assert found.ends("title", 0) == [5, 16, 21, 25]
    assert found.ends("title", 2) == [28, 29, 30]
    assert found.ends("body", 3) == [1, 3]
    assert found.ends("body", 5) == [6]
    assert found.ends("body", 0) == [18]
    assert found.ends("title", 3) == []


@needs_hyperscan
def test_presence_with_no_literals_or_empty_text() -> None:
    assert presence.LiteralPresence([]).present("anything") == set()
    assert presence.LiteralPresence([("a", 0)]).present("") == set()


@needs_hyperscan
def test_presence_reports_each_literal_once() -> None:
    assert presence.LiteralPresence([("ab", 7), ("b", 9)]).present("ab ab ab") == {7, 9}


def test_engines_give_identical_hits() -> None:
    """Spans and snippets, not only which rules match, are the same with either scanner."""
    if not hsdb.AVAILABLE:
        pytest.skip("hyperscan is not installed")
    rules = [RuleSpec(f"r{i}", c["query"]) for i, c in enumerate(CASES)]
    engines = [RuleEngine.from_rules(rules, scanner=s) for s in ("hyperscan", "automaton")]
    for case in CASES:
        doc = MatchDocument(case["title"], case["body"], language=case.get("lang"))
        assert engines[0].match(doc) == engines[1].match(doc), case["query"]


def test_without_hyperscan_auto_uses_the_automaton(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hsdb, "hyperscan", None)
    monkeypatch.setattr(hsdb, "AVAILABLE", False)
    assert RuleEngine.from_rules([RuleSpec("r", "a")]).match(MatchDocument("", "a"))
    with pytest.raises(RuntimeError, match="hyperscan"):
        RuleEngine.from_rules([RuleSpec("r", "a")], scanner="hyperscan")


def _index(*queries: str, fields: tuple[str, ...] = ("title", "body")) -> CandidateIndex:
    roots = [parse_query(q).root for q in queries]
    ids: dict[str, int] = {}
    for node in (node for root in roots for node in walk(root)):
        for piece in node.pieces if isinstance(node, Term) else ():
            ids.setdefault(piece.literal, len(ids))
    return CandidateIndex([(root, fields) for root in roots], ids)


def test_field_scoped_terms_need_their_field() -> None:
    index = _index("title:alpha OR body:beta")
    alpha, beta = 0, 1
    assert index.candidates({"title": {alpha}, "body": set()}) == {0}
    assert index.candidates({"title": set(), "body": {alpha}}) == set()
    assert index.candidates({"title": {beta}, "body": set()}) == set()
    assert index.candidates({"title": set(), "body": {beta}}) == {0}


def test_rule_fields_scope_unscoped_terms() -> None:
    index = _index("alpha", fields=("body",))
    assert index.candidates({"title": {0}, "body": set()}) == set()
    assert index.candidates({"title": set(), "body": {0}}) == {0}


def test_or_of_phrases_requires_their_shared_word() -> None:
    """("a b" OR "b c") needs b: one key from each branch, every way."""

    def key(term: Term, piece: Piece) -> int:
        return ord(piece.text)

    builder = ClauseBuilder(key, lambda k: 1)
    found = builder.clauses(parse_query('"a b" OR "b c"').root)
    need = requirement(found)
    assert need.must == {ord("b")}
    assert need.some == (frozenset({ord("a"), ord("c")}),)


@needs_hyperscan
def test_threads_scan_with_their_own_scratch() -> None:
    """A scan releases the GIL: threads sharing one engine must not share scratch space."""
    rules = [RuleSpec(f"r{i}", c["query"]) for i, c in enumerate(CASES)]
    engine = RuleEngine.from_rules(rules, scanner="hyperscan")
    docs = [MatchDocument(c["title"], c["body"] * 50, language=c.get("lang")) for c in CASES]
    want = [engine.match(doc) for doc in docs]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            assert list(pool.map(engine.match, docs)) == want
