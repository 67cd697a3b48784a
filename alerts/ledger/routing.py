"""Routing: which recipients receive which rule's matches, and on which channels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from crawler.config.models import RecipientConfig, RuleConfig

Channel = Literal["digest", "immediate"]


def route_rules(
    rules: Iterable[RuleConfig],
    recipients: Sequence[RecipientConfig],
    groups: Mapping[str, Sequence[str]],
) -> dict[str, tuple[RecipientConfig, ...]]:
    """Map each enabled rule id to the enabled recipients that receive its matches.

    A recipient R receives rule X when any of these holds:

    1. X names recipients: R is among them (by id, by address, case-insensitively, or via a
       group of `groups`, whose members are recipient ids or addresses);
    2. R has explicit `rules:` or `tags:`: X's id is in R's rules, or X's tags intersect R's
       tags;
    3. R has neither `rules:` nor `tags:` (a catch-all reader): X is a digest-mode rule, or an
       immediate-mode rule whose `recipients` is empty. (Immediate rules addressed to someone
       else stay with them; digest-mode rules are low-noise and go to every catch-all reader.)

    Disabled rules and disabled recipients route nowhere. The result lists recipients in
    config order, each once.
    """
    active = [r for r in recipients if r.enabled]
    routes: dict[str, tuple[RecipientConfig, ...]] = {}
    for rule in rules:
        if not rule.enabled:
            continue
        named = _expand(rule.recipients, groups)
        routes[rule.id] = tuple(r for r in active if _receives(r, rule, named))
    return routes


def channels_for(rule: RuleConfig, recipient: RecipientConfig) -> tuple[Channel, ...]:
    """Always the digest; also an immediate alert for immediate rules the reader takes."""
    if rule.mode == "immediate" and recipient.immediate:
        return ("digest", "immediate")
    return ("digest",)


def endpoint_channels(rule: RuleConfig, recipient: RecipientConfig) -> list[tuple[str, Channel]]:
    """(endpoint key, channel) pairs a match of `rule` goes to: the channels of
    `channels_for` that each enabled endpoint of the reader takes (its `cadences`)."""
    wanted = channels_for(rule, recipient)
    return [
        (endpoint.key, channel)
        for endpoint in recipient.resolved_endpoints
        for channel in wanted
        if channel in endpoint.cadences
    ]


def _receives(recipient: RecipientConfig, rule: RuleConfig, named: frozenset[str]) -> bool:
    if named and _names(recipient) & named:
        return True
    if recipient.rules or recipient.tags:
        return rule.id in recipient.rules or bool(set(rule.tags) & set(recipient.tags))
    return rule.mode == "digest" or not rule.recipients


def _expand(names: Iterable[str], groups: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """Recipient ids and lower-cased addresses, with group names replaced by their members."""
    out: set[str] = set()
    pending = list(names)
    seen_groups: set[str] = set()
    while pending:
        name = pending.pop()
        if name in groups and name not in seen_groups:
            seen_groups.add(name)
            pending.extend(groups[name])
        else:
            out.add(name.lower())
    return frozenset(out)


def _names(recipient: RecipientConfig) -> frozenset[str]:
    names = set(recipient.addresses)
    if recipient.id:
        names.add(recipient.id.lower())
    return frozenset(names)
