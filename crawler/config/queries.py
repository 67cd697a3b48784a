"""Rule queries parse: each error names the file, and the line and column of the mistake."""

from __future__ import annotations

from collections.abc import Iterable

from crawler.config.models import RuleConfig
from crawler.config.positions import locate
from crawler.config.yamlfile import LoadedYaml
from crawler.errors import ConfigIssue, QuerySyntaxError


def check_queries(rules: list[RuleConfig], loaded: LoadedYaml) -> Iterable[ConfigIssue]:
    """One issue per rule whose query does not parse, placed where the mistake is in the file."""
    from alerts.rules import parse_query

    for index, rule in enumerate(rules):
        try:
            parse_query(rule.query)
        except QuerySyntaxError as exc:
            yield _issue(loaded, index, rule, exc)


def _issue(loaded: LoadedYaml, index: int, rule: RuleConfig, exc: QuerySyntaxError) -> ConfigIssue:
    path = ("rules", index, "query")
    line = loaded.line_of(path)
    message = f"{exc.reason} (column {exc.column} of the query)" if exc.column else exc.reason
    if exc.column is not None:
        position = locate(loaded, path, exc.column - 1)
        if position is not None:
            line = position[0]
            message = f"{exc.reason} at column {position[1]}"
    return ConfigIssue(loaded.name, f"rule {rule.id}: query", message, line)
