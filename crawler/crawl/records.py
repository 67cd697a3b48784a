"""Write a run's `crawl_runs` row and update its `sources` row (created on first sight)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from crawler.config import Config
from crawler.config.models import SourceConfig
from crawler.crawl.health import assess
from crawler.crawl.summary import RunSummary
from crawler.store.queries import last_first_seen
from crawler.store.sources import ensure_source, insert_run, source_state, update_source
from crawler.store.store import Store
from crawler.store.types import utcnow

log = logging.getLogger(__name__)


def is_first_run(store: Store, source_id: str) -> bool:
    """True until a run of this source has reached its index (see `sources.backfilled`)."""
    with store.connect() as connection:
        state = source_state(connection, source_id)
    return state is None or not state.backfilled


def record_run(store: Store, config: Config, source: SourceConfig, run: RunSummary) -> RunSummary:
    """Persist the run and the source's new health; returns the run with `health` set."""
    now = utcnow()
    with store.begin() as connection:
        row = ensure_source(connection, source.id, source.kind, source.name, now)
        last_new = row.last_new_item_at
        if run.items_new:
            last_new = last_first_seen(connection, source.id, run.started_at) or last_new
        expect = source.expect_new_within or config.settings.health.default_expect_new_within
        state = assess(
            run,
            row.consecutive_failures,
            config.settings.health.failing_after,
            last_new,
            expect,
            now,
            config.settings.health.degraded_above,
        )
        run.health = state.state
        values: dict[str, Any] = {
            "kind": source.kind,
            "name": source.name,
            "health": state.state,
            "health_detail": state.detail or None,
            "consecutive_failures": state.consecutive_failures,
            "last_run_at": now,
            "last_new_item_at": last_new,
        }
        if state.state != row.health or row.health_since is None:
            values["health_since"] = now
        if run.index_ok or run.index_not_modified:
            values["last_success_at"] = now
            values["backfilled"] = True
        update_source(connection, source.id, values)
        run.run_id = _insert_run(connection, run)
    return run


def _insert_run(connection: Connection, run: RunSummary) -> int:
    detail = {
        "robots_requests": run.robots_requests,
        "index": {
            "ok": run.index_ok,
            "not_modified": run.index_not_modified,
            "empty": run.index_empty,
            "blocked": run.index_blocked,
            "error": run.index_error,
            "failures": run.index_failures,
        },
        "entries": run.entries,
        "store_errors": run.store_errors,
        "articles": {
            "ok": run.articles_ok,
            "failed": run.articles_failed,
            "reasons": run.article_failures,
        },
        "dropped": run.dropped,
        "extraction_errors": run.extraction_errors,
        "rechecks": {
            "done": run.rechecks,
            "withdrawn": run.rechecks_withdrawn,
            "outage": run.recheck_outage,
        },
        "messages": run.messages,
    }
    return insert_run(
        connection,
        {
            "source_id": run.source_id,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "finish_reason": run.finish_reason[:64],
            "requests": run.requests,
            "responses": run.responses,
            "items_seen": run.items_seen,
            "items_new": run.items_new,
            "items_updated": run.items_updated,
            "items_duplicate": run.items_duplicate,
            "errors": run.errors,
            "duration": run.duration,
            "health": run.health,
            "detail": detail,
        },
    )


def record_failure(
    store: Store, config: Config, source_id: str, started: datetime, exc: Exception
) -> None:
    """A run of `source_id` that raised outside its crawl child: recorded as a failed run
    (health `error`, the exception as the reason), so `status` and the digest show it."""
    run = RunSummary.dead(source_id, started, "error", f"{type(exc).__name__}: {exc}")
    try:
        record_run(store, config, config.source(source_id), run)
    except Exception as error:  # the store itself is failing: the caller's log line remains
        log.warning("could not record the failed run of %s: %s", source_id, error)
