"""The crawl task: a source's task that is late (it ran since) or whose crawl is running
elsewhere is dropped as coalesced, logged and counted; a disabled source is skipped."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crawler.cluster.app import CrawlApp
from crawler.cluster.source_lock import source_lock
from crawler.config import load_config
from crawler.store.store import Store
from crawler.store.types import utcnow
from tests.cluster.world import FeedsSite, cluster_config, query


def test_late_running_and_disabled_tasks_are_coalesced_or_skipped(
    tmp_path: Path,
    redis_db: int,
    pg_schema: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    schema, url = pg_schema
    site = FeedsSite(3)
    try:
        directory = cluster_config(tmp_path / "config", site, 2, url, redis_db)
        config = load_config(directory)
        app = CrawlApp.from_config(config)
        enqueued = utcnow()
        caplog.set_level(logging.INFO, "presswatch.worker")

        assert app.crawl(str(directory), "m000", enqueued) == "crawled"
        # a second task enqueued before that crawl: it ran since, so it is late
        assert app.crawl(str(directory), "m000", enqueued) == "coalesced"
        assert "crawl m000 coalesced: it ran after the task was enqueued" in caplog.text

        store = Store.from_url(url)
        try:
            with source_lock(store, config.database_url, "m001") as held:
                assert held  # another worker crawls m001 now
                assert app.crawl(str(directory), "m001", utcnow()) == "coalesced"
        finally:
            store.close()
        assert "crawl m001 coalesced: a crawl of it is running (2 coalesced so far)" in caplog.text

        assert app.crawl(str(directory), "gone", utcnow()) == "disabled"
        assert app.counts == {"crawled": 1, "coalesced": 2, "disabled": 1}
        runs = query(schema, "SELECT source_id FROM crawl_runs")
        assert runs == [("m000",)]
        # a task enqueued after the last run crawls again
        assert app.crawl(str(directory), "m000", utcnow()) == "crawled"
        app.configs.close()
    finally:
        site.close()


def test_the_worker_reloads_a_changed_config(
    tmp_path: Path, redis_db: int, pg_schema: tuple[str, str]
) -> None:
    _, url = pg_schema
    site = FeedsSite(1)
    try:
        directory = cluster_config(tmp_path / "config", site, 2, url, redis_db)
        app = CrawlApp.from_config(load_config(directory))
        config, _ = app.configs.get(str(directory))
        assert [s.id for s in config.enabled_sources] == ["m000", "m001"]
        assert app.configs.get(str(directory))[0] is config  # unchanged: loaded once
        cluster_config(tmp_path / "config", site, 3, url, redis_db)
        reloaded, _ = app.configs.get(str(directory))
        assert [s.id for s in reloaded.enabled_sources] == ["m000", "m001", "m002"]
        (directory / "presswatch.yaml").write_text("crawl: {executor: nope}\n")
        kept, _ = app.configs.get(str(directory))  # broken on disk: the previous one stays
        assert kept is reloaded
        app.configs.close()
    finally:
        site.close()


def test_a_task_naming_a_directory_this_machine_lacks_uses_the_workers_own(
    tmp_path: Path, redis_db: int, pg_schema: tuple[str, str]
) -> None:
    _, url = pg_schema
    site = FeedsSite(1)
    try:
        directory = cluster_config(tmp_path / "config", site, 1, url, redis_db)
        app = CrawlApp.from_config(load_config(directory))
        app.local_dir = str(directory)
        assert app.crawl("/etc/no-such-presswatch", "m000", utcnow()) == "crawled"
        app.configs.close()
    finally:
        site.close()


def test_a_task_that_fails_outside_its_crawl_child_is_recorded_as_a_failed_run(
    tmp_path: Path,
    redis_db: int,
    pg_schema: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema, url = pg_schema
    site = FeedsSite(1)
    try:
        directory = cluster_config(tmp_path / "config", site, 1, url, redis_db)
        app = CrawlApp.from_config(load_config(directory))

        def broken(*_args: object) -> object:
            raise RuntimeError("no forkserver")

        monkeypatch.setattr("crawler.cluster.app.run_crawls", broken)
        with pytest.raises(RuntimeError):
            app.crawl(str(directory), "m000", utcnow())
        runs = query(schema, "SELECT source_id, health, finish_reason FROM crawl_runs")
        assert runs == [("m000", "error", "error")]
        app.configs.close()
    finally:
        site.close()
