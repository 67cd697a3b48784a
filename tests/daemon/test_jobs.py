"""Daemon jobs: sources due together are all crawled; a job that raises is a failed run."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crawler.crawl import RunSummary
from crawler.daemon import jobs
from crawler.daemon.lock import Holder
from crawler.daemon.state import DaemonState
from crawler.daemon.status import collect_status
from crawler.store.schema import crawl_runs, sources
from crawler.store.store import Store
from crawler.store.types import utcnow
from tests.daemon.fixtures import FeedSite, running
from tests.daemon.helpers import feed_source, make_config, write_config

NAMES = ["alpha", "beta", "gamma", "delta"]


def _runs_per_source(database: Path) -> dict[str, int]:
    store = Store.from_url(f"sqlite:///{database}", migrate_schema=False)
    try:
        with store.connect() as connection:
            rows = connection.execute(
                select(crawl_runs.c.source_id, func.count()).group_by(crawl_runs.c.source_id)
            ).all()
    finally:
        store.close()
    return {str(source_id): int(count) for source_id, count in rows}


def test_sources_due_at_the_same_instant_are_all_crawled(tmp_path: Path) -> None:
    """Four jobs start together (zero jitter): none may die in a shared start-up step."""
    config = tmp_path / "config"
    with FeedSite(["Statement on missile tests"]) as site:
        write_config(
            config,
            sources=[feed_source(n, f"{site.base}/feed{i}.xml") for i, n in enumerate(NAMES)],
            scheduler={"jitter": "0s", "shutdown_grace": "2s", "max_concurrent_crawls": 4},
        )
        with running(config, tmp_path / "daemon.log") as daemon:
            for name in NAMES:
                daemon.wait_log(f"crawl {name} finished", timeout=90)
            assert daemon.stop() == 0
    log = daemon.log()
    assert "failed" not in log and "Traceback" not in log, log
    assert _runs_per_source(config / "data" / "presswatch.db") == dict.fromkeys(NAMES, 1)


class Broken(RuntimeError):
    pass


def _raise(_config: Any, _ids: Any) -> list[RunSummary]:
    raise Broken("the crawl machinery broke")


@pytest.fixture
def daemon_state(tmp_path: Path) -> Any:
    config = make_config(
        tmp_path / "config", sources=[feed_source("alpha", "http://127.0.0.1:9/feed.xml")]
    )
    store = Store.from_config(config)
    yield DaemonState(config, store, Holder.me(), crawls=_raise)
    store.close()


def test_a_crawl_job_that_raises_is_a_failed_run_with_its_reason(
    daemon_state: DaemonState, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="presswatch.daemon"):
        jobs.crawl_job(daemon_state, "alpha")
    with daemon_state.store.connect() as connection:
        source = connection.execute(select(sources).where(sources.c.id == "alpha")).one()
        run = connection.execute(select(crawl_runs)).one()
    assert source.health == "error"
    assert "the crawl machinery broke" in source.health_detail
    assert run.source_id == "alpha" and run.errors == 1
    [shown] = collect_status(daemon_state.config, daemon_state.store, utcnow()).sources
    assert shown.health == "error"
    assert "Broken: the crawl machinery broke" in (shown.health_detail or "")
    assert shown.last_run_at is not None  # not "now (due)" as if it had never run
    failures = [r for r in caplog.records if "alpha" in r.getMessage() and r.levelno >= 30]
    assert len(failures) == 1, [r.getMessage() for r in caplog.records]
    assert "Broken: the crawl machinery broke" in failures[0].getMessage()
    assert failures[0].exc_info is None  # no traceback without --debug


def test_a_failed_job_has_its_traceback_with_debug_logging(
    daemon_state: DaemonState, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="presswatch.daemon"):
        jobs.crawl_job(daemon_state, "alpha")
    failures = [r for r in caplog.records if r.levelno >= 30]
    assert len(failures) == 1 and failures[0].exc_info is not None


@pytest.mark.parametrize(
    ("new", "updated", "withdrawn", "sends"),
    [
        (0, 0, 0, False),  # nothing stored, nothing withdrawn: nothing new to send
        (1, 0, 0, True),
        (0, 1, 0, True),  # a revision: an edit notice may be waiting
        (0, 0, 1, True),  # a withdrawal notice is waiting (it waited for the digest)
    ],
)
def test_a_crawl_job_sends_alerts_when_its_run_may_have_queued_one(
    new: int, updated: int, withdrawn: int, sends: bool
) -> None:
    run = RunSummary(
        "alpha", utcnow(), items_new=new, items_updated=updated, rechecks_withdrawn=withdrawn
    )
    assert jobs._may_notify(run) is sends
