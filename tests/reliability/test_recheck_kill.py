"""kill -9 during a recheck round's writes, then the round again: nothing lost (every
revision stored, every recheck recorded once), no edit event twice, `item_rechecks`
consistent (one observation per recorded recheck, the state its history gives)."""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.store.rechecks import HISTORY, _observation
from crawler.store.schema import item_rechecks, items
from crawler.store.store import Store
from tests.reliability.conftest import PgSchema
from tests.reliability.recheck_worker import RECHECK_POINTS
from tests.reliability.worker import run_crawl_worker
from tests.sites import FixtureSiteServer
from tests.withdrawals.site import (
    FILLER,
    SENT,
    ChangingSite,
    Statement,
    config_dir,
    crawl_at,
    edit_events,
    item_ids,
    send,
    with_store,
)

STABLE = "Both sides reaffirmed their commitment to strategic stability in the region."
NOW = SENT + timedelta(hours=7)
SLUGS = ["kept", "phrase", "removed", "gone", "other"]


def _prepare(server: FixtureSiteServer, tmp_path: Path, database_url: str | None) -> Path:
    site = ChangingSite(server.site)
    for day, slug in enumerate(SLUGS, start=1):
        site.publish(Statement(slug, f"Statement {slug}", day, f"{FILLER}\n\n{STABLE}"))
    settings = {"database": {"url": database_url}} if database_url else None
    directory = config_dir(server, tmp_path, settings)
    crawl_at(directory, None)
    _, store = with_store(directory)
    send(store, list(item_ids(store).values()))
    store.close()
    site.edit("phrase", f"{FILLER}\n\n{STABLE} New sanctions were not discussed.")
    site.edit("removed", f"{FILLER}\n\nNothing else was said.")
    site.answer("gone", 404)
    return directory


def _round(directory: Path, fault: str | None) -> int:
    return run_crawl_worker("tests.reliability.recheck_worker", directory, NOW.isoformat(), fault)


def _check(store: Store, ids: dict[str, int]) -> None:
    with store.connect() as connection:
        rows = [r._mapping for r in connection.execute(select(item_rechecks))]
        revisions = dict(connection.execute(select(items.c.id, items.c.revision)).all())
    assert len(rows) == len(SLUGS)
    for row in rows:
        history = [_observation(h) for h in row["history"]]
        assert row["checks"] == len(history) == 1, row  # recorded once, never twice
        seen_at = history[-1].at  # the injected clock runs on from NOW
        assert row["last_checked_at"] == seen_at and NOW <= seen_at < NOW + timedelta(minutes=5)
        assert row["next_check_at"] == seen_at + timedelta(hours=6)
        assert len(history) <= HISTORY
    by_item = {int(r["item_id"]): r["state"] for r in rows}
    assert by_item[ids["gone"]] == "suspect"
    assert {by_item[ids[s]] for s in SLUGS if s != "gone"} == {"live"}
    assert revisions[ids["phrase"]] == revisions[ids["removed"]] == 1  # nothing lost
    assert edit_events(store) == sorted(
        [
            (ids["phrase"], "sanctions", "new_match"),
            (ids["removed"], "stability", "passage_vanished"),
        ]
    )


@pytest.mark.timeout(300)
@pytest.mark.parametrize("fault", [f"{p}:1" for p in RECHECK_POINTS] + ["in_recheck_txn:3"])
def test_kill9_during_recheck_writes_then_rerun(
    fixture_site: FixtureSiteServer, tmp_path: Path, fault: str
) -> None:
    directory = _prepare(fixture_site, tmp_path, None)
    assert _round(directory, fault) == -signal.SIGKILL
    assert _round(directory, None) == 0
    _, store = with_store(directory)
    try:
        _check(store, item_ids(store))
    finally:
        store.close()


@pytest.mark.timeout(300)
def test_kill9_in_the_recheck_transaction_on_postgresql(
    fixture_site: FixtureSiteServer, tmp_path: Path, pg_schema: PgSchema
) -> None:
    directory = _prepare(fixture_site, tmp_path, pg_schema.url)
    assert _round(directory, "in_recheck_txn:2") == -signal.SIGKILL
    assert _round(directory, None) == 0
    _, store = with_store(directory)
    try:
        _check(store, item_ids(store))
    finally:
        store.close()
