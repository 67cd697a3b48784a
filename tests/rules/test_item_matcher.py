"""The one matching path of stored items: rules from config, baselines skipped, leads used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from alerts.rules import ItemMatcher, ItemText, RuleSpec


@dataclass
class Rule:
    """Shaped like crawler.config's RuleConfig (lists, not sets)."""

    id: str
    query: str
    fields: Literal["all", "title", "body"] = "all"
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


def _text(
    item_id: int,
    body: str,
    *,
    source_id: str = "mfa",
    summary: str = "",
    baseline: bool = False,
) -> ItemText:
    return ItemText(item_id, source_id, "Statement", body, summary, "en", baseline)


def test_rule_spec_from_config_copies_every_filter() -> None:
    rule = Rule("r", "cpec", "title", ["mfa"], ["asia"], ["en"])
    spec = RuleSpec.from_config(rule)
    assert spec == RuleSpec(
        "r", "cpec", "title", frozenset({"mfa"}), frozenset({"asia"}), frozenset({"en"})
    )


def test_no_enabled_rule_means_no_matcher() -> None:
    assert ItemMatcher.from_config([], {"mfa": ["asia"]}) is None


def test_matches_carry_snippets_with_highlights_and_spans() -> None:
    matcher = ItemMatcher.from_config([Rule("cpec", "CPEC")], {})
    assert matcher is not None
    [record] = matcher.match([_text(7, "Talks on CPEC resumed.")])
    assert (record.item_id, record.rule_id) == (7, "cpec")
    assert record.spans == [{"field": "body", "start": 9, "end": 13}]
    [snippet] = record.snippets
    start, end = snippet["highlights"][0]
    assert snippet["text"][start:end] == "CPEC"


def test_baselines_are_never_matched_and_a_listing_lead_is() -> None:
    matcher = ItemMatcher.from_config([Rule("cpec", "CPEC")], {})
    assert matcher is not None
    baseline = _text(1, "CPEC", baseline=True)
    lead_only = _text(2, "", summary="CPEC talks, from the listing")
    assert [r.item_id for r in matcher.match([baseline, lead_only])] == [2]


def test_tag_filters_use_the_item_source_tags() -> None:
    matcher = ItemMatcher.from_config([Rule("asia", "CPEC", tags=["asia"])], {"pk": ["asia"]})
    assert matcher is not None
    items = [_text(1, "CPEC", source_id="pk"), _text(2, "CPEC", source_id="other")]
    assert [r.item_id for r in matcher.match(items)] == [1]
