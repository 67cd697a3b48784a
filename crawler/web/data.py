"""What the console's pages and API show, read from config and store as plain data."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select

from alerts.rules import MatchDocument, RuleEngine, RuleHit, RuleSpec, parse_query
from crawler.config import Config
from crawler.store.schema import deliveries, item_revisions, items, rule_matches
from crawler.store.store import Store
from crawler.web.search import SearchFilters

SPARK_DAYS = 30
PLAYGROUND_ITEMS = 500  # the playground matches the newest items stored


def source_tags(config: Config) -> dict[str, frozenset[str]]:
    """Each configured source's tags (the `tag:` filter of a query)."""
    return {source.id: frozenset(source.tags) for source in config.sources}


def item_detail(connection: Connection, config: Config, item_id: int) -> dict[str, Any] | None:
    """An item with its rule hits (recomputed with today's rules), relatives and deliveries."""
    row = connection.execute(select(items).where(items.c.id == item_id)).first()
    if row is None:
        return None
    doc = MatchDocument(
        row.title,
        row.body,
        row.source_id,
        row.language,
        source_tags(config).get(row.source_id, frozenset()),
    )
    rules = config.enabled_rules
    hits = RuleEngine.from_rules(RuleSpec.from_config(r) for r in rules).match(doc) if rules else []
    return {
        "item": _item_json(row, body=True),
        "hits": hits,
        "stored_matches": _stored_matches(connection, item_id),
        "relatives": _relatives(connection, row),
        "revisions": [
            {"title": r.title, "changed_at": r.changed_at, "content_fp": r.content_fp}
            for r in connection.execute(
                select(item_revisions)
                .where(item_revisions.c.item_id == item_id)
                .order_by(item_revisions.c.changed_at.desc())
            )
        ],
        "deliveries": [
            {
                "recipient": d.recipient,
                "rule_id": d.rule_id,
                "channel": d.channel,
                "status": d.status,
                "attempts": d.attempts,
                "sent_at": d.sent_at,
                "last_error": d.last_error,
            }
            for d in connection.execute(
                select(deliveries)
                .where(deliveries.c.item_id == item_id)
                .order_by(deliveries.c.created_at)
            )
        ],
    }


def query_hit(doc: MatchDocument, query: str) -> RuleHit | None:
    """The hit of an ad-hoc query on a document (the `q` of a search result link)."""
    hits = RuleEngine.from_rules([RuleSpec(id="query", query=query)]).match(doc)
    return hits[0] if hits else None


def _stored_matches(connection: Connection, item_id: int) -> list[dict[str, Any]]:
    query = (
        select(rule_matches.c.rule_id, rule_matches.c.matched_at)
        .where(rule_matches.c.item_id == item_id)
        .order_by(rule_matches.c.rule_id)
    )
    return [{"rule_id": r.rule_id, "matched_at": r.matched_at} for r in connection.execute(query)]


def _relatives(connection: Connection, row: Any) -> list[dict[str, Any]]:
    """Near-duplicates: the same cluster, what this duplicates, and its duplicates."""
    conditions = [items.c.duplicate_of == row.id]
    if row.cluster_id is not None:
        conditions.append(items.c.cluster_id == row.cluster_id)
    if row.duplicate_of is not None:
        conditions.append(items.c.id == row.duplicate_of)
    query = (
        select(items.c.id, items.c.source_id, items.c.title, items.c.url, items.c.duplicate_of)
        .where(or_(*conditions), items.c.id != row.id)
        .order_by(items.c.id)
        .limit(50)
    )
    return [
        {
            "id": r.id,
            "source_id": r.source_id,
            "title": r.title,
            "url": r.url,
            "relation": _relation(row, r),
        }
        for r in connection.execute(query)
    ]


def _relation(item: Any, other: Any) -> str:
    """A same-source re-post (a duplicate) or the same statement elsewhere (a cluster)."""
    if other.duplicate_of == item.id or other.id == item.duplicate_of:
        return "duplicate"
    return "also published"


def _item_json(row: Any, *, body: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "source_id": row.source_id,
        "title": row.title,
        "url": row.url,
        "language": row.language,
        "published_at": row.published_at,
        "first_seen_at": row.first_seen_at,
        "revision": row.revision,
    }
    if body:
        data["summary"] = row.summary
        data["body"] = row.body
    return data


def recent_items(
    connection: Connection,
    limit: int,
    before: int | None = None,
    filters: SearchFilters | None = None,
) -> list[dict[str, Any]]:
    """The newest stored items (by id) passing `filters`, without bodies."""
    query = select(items).order_by(items.c.id.desc()).limit(limit)
    if filters is not None:
        query = query.where(*filters.conditions())
    if before is not None:
        query = query.where(items.c.id < before)
    return [_item_json(row) for row in connection.execute(query)]


