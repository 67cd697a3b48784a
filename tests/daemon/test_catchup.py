"""plan_catch_up, and a started scheduler doing exactly one catch-up crawl and digest."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.crawl import RunSummary
from crawler.daemon import jobs
from crawler.daemon.catchup import CatchUp, plan_catch_up
from crawler.daemon.lock import Holder
from crawler.daemon.state import DaemonState
from crawler.store.store import Store
from scheduler import build_scheduler
from tests.daemon.helpers import feed_source, make_config

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
URL = "http://127.0.0.1:9/feed.xml"
DESK = {"id": "desk", "address": "desk@example.org", "timezone": "Europe/London"}


def _config(tmp_path: Path) -> Any:
    return make_config(
        tmp_path / "config",
        sources=[
            feed_source("hourly", URL, schedule={"every": "1h"}),
            feed_source("fresh", URL, schedule={"every": "1h"}),
            feed_source("cron", URL, schedule={"cron": "0 6 * * *"}),
            feed_source("off", URL, enabled=False),
        ],
        recipients=[DESK, {"id": "new", "address": "new@example.org"}],
        scheduler={"jitter": "0s"},
    )


def test_overdue_sources_and_missed_digests(tmp_path: Path) -> None:
    config = _config(tmp_path)
    plan = plan_catch_up(
        config,
        last_runs={
            "hourly": NOW - timedelta(hours=7),  # seven intervals missed: still one crawl
            "fresh": NOW - timedelta(minutes=5),
            "cron": NOW - timedelta(days=1),  # 06:00 today passed since
            "off": None,
        },
        last_digests={"desk": NOW - timedelta(days=3), "new": None},
        now=NOW,
    )
    assert plan == CatchUp(sources=["hourly", "cron"], recipients=["desk"])


def test_nothing_missed(tmp_path: Path) -> None:
    config = _config(tmp_path)
    plan = plan_catch_up(
        config,
        last_runs={
            "hourly": NOW - timedelta(minutes=59),
            "fresh": NOW - timedelta(minutes=1),
            "cron": NOW.replace(hour=6, minute=0, second=20),
        },
        # 08:00 London (08:00 UTC on 28 March) already sent today
        last_digests={"desk": NOW.replace(hour=8, minute=0, second=5)},
        now=NOW,
    )
    assert plan == CatchUp() and not plan


def test_never_run_source_is_overdue(tmp_path: Path) -> None:
    plan = plan_catch_up(_config(tmp_path), {}, {}, NOW)
    assert plan.sources == ["hourly", "fresh", "cron"]
    assert plan.recipients == []  # no digest yet: no gap to cover


def test_digest_missed_across_dst(tmp_path: Path) -> None:
    config = _config(tmp_path)
    # last digest 08:00 BST on Sunday 29 March = 07:00 UTC; now 07:30 UTC Monday: not yet due
    sunday = datetime(2026, 3, 29, 7, 0, 3, tzinfo=UTC)
    monday = datetime(2026, 3, 30, 6, 59, tzinfo=UTC)
    assert plan_catch_up(config, {}, {"desk": sunday}, monday).recipients == []
    assert plan_catch_up(
        config, {}, {"desk": sunday}, monday + timedelta(minutes=2)
    ).recipients == ["desk"]


def test_interval_override_changes_overdue(tmp_path: Path) -> None:
    config = _config(tmp_path)
    runs = {"hourly": NOW - timedelta(seconds=10), "fresh": NOW, "cron": NOW}
    plan = plan_catch_up(config, runs, {}, NOW, interval_override=timedelta(seconds=5))
    assert plan.sources == ["hourly"]


def _record(crawls: list[list[str]], ids: Any) -> list[RunSummary]:
    crawls.append(list(ids))
    return []


def test_started_scheduler_runs_one_crawl_and_one_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path)
    crawls: list[list[str]] = []
    digests: list[str | None] = []
    monkeypatch.setattr(
        jobs,
        "deliver_digests",
        lambda *_a, recipient=None, **_k: digests.append(recipient) or [],
    )
    monkeypatch.setattr(jobs, "deliver_immediate", lambda *_a, **_k: [])
    now = datetime.now(UTC)
    last_runs: dict[str, datetime | None] = {
        "hourly": now - timedelta(hours=5),
        "fresh": now - timedelta(minutes=1),
        "cron": now,
    }
    plan = plan_catch_up(config, last_runs, {"desk": now - timedelta(days=2)}, now)
    assert plan == CatchUp(["hourly"], ["desk"])
    store = Store.from_url(f"sqlite:///{tmp_path / 'db.sqlite'}", migrate_schema=False)
    state = DaemonState(config, store, Holder.me(), crawls=lambda _c, ids: _record(crawls, ids))
    schedule = build_scheduler(state, now=now, catch_up=plan, last_runs=last_runs)
    schedule.scheduler.start()
    try:
        time.sleep(1.5)
    finally:
        schedule.scheduler.shutdown(wait=True)
        store.close()
    assert crawls == [["hourly"]]
    assert digests == ["desk"]
