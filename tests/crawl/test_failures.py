"""Bad input never crashes a crawl; each failure is recorded in its source's health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.crawl.health import assess
from crawler.crawl.records import record_run
from crawler.crawl.summary import RunSummary
from crawler.middlewares.safety import is_private_host
from crawler.store.schema import crawl_runs
from crawler.store.sources import source_state
from crawler.store.store import Store
from crawler.store.types import utcnow
from spiders.catalog import load_config
from tests.crawl.conftest import crawl, rows, source_row
from tests.sites import (
    HOSTILE,
    FixtureSiteServer,
    Site,
    add_hostile_endpoints,
    build_listing_site,
    listing_source,
    write_config,
)

URL = "http://127.0.0.1:9/feed.xml"  # never fetched
EXPECTED = {
    "not_found": ("listing", {"error"}),
    "server_error": ("listing", {"error"}),
    "slow": ("listing", {"error"}),
    "loop": ("listing", {"error"}),
    "huge": ("listing", {"error"}),
    "garbage": ("listing", {"empty"}),
    "truncated": ("listing", {"empty"}),
    "bomb": ("feed", {"ok", "empty"}),
    "redesigned": ("listing", {"empty"}),
    "forbidden": ("listing", {"blocked"}),
    "challenge": ("listing", {"blocked"}),
}


def _source(server: FixtureSiteServer, name: str, kind: str) -> dict[str, Any]:
    source = listing_source(
        server, f"bad-{name.replace('_', '-')}", urls=[server.url(HOSTILE[name])]
    )
    if kind == "feed":
        source = {k: v for k, v in source.items() if k not in ("selectors", "pagination")}
        source.update(kind="feed", follow=False)
    return source


def test_hostile_sites_are_recorded_and_do_not_affect_others(tmp_path: Path) -> None:
    site = build_listing_site(Site())
    add_hostile_endpoints(site, slow_seconds=4.0)
    with FixtureSiteServer(site) as server:
        sources = [_source(server, name, kind) for name, (kind, _) in EXPECTED.items()]
        private = listing_source(server, "private-refused", allow_private_addresses=False)
        sources += [listing_source(server, "good"), private]
        settings = {
            "crawl": {
                "parallel_sources": 4,
                "timeout": "2s",
                "retries": 1,
                "max_download_size": "1MB",
                "allow_private_addresses": False,
            }
        }
        config_dir = write_config(tmp_path, sources, settings=settings)
        config, runs = crawl(config_dir)
    assert runs["good"].health == "ok" and runs["good"].items_new == 10
    assert runs["private-refused"].health == "error"
    for name, (_, states) in EXPECTED.items():
        source_id = f"bad-{name.replace('_', '-')}"
        assert runs[source_id].health in states, (name, runs[source_id])
        assert source_row(config, source_id).health == runs[source_id].health
        assert runs[source_id].finish_reason == "finished", name
    assert len(rows(config, crawl_runs)) == len(sources)
    assert not [r for r in rows(config) if "lollol" in r.title]


def _run(**counts: Any) -> RunSummary:
    return RunSummary(source_id="s", started_at=utcnow(), **counts)


def test_health_rules() -> None:
    now = utcnow()
    assert assess(_run(index_error=1), 0, 3, None, None, now).state == "error"
    failing = assess(_run(index_error=1), 2, 3, None, None, now)
    assert failing.state == "failing" and failing.consecutive_failures == 3
    assert assess(_run(index_error=1, index_blocked=1), 5, 3, None, None, now).state == "blocked"
    assert assess(_run(index_ok=1, index_empty=1), 0, 3, None, None, now).state == "empty"
    unstored = assess(_run(index_ok=1, entries=3, store_errors=1), 0, 3, now, None, now)
    assert unstored.state == "error"  # items found but not kept: nothing may look fine
    ok = assess(_run(index_ok=1, entries=3), 4, 3, now, None, now)
    assert ok.state == "ok" and ok.consecutive_failures == 0
    from datetime import timedelta

    old = now - timedelta(days=3)
    assert assess(_run(index_not_modified=1), 0, 3, old, timedelta(days=1), now).state == "quiet"


def test_private_addresses() -> None:
    assert is_private_host("127.0.0.1")
    assert is_private_host("10.1.2.3")
    assert is_private_host("[::1]")
    assert not is_private_host("93.184.216.34")


def test_a_crawl_stopped_at_shutdown_is_interrupted_and_keeps_the_failure_streak(
    tmp_path: Path,
) -> None:
    """SIGTERM (daemon shutdown or restart) is not a failure of the source: recorded as
    `interrupted`, the streak of failed runs neither raised nor reset."""
    config = load_config(
        write_config(tmp_path, [{"id": "s", "name": "S", "kind": "feed", "urls": [URL]}])
    )
    store = Store.from_config(config)
    try:
        for _ in range(2):
            record_run(store, config, config.source("s"), _run(index_error=1))
        stopped = _run(index_ok=1, items_new=3, finish_reason="shutdown")
        assert record_run(store, config, config.source("s"), stopped).health == "interrupted"
        dead = RunSummary.dead("s", utcnow(), "shutdown", "stopped at shutdown (signal 9)")
        assert record_run(store, config, config.source("s"), dead).health == "interrupted"
        assert dead.errors == 0
        with store.connect() as connection:
            state = source_state(connection, "s")
        assert state is not None
        assert (state.health, state.consecutive_failures) == ("interrupted", 2)
        assert state.health_detail == "stopped at shutdown before finishing (0 new items stored)"
        record_run(store, config, config.source("s"), _run(index_error=1))
        with store.connect() as connection:
            state = source_state(connection, "s")
        assert state is not None and (state.health, state.consecutive_failures) == ("failing", 3)
    finally:
        store.close()
