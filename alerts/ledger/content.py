"""Content: turn a batch's attached deliveries into the typed `Digest` the renderer shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, and_, func, or_, select

from alerts.digest import (
    ChangeNotice,
    Digest,
    DigestItem,
    DigestKind,
    DigestSection,
    Health,
    Recipient,
    Snippet,
    SourceHealthLine,
    WithdrawalNotice,
)
from alerts.ledger.batches import Batch
from alerts.ledger.routing import route_rules
from alerts.rules.textdiff import word_diff
from crawler.config import Config
from crawler.config.models import RecipientConfig, RuleConfig
from crawler.store.edits import edit_notices
from crawler.store.rechecks import withdrawals_of
from crawler.store.schema import crawl_runs, deliveries, items, rule_matches, sources

CHUNK = 500
UNHEALTHY: tuple[Health, ...] = ("failing", "empty", "blocked", "degraded", "quiet")
_SortKey = tuple[float, int]


def build_digest(
    connection: Connection, config: Config, batch: Batch, recipient: RecipientConfig
) -> Digest:
    """The digest (or alert) of `batch`: its items grouped by rule, its edit and withdrawal
    notices, plus source health."""
    names = _source_names(connection, config)
    every = _batch_rows(connection, batch)
    by_kind: dict[str, list[Row[Any]]] = defaultdict(list)
    for row in every:
        by_kind[row.delivery_kind].append(row)
    grouped = _grouped_matches(connection, config, batch, recipient, by_kind["match"], names)
    rule_names = {rule.id: rule.name for rule in config.rules}
    edits, withdrawn = by_kind["edit"], by_kind["withdrawal"]
    kind: DigestKind = "digest" if batch.channel == "digest" else "alert"
    health: tuple[SourceHealthLine, ...] = ()
    checked = failing = 0
    if kind == "digest":
        health, failing = _health(connection, names, batch.created_at)
        checked = _sources_checked(connection, batch.period_start)
    return Digest(
        recipient=Recipient.from_config(recipient, config.timezone_of(recipient)),
        generated_at=batch.created_at,
        period_start=batch.period_start,
        sections=_sections(config, grouped),
        health=health,
        sources_checked=checked,
        sources_failing=failing,
        sources_configured=len(config.enabled_sources) if kind == "digest" else None,
        kind=kind,
        changes=_changes(connection, edits, names, rule_names),
        withdrawals=_withdrawals(connection, withdrawn, names, rule_names),
    )


def _batch_rows(connection: Connection, batch: Batch) -> list[Row[Any]]:
    """The batch's deliveries (rule, kind, notice id) joined with their items."""
    query = (
        select(
            deliveries.c.rule_id,
            deliveries.c.kind.label("delivery_kind"),
            deliveries.c.notice.label("notice_id"),
            items,
        )
        .join(items, items.c.id == deliveries.c.item_id)
        .where(deliveries.c.message == batch.id)
    )
    return list(connection.execute(query).all())


def _grouped_matches(
    connection: Connection,
    config: Config,
    batch: Batch,
    recipient: RecipientConfig,
    rows: Sequence[Row[Any]],
    names: dict[str, str],
) -> dict[str, list[tuple[_SortKey, DigestItem]]]:
    """The matched items of a batch by rule, each with its sort key (newest first)."""
    ids = [int(row.id) for row in rows]
    snippets = _snippets(connection, ids)
    others = _other_rules(config, recipient, snippets.keys())
    also = _also_published_by(connection, rows, names)
    alerted = _already_alerted(connection, batch, ids)
    grouped: dict[str, list[tuple[_SortKey, DigestItem]]] = defaultdict(list)
    for row in rows:
        item = _digest_item(
            row,
            names,
            snippets=snippets.get((int(row.id), row.rule_id), ()),
            also_published_by=also.get(int(row.id), ()),
            already_alerted=int(row.id) in alerted,
            also_matches=tuple(
                rule.name for rule in others.get(int(row.id), ()) if rule.id != row.rule_id
            ),
        )
        when = row.published_at or row.first_seen_at
        grouped[row.rule_id].append(((-when.timestamp(), int(row.id)), item))
    return grouped


def _digest_item(row: Row[Any], names: dict[str, str], **extra: Any) -> DigestItem:
    """The item of a ledger row joined with `items`."""
    return DigestItem(
        item_id=str(row.id),
        title=row.title or row.url,
        url=row.url,
        source_id=row.source_id,
        source_name=names.get(row.source_id, row.source_id),
        published_at=row.published_at,
        published_date=row.published_date,
        published_precision=row.published_precision,
        article_unavailable=_article_unavailable(row.extra),
        **extra,
    )


