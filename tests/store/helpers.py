"""Shared helpers for the store tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crawler.store.items import ItemRecord
from crawler.store.store import Store


def record(
    url: str,
    *,
    source: str = "ministry",
    title: str = "Statement",
    body: str = "The ministry said.",
    published_at: datetime | None = None,
) -> ItemRecord:
    """A record with sensible defaults."""
    return ItemRecord(source_id=source, url=url, title=title, body=body, published_at=published_at)


WHEN = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)


def query_plan(store: Store, sql: str, params: tuple[Any, ...] = ()) -> str:
    """The database's plan for `sql`, as one line (sequential scans discouraged on
    PostgreSQL, whose planner would pick them for the empty tables of a test)."""
    with store.begin() as connection:
        if store.dialect == "sqlite":
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            return " ".join(str(row[-1]) for row in plan)
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        return " ".join(str(row[0]) for row in connection.exec_driver_sql(f"EXPLAIN {sql}", params))
