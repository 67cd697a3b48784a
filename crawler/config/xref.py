"""Cross-file checks: rules, recipients and groups refer to real things (see also queries.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from crawler.config.models import RuleConfig, SettingsConfig, SourceConfig
from crawler.errors import ConfigIssue

SETTINGS = "presswatch.yaml"


def check_references(
    settings: SettingsConfig,
    sources: list[SourceConfig],
    rules: list[RuleConfig],
    source_files: Mapping[str, str],
    rule_files: Mapping[str, str],
) -> list[ConfigIssue]:
    """Every problem that needs more than one file to see."""
    source_ids = {s.id for s in sources}
    rule_ids = {r.id for r in rules}
    issues = list(_check_rule_targets(settings, rules, source_ids, rule_files))
    issues.extend(_check_recipients(settings, rule_ids))
    issues.extend(_check_groups(settings))
    return issues


def _check_rule_targets(
    settings: SettingsConfig,
    rules: list[RuleConfig],
    source_ids: set[str],
    files: Mapping[str, str],
) -> Iterable[ConfigIssue]:
    addresses = {a for r in settings.recipients for a in r.addresses}
    recipient_ids = {r.id for r in settings.recipients if r.id}
    for rule in rules:
        name = files.get(rule.id, "rules")
        for source_id in rule.sources:
            if source_id not in source_ids:
                yield ConfigIssue(name, f"rule {rule.id}: sources", f'unknown source "{source_id}"')
        for target in rule.recipients:
            known = target in settings.groups or target in recipient_ids
            if not known and target.lower() not in addresses:
                message = f'unknown recipient or group "{target}"'
                yield ConfigIssue(name, f"rule {rule.id}: recipients", message)


def _check_recipients(settings: SettingsConfig, rule_ids: set[str]) -> Iterable[ConfigIssue]:
    seen: set[str] = set()
    for recipient in settings.recipients:
        name = f"recipient {recipient.key}"
        if recipient.key in seen:
            yield ConfigIssue(SETTINGS, name, f'duplicate recipient "{recipient.key}"')
        seen.add(recipient.key)
        for rule_id in recipient.rules:
            if rule_id not in rule_ids:
                yield ConfigIssue(SETTINGS, f"{name}: rules", f'unknown rule "{rule_id}"')


def _check_groups(settings: SettingsConfig) -> Iterable[ConfigIssue]:
    known = {r.key for r in settings.recipients} | {
        a for r in settings.recipients for a in r.addresses
    }
    for group, members in settings.groups.items():
        for member in members:
            if member.lower() not in known and member not in known:
                message = f'unknown recipient "{member}" (list recipients by id or address)'
                yield ConfigIssue(SETTINGS, f"groups.{group}", message)
