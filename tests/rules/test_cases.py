"""Run every case of cases.yaml through both the compiled engine and the reference evaluator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from alerts.rules import MatchDocument, RuleEngine, RuleSpec, reference_match
from alerts.rules.occurrences import ScannerChoice
from tests.rules.scanners import SCANNERS

CASES: list[dict[str, Any]] = YAML(typ="safe").load(Path(__file__).with_name("cases.yaml"))


def _rule(case: dict[str, Any]) -> RuleSpec:
    return RuleSpec(
        id="case",
        query=case["query"],
        fields=case.get("fields", "all"),
        sources=frozenset(case.get("sources", ())),
        tags=frozenset(case.get("rule_tags", ())),
        languages=frozenset(case.get("languages", ())),
    )


def _doc(case: dict[str, Any]) -> MatchDocument:
    return MatchDocument(
        title=case["title"],
        body=case["body"],
        source_id=case.get("source", ""),
        language=case.get("lang"),
        tags=frozenset(case.get("tags", ())),
    )


def test_suite_is_large_enough() -> None:
    assert len(CASES) >= 150
    assert sum(1 for c in CASES if c["expect"]) >= 60
    assert sum(1 for c in CASES if not c["expect"]) >= 60


@pytest.mark.parametrize("scanner", SCANNERS)
@pytest.mark.parametrize("case", CASES, ids=[f"{i}:{c['query']}" for i, c in enumerate(CASES)])
def test_case(case: dict[str, Any], scanner: ScannerChoice) -> None:
    rule, doc = _rule(case), _doc(case)
    assert reference_match(rule, doc) is case["expect"], "reference"
    hits = RuleEngine.from_rules([rule], scanner=scanner).match(doc)
    assert bool(hits) is case["expect"], "engine"


@pytest.mark.parametrize("scanner", SCANNERS)
def test_all_cases_in_one_engine(scanner: ScannerChoice) -> None:
    rules = [RuleSpec(f"r{i}", c["query"]) for i, c in enumerate(CASES) if "fields" not in c]
    engine = RuleEngine.from_rules(rules, scanner=scanner)
    for case in CASES[:60]:
        doc = _doc(case)
        got = {hit.rule_id for hit in engine.match(doc)}
        want = {rule.id for rule in rules if reference_match(rule, doc)}
        assert got == want, case["query"]
