"""A feed with one bad link, date and byte is stored whole; the problems reach the run record."""

from __future__ import annotations

from pathlib import Path

from crawler.store.schema import crawl_runs
from tests.crawl.conftest import crawl, rows
from tests.crawl.test_cli import _cli
from tests.sites import FixtureSiteServer, Site, feed_source, write_config

FEED_PATH = "/en/problems.xml"


def _feed(server: FixtureSiteServer) -> bytes:
    items = "".join(
        f"<item><title>Statement {n}</title><link>{server.url(f'/en/press/{n}')}</link>"
        f"<description>Text of statement {n}</description>"
        f"<pubDate>Mon, 0{n} Mar 2020 10:00:00 +0100</pubDate></item>"
        for n in (1, 2)
    )
    broken = (
        "<item><title>Élections \xff r\xe9sultats</title><link>http://bad]host/x</link></item>"
        f"<item><title>Undated</title><link>{server.url('/en/press/3')}</link>"
        "<pubDate>Sun, 16 zzz 2012 11:47:32 GMT</pubDate></item>"
    )
    body = f"<rss version='2.0'><channel><title>Press</title>{items}{broken}</channel></rss>"
    return body.encode("utf-8").replace("\xff".encode(), b"\xff").replace("\xe9".encode(), b"\xe9")


def test_feed_problems_are_counted_and_the_rest_is_stored(tmp_path: Path) -> None:
    site = Site()
    with FixtureSiteServer(site) as server:
        site.add(FEED_PATH, _feed(server), content_type="application/rss+xml")
        source = feed_source(server, "problem-feed", urls=[server.url(FEED_PATH)], follow=False)
        config, runs = crawl(write_config(tmp_path, [source]))
    run = runs["problem-feed"]
    assert run.health == "ok", run
    stored = {row.title: row for row in rows(config, source_id="problem-feed")}
    # The entry whose link is unusable is kept from the feed (issue 14: the listing is truth),
    # its one invalid byte read as windows-1252 and the rest of the title as UTF-8.
    assert set(stored) == {"Statement 1", "Statement 2", "Undated", "Élections ÿ résultats"}
    assert stored["Statement 1"].published_at is not None
    assert stored["Undated"].published_at is None  # no guessed date
    (note,) = [m for m in run.messages if "feed parsed despite" in m]
    assert "entry/bad-date x1" in note and "entry/no-link x1" in note
    assert "encoding/bad-byte x2" in note
    (record,) = rows(config, crawl_runs, source_id="problem-feed")
    assert any("feed parsed despite" in m for m in record.detail["messages"])


def test_sources_test_shows_what_the_feed_had_to_mend(tmp_path: Path) -> None:
    site = Site()
    with FixtureSiteServer(site) as server:
        site.add(FEED_PATH, _feed(server), content_type="application/rss+xml")
        source = feed_source(server, "problem-feed", urls=[server.url(FEED_PATH)], follow=False)
        tested = _cli(write_config(tmp_path, [source]), "sources", "test", "problem-feed")
    assert tested.returncode == 0, tested.stderr
    assert "Statement 1" in tested.stdout
    (note,) = [line for line in tested.stdout.splitlines() if line.startswith("note: ")]
    assert "feed parsed despite" in note and "entry/no-link x1" in note