def _changes(
    connection: Connection,
    rows: Sequence[Row[Any]],
    names: dict[str, str],
    rule_names: dict[str, str],
) -> tuple[ChangeNotice, ...]:
    """The edit notices of a batch's "edit" rows, oldest change first."""
    events = edit_notices(connection, [int(row.notice_id) for row in rows])
    out = []
    for row in rows:
        event = events.get(int(row.notice_id))
        if event is None:
            continue  # the item (and its events) was deleted meanwhile
        diff = word_diff(event.before, event.after)
        out.append(
            ChangeNotice(
                item=_digest_item(row, names),
                rule_id=event.rule_id,
                rule_name=rule_names.get(event.rule_id, event.rule_id),
                kind=event.kind,
                before=event.before,
                after=event.after,
                diff_text=event.diff_text,
                diff_html=event.diff_html,
                changed_at=event.changed_at,
                first_seen_at=event.first_seen_at or row.first_seen_at,
                changes=tuple((c.before, c.removed, c.added, c.after) for c in diff.changes),
                dates=_dates(event.before, event.after) if event.kind == "date_changed" else None,
            )
        )
    out.sort(key=lambda notice: (notice.changed_at, notice.item.item_id))
    return tuple(out)


def _dates(before: str, after: str) -> tuple[datetime, datetime] | None:
    try:
        return datetime.fromisoformat(before), datetime.fromisoformat(after)
    except ValueError:
        return None


def _withdrawals(
    connection: Connection,
    rows: Sequence[Row[Any]],
    names: dict[str, str],
    rule_names: dict[str, str],
) -> tuple[WithdrawalNotice, ...]:
    """The withdrawal notices of a batch's "withdrawal" rows, with the last text held."""
    states = withdrawals_of(connection, [int(row.id) for row in rows])
    out = []
    for row in rows:
        state = states.get(int(row.id))
        out.append(
            WithdrawalNotice(
                item=_digest_item(row, names),
                rule_id=row.rule_id,
                rule_name=rule_names.get(row.rule_id, row.rule_id),
                reason=state.reason if state else "withdrawn",
                withdrawn_at=state.withdrawn_at if state else None,
                last_text=row.body or row.summary or "",
                first_seen_at=row.first_seen_at,
            )
        )
    return tuple(out)


def _article_unavailable(extra: Any) -> str:
    """The reason an item's article page is missing (it was stored from its listing)."""
    article = (extra or {}).get("article") if isinstance(extra, dict) else None
    if isinstance(article, dict) and article.get("state") == "unavailable":
        return str(article.get("reason") or "unavailable")
    return ""


def _sections(
    config: Config, grouped: dict[str, list[tuple[_SortKey, DigestItem]]]
) -> tuple[DigestSection, ...]:
    rules = {rule.id: rule for rule in config.rules}
    sections = []
    for rule_id, entries in grouped.items():
        rule = rules.get(rule_id)
        entries.sort(key=lambda entry: entry[0])
        sections.append(
            DigestSection(
                rule_id=rule_id,
                rule_name=rule.name if rule else rule_id,
                priority=rule.priority if rule else 0,
                items=tuple(item for _, item in entries),
            )
        )
    return tuple(sections)


def _other_rules(
    config: Config, recipient: RecipientConfig, matched: Iterable[tuple[int, str]]
) -> dict[int, list[RuleConfig]]:
    """Item id -> every rule routed to `recipient` that matched it (of the (item, rule)
    pairs `matched`), in priority order. Other readers' rules are not this reader's."""
    routes = route_rules(config.rules, config.settings.recipients, config.settings.groups)
    own = {
        rule.id: rule
        for rule in config.rules
        if any(r.key == recipient.key for r in routes.get(rule.id, ()))
    }
    out: dict[int, list[RuleConfig]] = defaultdict(list)
    for item_id, rule_id in matched:
        if rule_id in own:
            out[item_id].append(own[rule_id])
    for rules in out.values():
        rules.sort(key=lambda rule: (rule.priority, rule.name.casefold()))
    return out


def _source_names(connection: Connection, config: Config) -> dict[str, str]:
    names = {str(r.id): str(r.name) for r in connection.execute(select(sources)) if r.name}
    names.update({source.id: source.name for source in config.sources})
    return names


