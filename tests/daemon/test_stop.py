"""SIGTERM with real processes: an idle daemon stops without false warnings; running crawls
get SIGTERM at once, stop gracefully and store what they fetched, within shutdown_grace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from crawler.store.schema import crawl_runs, items, sources
from crawler.store.store import Store
from tests.daemon.fixtures import FeedSite, left_after_exit, running, tree
from tests.daemon.helpers import feed_source, write_config

FALSE_ALARMS = ("ignored SIGTERM", "terminating", "killed", "still running", "did not return")


def _store(config: Path) -> Store:
    return Store.from_url(f"sqlite:///{config / 'data' / 'presswatch.db'}", migrate_schema=False)


def test_idle_daemon_stops_without_killing_multiprocessing_helpers(tmp_path: Path) -> None:
    config = tmp_path / "config"
    with FeedSite(["Statement"]) as site:
        source = feed_source("alpha", site.base + "/feed1.xml", schedule={"every": "1h"})
        write_config(config, sources=[source], scheduler={"jitter": "0s"})
        with running(config, tmp_path / "daemon.log") as daemon:
            daemon.wait_log("crawl alpha finished", timeout=90)
            helpers = tree(daemon.pid)  # the forkserver and resource tracker stay up, idle
            assert helpers
            assert daemon.stop() == 0
    log = daemon.log()
    assert "presswatch daemon stopped" in log
    assert not [alarm for alarm in FALSE_ALARMS if alarm in log], log
    assert left_after_exit(helpers, daemon.pid) == []


def _slow_site_config(config: Path, site: FeedSite) -> None:
    source: dict[str, Any] = feed_source("alpha", site.base + "/feed1.xml", follow=True)
    write_config(
        config,
        sources=[source],
        scheduler={"jitter": "0s", "shutdown_grace": "30s"},
        crawl={"download_delay": "0s", "autothrottle": False, "concurrency_per_domain": 1},
    )


def test_sigterm_stops_running_crawls_at_once_and_keeps_what_they_fetched(
    tmp_path: Path,
) -> None:
    """60 articles at 1 s each: the crawl would take a minute; SIGTERM ends it in seconds."""
    config = tmp_path / "config"
    with FeedSite([f"Statement {n}" for n in range(60)], article_delay=1.0) as site:
        _slow_site_config(config, site)
        with running(config, tmp_path / "daemon.log") as daemon:
            daemon.wait_for(lambda: site.article_hits >= 3, 90, "three article requests")
            children = tree(daemon.pid)
            assert daemon.stop(timeout=60) == 0
    log = daemon.log()
    assert "stopping 1 crawl(s)" in log
    assert not [alarm for alarm in FALSE_ALARMS if alarm in log], log
    store = _store(config)
    try:
        with store.connect() as connection:
            run = connection.execute(select(crawl_runs)).one()
            source = connection.execute(select(sources)).one()
            stored = connection.execute(select(func.count()).select_from(items)).scalar_one()
    finally:
        store.close()
    assert run.finish_reason == "shutdown"
    # stopped, not failed: no error that pages someone, no step in the failure streak
    assert (run.health, source.health, source.consecutive_failures) == ("interrupted",) * 2 + (0,)
    assert source.health_detail.startswith("stopped at shutdown before finishing")
    assert 3 <= stored < 60  # what was fetched before SIGTERM is stored; the rest was not
    assert left_after_exit(children, daemon.pid) == []
