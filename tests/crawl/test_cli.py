"""The CLI: `presswatch crawl`, `sources list`, `sources test` (which stores nothing)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.sites import FixtureSiteServer, Site, build_listing_site, listing_source, write_config

PRESSWATCH = Path(sys.executable).parent / "presswatch"


def _cli(
    config_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(PRESSWATCH), "--config", str(config_dir), *args]
    environ = {**os.environ, **(env or {})}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False, env=environ
    )


def test_cli_crawl_sources_list_and_test(tmp_path: Path) -> None:
    with FixtureSiteServer(build_listing_site(Site())) as server:
        config_dir = write_config(tmp_path, [listing_source(server)])
        tested = _cli(config_dir, "sources", "test", "fixture-listing", "--limit", "3")
        assert tested.returncode == 0, tested.stderr
        assert tested.stdout.count("http://127.0.0.1") == 3
        assert not (tmp_path / "data" / "presswatch.db").exists()  # nothing stored
        unknown = _cli(config_dir, "crawl", "nope")
        assert unknown.returncode == 2 and "fixture-listing" in unknown.stderr
        # FORCE_COLOR makes rich treat stderr as a terminal: the progress lines are printed
        crawled = _cli(config_dir, "crawl", env={"FORCE_COLOR": "1", "COLUMNS": "160"})
        assert crawled.returncode == 0, crawled.stderr
        assert "fixture-listing" in crawled.stdout and "ok" in crawled.stdout
        plain_err = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", crawled.stderr)
        assert re.search(r"fixture-listing: ok \(10 new items, \d+\.\ds\)", plain_err), plain_err
        assert ".py:" not in plain_err + crawled.stdout  # no logging file:line in the output
        total = re.search(r"1 source crawled in (\d+\.\d)s: 10 new items, 0 failed", crawled.stdout)
        assert total, crawled.stdout
        row = next(line for line in crawled.stdout.splitlines() if "fixture-listing" in line)
        assert re.search(r"\d+\.\ds", row), row  # the crawl process's wall time, with its unit
        listed = _cli(config_dir, "sources", "list")
        assert listed.returncode == 0 and "fixture-listing" in listed.stdout
        assert " 10" in listed.stdout or "10 " in listed.stdout
        assert "every " in listed.stdout and ":00:00" not in listed.stdout
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", listed.stdout), listed.stdout
        shown = _cli(config_dir, "items", "--limit", "2")
        assert shown.returncode == 0, shown.stderr
        header = shown.stdout.splitlines()[0]
        assert header.split()[:2] == ["id", "published"] and "source" in header


def test_unknown_spider_names_known_ones() -> None:
    import pytest

    from crawler.config.models import SpiderSource
    from crawler.errors import CrawlError
    from spiders.registry import spider_class

    source = SpiderSource(id="x", name="x", kind="spider", spider="nope")
    with pytest.raises(CrawlError, match='unknown spider "nope" \\(known: '):
        spider_class(source)


def test_sources_test_says_why_nothing_was_found(tmp_path: Path) -> None:
    with FixtureSiteServer(build_listing_site(Site())) as server:
        dead = listing_source(server, id="dead")
        dead["urls"] = ["http://127.0.0.1:9/news"]  # the discard port: nothing listens
        redesigned = listing_source(server, id="redesigned")
        redesigned["selectors"] = {"item": ".no-such-block", "link": "a"}
        config_dir = write_config(tmp_path, [dead, redesigned])
        failed = _cli(config_dir, "sources", "test", "dead")
        assert failed.returncode == 1
        assert "127.0.0.1:9" in failed.stdout and "nothing could be fetched" in failed.stderr
        empty = _cli(config_dir, "sources", "test", "redesigned")
        assert empty.returncode == 0, empty.stderr
        assert "no items matched the selectors" in empty.stdout