def sources_overview(config: Config, store: Store, now: datetime) -> list[dict[str, Any]]:
    """Each source's health, last and next run, last error and items per day (30 days)."""
    from crawler.daemon.status import collect_status

    report = collect_status(config, store, now)
    start = (now - timedelta(days=SPARK_DAYS - 1)).date()
    per_day: dict[str, Counter[int]] = {}
    totals: dict[str, int] = {}
    with store.connect() as connection:
        seen = select(items.c.source_id, items.c.first_seen_at).where(
            items.c.first_seen_at >= datetime.combine(start, datetime.min.time(), now.tzinfo)
        )
        for source_id, when in connection.execute(seen):
            per_day.setdefault(source_id, Counter())[(when.date() - start).days] += 1
        count = select(items.c.source_id, func.count()).group_by(items.c.source_id)
        totals = {sid: int(n) for sid, n in connection.execute(count)}
    feeds = {s.id: list(s.urls) for s in config.sources if s.kind == "feed"}
    out = []
    for entry in report.sources:
        counts = per_day.get(entry.id, Counter())
        out.append(
            asdict(entry)
            | {
                "item_count": totals.get(entry.id, 0),
                "feeds": feeds.get(entry.id, []),
                "per_day": [counts[d] for d in range(SPARK_DAYS)],
            }
        )
    return out


def rules_overview(config: Config, connection: Connection) -> list[dict[str, Any]]:
    """Each configured rule and its number of stored matches, newest first."""
    counts = {
        rid: (int(n), last)
        for rid, n, last in connection.execute(
            select(
                rule_matches.c.rule_id, func.count(), func.max(rule_matches.c.matched_at)
            ).group_by(rule_matches.c.rule_id)
        )
    }
    return [
        {
            "id": r.id,
            "name": r.name,
            "query": r.query,
            "fields": r.fields,
            "mode": r.mode,
            "enabled": r.enabled,
            "matches": counts.get(r.id, (0, None))[0],
            "last_match_at": counts.get(r.id, (0, None))[1],
        }
        for r in config.rules
    ]


def rule_recent_matches(
    connection: Connection, rule_id: str, limit: int = 20
) -> list[dict[str, Any]]:
    """The items a rule matched most recently."""
    query = (
        select(items.c.id, items.c.source_id, items.c.title, rule_matches.c.matched_at)
        .join(rule_matches, rule_matches.c.item_id == items.c.id)
        .where(rule_matches.c.rule_id == rule_id)
        .order_by(rule_matches.c.matched_at.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in connection.execute(query)]


def playground(
    connection: Connection, config: Config, query: str, limit: int = PLAYGROUND_ITEMS
) -> list[tuple[dict[str, Any], RuleHit]]:
    """Which of the newest `limit` items the query matches (QuerySyntaxError if it cannot)."""
    parse_query(query)  # its error names the column, not a rule
    engine = RuleEngine.from_rules([RuleSpec(id="playground", query=query)])
    tags = source_tags(config)
    found = []
    for row in connection.execute(select(items).order_by(items.c.id.desc()).limit(limit)):
        doc = MatchDocument(
            row.title, row.body, row.source_id, row.language, tags.get(row.source_id, frozenset())
        )
        hits = engine.match(doc)
        if hits:
            found.append((_item_json(row), hits[0]))
    return found


def deliveries_overview(config: Config, store: Store) -> dict[str, Any]:
    """The ledger backlog per recipient (with last errors) and the recent failed deliveries."""
    from alerts.dispatch import ledger_summary

    summary = ledger_summary(store)
    with store.connect() as connection:
        failing = connection.execute(
            select(
                deliveries.c.recipient,
                deliveries.c.item_id,
                deliveries.c.rule_id,
                deliveries.c.channel,
                deliveries.c.status,
                deliveries.c.attempts,
                deliveries.c.last_error,
                deliveries.c.next_attempt_at,
            )
            .where(deliveries.c.last_error.is_not(None), deliveries.c.status != "sent")
            .order_by(deliveries.c.id.desc())
            .limit(50)
        )
        errors = [dict(r._mapping) for r in failing]
    return {
        "recipients": [
            asdict(summary.recipients[r.key])
            if r.key in summary.recipients
            else {"recipient": r.key}
            for r in config.settings.recipients
        ],
        "errors": errors,
    }


def test_source(config: Config, source_id: str, limit: int = 5) -> dict[str, Any]:
    """`presswatch sources test`: fetch the source live in a child process, store nothing."""
    import json
    import tempfile
    from pathlib import Path

    from crawler.crawl.runner import run_child

    with tempfile.TemporaryDirectory(prefix="presswatch-test-") as tmp:
        output, summary_file = Path(tmp) / "items.jsonl", Path(tmp) / "summary.json"
        args = ["--dry-run", str(output), "--limit", str(limit), "--summary", str(summary_file)]
        failure = run_child(config, source_id, args)
        lines = output.read_text(encoding="utf-8").splitlines() if output.exists() else []
        try:
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = {}
    found = [json.loads(line) for line in lines][:limit]
    messages = summary.get("messages", []) if isinstance(summary, dict) else []
    return {"found": found, "messages": messages[:10], "failure": failure}
