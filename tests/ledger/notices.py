"""A world for edit and withdrawal notice tests: rules with `on_edit`, readers, and a
statement written through the store's real write path (RuleMatches + EditWatch)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from alerts.rules import ItemMatcher
from crawler.config import Config
from crawler.store.edits import EditWatch
from crawler.store.items import InsertOutcome, ItemRecord, prepare_records
from crawler.store.matches import RuleMatches
from crawler.store.rechecks import record_recheck, watch
from crawler.store.schema import deliveries, item_edits
from crawler.store.store import Store
from crawler.store.withdrawal import Item, Observation, RecheckPolicy
from crawler.store.writer import write_batch
from tests.ledger.seed import write_config

URL = "https://mfa.example/press/statement-1"
LISTING = "https://mfa.example/press/"
BODY = (
    "The Foreign Minister met his counterpart on Monday. "
    "Both sides reaffirmed their commitment to strategic stability in the region. "
    "They agreed to meet again in May."
)
PUBLISHED = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ALICE = "alice@example.org"
BOB = "bob@example.org"
CAROL = "carol@example.org"
DORA = "dora@example.org"

RULES: list[dict[str, Any]] = [
    {
        "id": "stability",
        "name": "Strategic stability",
        "query": '"strategic stability"',
        "mode": "immediate",
    },
    {"id": "sanctions", "name": "Sanctions", "query": "sanctions", "on_edit": "digest"},
]


def readers(*, carol: bool = False, dora: bool = False) -> list[dict[str, Any]]:
    """Alice follows both rules, Bob only stability; Carol (who joins later) stability;
    Dora only sanctions."""
    out: list[dict[str, Any]] = [
        {"id": "alice", "address": ALICE, "rules": ["stability", "sanctions"]},
        {"id": "bob", "address": BOB, "rules": ["stability"]},
    ]
    if carol:
        out.append({"id": "carol", "address": CAROL, "rules": ["stability"]})
    if dora:
        out.append({"id": "dora", "address": DORA, "rules": ["sanctions"]})
    return out


def config_for(
    root: Path, port: int, *, carol: bool = False, dora: bool = False, **extra: Any
) -> Config:
    recipients = readers(carol=carol, dora=dora)
    return write_config(root, port=port, recipients=recipients, rules=RULES, **extra)


def write(store: Store, config: Config, body: str, title: str = "Talks") -> InsertOutcome:
    """Store the statement (fresh, or a revision) as a crawl's store pipeline does."""
    matcher = ItemMatcher.from_config(config.enabled_rules, {})
    assert matcher is not None
    hooks = [RuleMatches(matcher), EditWatch.from_rules(matcher, config.enabled_rules)]
    page = ItemRecord("mfa", URL, title, body, published_at=PUBLISHED)
    return write_batch(store, prepare_records([page]), hooks)


def withdraw(store: Store, item_id: int, at: datetime) -> None:
    """The recheck round's verdict: the page now redirects to the section index."""
    policy = RecheckPolicy()
    with store.begin() as connection:
        watch(connection, item_id, "mfa", at - timedelta(hours=6), policy)
        verdict = record_recheck(
            connection,
            Item(URL, PUBLISHED, [LISTING]),
            item_id,
            Observation(at, 200, LISTING),
            None,
            outage=False,
            policy=policy,
        )
    assert verdict.state == "withdrawn", verdict


def untaken_edits(store: Store) -> int:
    with store.connect() as connection:
        query = select(func.count()).where(item_edits.c.notified_at.is_(None))
        return int(connection.execute(query).scalar_one())


def notice_rows(store: Store) -> list[tuple[str, str, str, str]]:
    """(recipient, kind, channel, status) of every edit/withdrawal delivery, sorted."""
    with store.connect() as connection:
        d = deliveries.c
        query = select(d.recipient, d.kind, d.channel, d.status).where(d.kind != "match")
        return sorted(tuple(row) for row in connection.execute(query))  # type: ignore[misc]
