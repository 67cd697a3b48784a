"""Routing: which recipients get which rules, and on which channels."""

from __future__ import annotations

from alerts.ledger import channels_for, route_rules
from crawler.config.models import RecipientConfig, RuleConfig


def _rule(rule_id: str, **kw: object) -> RuleConfig:
    return RuleConfig.model_validate({"id": rule_id, "name": rule_id, "query": "x", **kw})


def _reader(address: str, **kw: object) -> RecipientConfig:
    return RecipientConfig.model_validate({"address": address, **kw})


def _keys(routes: dict[str, tuple[RecipientConfig, ...]], rule_id: str) -> list[str]:
    return [r.key for r in routes.get(rule_id, ())]


def test_catch_all_reader_gets_digest_rules_and_unaddressed_immediate_rules() -> None:
    rules = [
        _rule("d"),
        _rule("d-to-bob", recipients=["bob"]),
        _rule("i", mode="immediate"),
        _rule("i-to-bob", mode="immediate", recipients=["bob"]),
    ]
    readers = [_reader("a@x.org"), _reader("b@x.org", id="bob")]
    routes = route_rules(rules, readers, {})
    assert _keys(routes, "d") == ["a@x.org", "bob"]
    assert _keys(routes, "d-to-bob") == ["a@x.org", "bob"]
    assert _keys(routes, "i") == ["a@x.org", "bob"]
    assert _keys(routes, "i-to-bob") == ["bob"]


def test_explicit_rules_and_tags_restrict_a_reader() -> None:
    rules = [_rule("a"), _rule("b", tags=["nuclear"]), _rule("c")]
    readers = [_reader("r@x.org", rules=["a"], tags=["nuclear"])]
    routes = route_rules(rules, readers, {})
    assert _keys(routes, "a") == ["r@x.org"]
    assert _keys(routes, "b") == ["r@x.org"]
    assert _keys(routes, "c") == []


def test_rule_recipients_by_address_id_and_group() -> None:
    readers = [
        _reader("A@X.org", rules=["other"]),
        _reader("b@x.org", id="bob", rules=["other"]),
        _reader("c@x.org", id="carol", rules=["other"]),
    ]
    rules = [_rule("r", recipients=["a@x.org", "desk"]), _rule("other")]
    routes = route_rules(rules, readers, {"desk": ["bob", "team"], "team": ["carol", "desk"]})
    assert _keys(routes, "r") == ["a@x.org", "bob", "carol"]


def test_disabled_rules_and_readers_route_nowhere() -> None:
    rules = [_rule("on"), _rule("off", enabled=False)]
    readers = [_reader("a@x.org"), _reader("b@x.org", enabled=False)]
    routes = route_rules(rules, readers, {})
    assert _keys(routes, "on") == ["a@x.org"]
    assert "off" not in routes


def test_channels() -> None:
    immediate = _rule("i", mode="immediate")
    assert channels_for(immediate, _reader("a@x.org")) == ("digest", "immediate")
    assert channels_for(immediate, _reader("a@x.org", immediate=False)) == ("digest",)
    assert channels_for(_rule("d"), _reader("a@x.org")) == ("digest",)