def _snippets(
    connection: Connection, item_ids: Sequence[int]
) -> dict[tuple[int, str], tuple[Snippet, ...]]:
    out: dict[tuple[int, str], tuple[Snippet, ...]] = {}
    for chunk in _chunks(item_ids):
        query = select(rule_matches).where(rule_matches.c.item_id.in_(chunk))
        for row in connection.execute(query):
            out[(int(row.item_id), row.rule_id)] = parse_snippets(row.snippets, row.spans)
    return out


def parse_snippets(raw: Any, spans: Any) -> tuple[Snippet, ...]:
    """Snippets from `rule_matches.snippets` (strings, or {"text", "highlights"} objects) and
    `spans` (per snippet, [start, end) pairs inside it); malformed highlights are dropped."""
    if not isinstance(raw, list):
        return ()
    aligned = isinstance(spans, list) and len(spans) == len(raw)
    out = []
    for index, entry in enumerate(raw):
        text, marks = entry, spans[index] if aligned else []
        if isinstance(entry, dict):
            text, marks = entry.get("text", ""), entry.get("highlights", [])
        if isinstance(text, str) and text:
            out.append(Snippet(text, _highlights(marks, len(text))))
    return tuple(out)


def _highlights(marks: Any, length: int) -> tuple[tuple[int, int], ...]:
    if not isinstance(marks, list):
        return ()
    pairs = []
    for mark in marks:
        if isinstance(mark, list | tuple) and len(mark) == 2:
            start, end = mark
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
                pairs.append((start, end))
    return tuple(pairs)


def _also_published_by(
    connection: Connection, rows: Sequence[Row[Any]], names: dict[str, str]
) -> dict[int, tuple[tuple[str, str], ...]]:
    """Per item: (source name, url) of other sources' items in its cluster or re-posting it."""
    by_cluster = {int(r.cluster_id): int(r.id) for r in rows if r.cluster_id is not None}
    own = {int(r.id): str(r.source_id) for r in rows}
    if not own:
        return {}
    related: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for chunk in _chunks(list(own)):
        clusters = [c for c, i in by_cluster.items() if i in chunk]
        query = select(
            items.c.id, items.c.source_id, items.c.url, items.c.cluster_id, items.c.duplicate_of
        ).where(or_(items.c.cluster_id.in_(clusters), items.c.duplicate_of.in_(chunk)))
        for r in connection.execute(query.order_by(items.c.id)):
            owner = by_cluster.get(r.cluster_id) if r.cluster_id is not None else None
            owner = owner if owner is not None else r.duplicate_of
            if owner is None or r.id == owner or r.source_id == own.get(owner):
                continue
            entry = (names.get(r.source_id, r.source_id), r.url)
            if all(name != entry[0] for name, _ in related[owner]):
                related[owner].append(entry)
    return {owner: tuple(entries) for owner, entries in related.items()}


def _already_alerted(connection: Connection, batch: Batch, item_ids: Sequence[int]) -> set[int]:
    if batch.channel != "digest":
        return set()
    found: set[int] = set()
    for chunk in _chunks(item_ids):
        query = select(deliveries.c.item_id).where(
            and_(
                deliveries.c.recipient == batch.recipient,
                deliveries.c.endpoint == batch.endpoint,
                deliveries.c.channel == "immediate",
                deliveries.c.status == "sent",
                deliveries.c.kind == "match",
                deliveries.c.item_id.in_(chunk),
            )
        )
        found.update(int(i) for i in connection.execute(query).scalars())
    return found


def _health(
    connection: Connection, names: dict[str, str], now: datetime
) -> tuple[tuple[SourceHealthLine, ...], int]:
    """Unhealthy sources (worst first) and how many are failing."""
    query = select(sources).where(sources.c.health.in_(UNHEALTHY)).order_by(sources.c.id)
    lines = [
        SourceHealthLine(
            source_id=row.id,
            source_name=names.get(row.id, row.id),
            health=cast(Health, row.health),
            since=row.health_since or row.last_run_at or now,
            detail=row.health_detail or "",
        )
        for row in connection.execute(query)
    ]
    lines.sort(key=lambda line: UNHEALTHY.index(line.health))
    return tuple(lines), sum(1 for line in lines if line.health == "failing")


def _sources_checked(connection: Connection, since: datetime) -> int:
    query = select(func.count(func.distinct(crawl_runs.c.source_id))).where(
        crawl_runs.c.started_at >= since
    )
    return int(connection.execute(query).scalar() or 0)


def _chunks(values: Sequence[int]) -> list[list[int]]:
    return [list(values[i : i + CHUNK]) for i in range(0, len(values), CHUNK)]
