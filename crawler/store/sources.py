"""Owner of `sources` (each source's health and progress) and `crawl_runs` (its runs).

A source's row is created on its first run; the crawl writes both tables
(crawler.crawl.records decides the values), `status`, the daemon's catch-up and
`sources list` read them through `source_states`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from crawler.store.schema import crawl_runs, sources


@dataclass(frozen=True)
class SourceState:
    """What the store remembers of a source between runs."""

    id: str
    kind: str
    name: str
    health: str
    health_since: datetime | None
    health_detail: str | None
    consecutive_failures: int
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_new_item_at: datetime | None
    backfilled: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> SourceState:
        return cls(**row._asdict())


def source_states(connection: Connection) -> dict[str, SourceState]:
    """Every source the store knows, by id."""
    return {row.id: SourceState.from_row(row) for row in connection.execute(select(sources))}


def source_state(connection: Connection, source_id: str) -> SourceState | None:
    row = connection.execute(select(sources).where(sources.c.id == source_id)).first()
    return None if row is None else SourceState.from_row(row)


def ensure_source(
    connection: Connection, source_id: str, kind: str, name: str, now: datetime
) -> SourceState:
    """The source's state, its row created (health "new") when this is its first run."""
    state = source_state(connection, source_id)
    if state is not None:
        return state
    connection.execute(
        insert(sources).values(
            id=source_id,
            kind=kind,
            name=name,
            health="new",
            consecutive_failures=0,
            backfilled=False,
            created_at=now,
        )
    )
    created = source_state(connection, source_id)
    assert created is not None
    return created


def update_source(connection: Connection, source_id: str, values: dict[str, Any]) -> None:
    """Set columns of the source's row (names as in `SourceState`)."""
    connection.execute(update(sources).where(sources.c.id == source_id).values(**values))


def insert_run(connection: Connection, values: dict[str, Any]) -> int:
    """Record one crawl run (columns of `crawl_runs`); returns its id."""
    result = connection.execute(insert(crawl_runs).values(**values).returning(crawl_runs.c.id))
    return int(result.scalar_one())
