"""Seed a store and write a config directory for ledger tests."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from crawler.config import Config, load_config
from crawler.store.schema import crawl_runs, deliveries, items, messages, rule_matches, sources
from crawler.store.store import Store

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
ALICE = "alice@example.org"
BOB = "bob@example.org"

RULES: list[dict[str, Any]] = [
    {"id": "arms", "name": "Arms control", "query": "arms", "priority": 10},
    {"id": "nuclear", "name": "Nuclear", "query": "nuclear", "mode": "immediate"},
]


def write_config(
    root: Path,
    *,
    port: int | None = None,
    recipients: list[dict[str, Any]] | None = None,
    rules: list[dict[str, Any]] | None = None,
    database_url: str | None = None,
    delivery: dict[str, Any] | None = None,
    groups: dict[str, list[str]] | None = None,
    mail: dict[str, Any] | None = None,
) -> Config:
    """A config dir under `root`: SMTP to 127.0.0.1:`port` (outbox when None)."""
    directory = root / "config"
    (directory / "rules").mkdir(parents=True, exist_ok=True)
    settings: dict[str, Any] = {
        "data_dir": str(root / "data"),
        "recipients": recipients
        if recipients is not None
        else [{"id": "alice", "address": ALICE, "name": "Alice"}, {"address": BOB}],
    }
    if port is not None:
        settings["mail"] = {
            "transport": "smtp",
            "from": "presswatch <pw@example.org>",
            "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": "5s"},
        }
    if mail:
        settings["mail"] = {**settings.get("mail", {}), **mail}
    if database_url:
        settings["database"] = {"url": database_url}
    if delivery:
        settings["delivery"] = delivery
    if groups:
        settings["groups"] = groups
    (directory / "presswatch.yaml").write_text(json.dumps(settings), encoding="utf-8")
    body = json.dumps({"rules": RULES if rules is None else rules})
    (directory / "rules" / "rules.yaml").write_text(body, encoding="utf-8")
    return load_config(directory, environ={})


def add_item(
    connection: Connection,
    title: str,
    *,
    source_id: str = "mofa",
    seen: datetime = NOW - timedelta(hours=2),
    duplicate_of: int | None = None,
    cluster_id: int | None = None,
) -> int:
    """Insert an item; return its id."""
    url = f"https://{source_id}.example/{uuid.uuid4().hex[:12]}"
    values = {
        "source_id": source_id,
        "url": url,
        "canonical_url": url,
        "url_fp": hashlib.sha1(url.encode()).hexdigest(),
        "content_fp": hashlib.sha1(title.encode()).hexdigest(),
        "title": title,
        "summary": "",
        "body": title,
        "published_at": seen,
        "first_seen_at": seen,
        "updated_at": seen,
        "revision": 0,
        "duplicate_of": duplicate_of,
        "cluster_id": cluster_id,
        "extra": {},
    }
    inserted = connection.execute(insert(items).values(values)).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def add_match(
    connection: Connection, item_id: int, rule_id: str, at: datetime = NOW - timedelta(hours=1)
) -> None:
    """Insert a rule match with one highlighted snippet."""
    values = {
        "item_id": item_id,
        "rule_id": rule_id,
        "matched_at": at,
        "snippets": ["the arms control talks"],
        "spans": [[[4, 8]]],
    }
    connection.execute(insert(rule_matches).values(values))


def add_source(
    connection: Connection, source_id: str, name: str, health: str = "ok", since: datetime = NOW
) -> None:
    """Insert a source row with a health state."""
    values = {
        "id": source_id,
        "kind": "feed",
        "name": name,
        "health": health,
        "health_since": since,
        "created_at": since,
    }
    connection.execute(insert(sources).values(values))


def add_run(connection: Connection, source_id: str, at: datetime) -> None:
    """Insert a crawl run of `source_id` started at `at`."""
    connection.execute(insert(crawl_runs).values(source_id=source_id, started_at=at))


def seed_matches(store: Store, count: int = 2, rule_id: str = "arms") -> list[int]:
    """`count` matched items; return their ids."""
    with store.begin() as connection:
        ids = [add_item(connection, f"{rule_id} statement {n}") for n in range(count)]
        for item_id in ids:
            add_match(connection, item_id, rule_id)
    return ids


def counts(store: Store) -> dict[str, int]:
    """Row counts of the ledger tables and enqueued matches."""
    with store.connect() as connection:
        return {
            "deliveries": connection.execute(
                select(func.count()).select_from(deliveries)
            ).scalar_one(),
            "messages": connection.execute(select(func.count()).select_from(messages)).scalar_one(),
            "enqueued": connection.execute(
                select(func.count()).where(rule_matches.c.enqueued_at.is_not(None))
            ).scalar_one(),
        }


def statuses(store: Store, table: str = "deliveries") -> list[str]:
    """Every status in `table`, sorted."""
    target = deliveries if table == "deliveries" else messages
    with store.connect() as connection:
        return sorted(connection.execute(select(target.c.status)).scalars())


def parse(data: bytes) -> EmailMessage:
    """A received message, parsed."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    """The plain-text body."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())
