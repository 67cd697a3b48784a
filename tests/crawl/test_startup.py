"""The forkserver preload leaves a crawl child nothing heavy to import; unused parts are off."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import load_config
from crawler.scrapy_settings import build_settings
from tests.sites import FixtureSiteServer, Site, build_listing_site, listing_source, write_config

PROBE = """
import json, sys
from pathlib import Path
import crawler.crawl.preload as preload
from crawler.config import load_config
from crawler.crawl.child import crawl_source
from crawler.store.store import Store

config = load_config(Path(sys.argv[1]))
Store.from_config(config).close()
before = set(sys.modules)
run = crawl_source(config, config.source("fixture-listing"))
new = sorted(set(sys.modules) - before)
print(json.dumps({"failed": preload.FAILED, "new": new, "items": run.items_new}))
"""


def test_a_preloaded_crawl_imports_nothing_new(tmp_path: Path) -> None:
    with FixtureSiteServer(build_listing_site(Site(), articles=2)) as server:
        config_dir = write_config(tmp_path, [listing_source(server)])
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(config_dir)],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["items"] == 2 and report["failed"] == []
    # the reactor is installed in the child (never in the forkserver); codecs load on demand
    heavy = [m for m in report["new"] if m != "twisted.internet.reactor"]
    assert not [m for m in heavy if not m.startswith("encodings.")], report["new"]


def test_unused_scrapy_components_are_off(fixture_site: FixtureSiteServer, tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, [listing_source(fixture_site)]))
    settings = build_settings(config, config.sources[0])
    extensions = settings["EXTENSIONS"]
    for name in ("telnet.TelnetConsole", "memusage.MemoryUsage", "remote_control.RemoteControl"):
        assert extensions[f"scrapy.extensions.{name}"] is None
    cookies = "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"
    assert settings["DOWNLOADER_MIDDLEWARES"][cookies] is None
    assert set(settings["DOWNLOAD_HANDLERS"]) == {"data", "file", "s3", "ftp"}


def test_preload_derives_our_modules_from_the_registry_and_settings() -> None:
    from crawler.crawl import preload
    from crawler.scrapy_settings import STORE_PIPELINES
    from spiders.base import BaseSourceSpider

    modules = preload.presswatch_modules()
    for spider in BaseSourceSpider.generic.values():
        assert spider.__module__ in modules
    for path in STORE_PIPELINES:
        assert path.rsplit(".", 1)[0] in modules


def test_a_module_the_preload_cannot_import_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    from crawler.crawl import preload

    failed: list[str] = []
    with caplog.at_level(logging.WARNING, logger="presswatch.crawl"):
        preload.try_import("crawler.no_such_module", failed)
    assert failed == ["crawler.no_such_module"]
    assert "could not import crawler.no_such_module: ModuleNotFoundError" in caplog.text


def test_a_crawl_run_by_hand_shows_scrapys_log_with_log_level_debug(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    config_dir = write_config(tmp_path, [listing_source(fixture_site)])
    command = [sys.executable, "-m", "crawler.crawl.child", "fixture-listing"]
    command += ["--config", str(config_dir), "--dry-run", str(tmp_path / "items.jsonl")]
    quiet = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    loud = subprocess.run(
        [*command, "--log-level", "DEBUG"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert quiet.returncode == loud.returncode == 0, loud.stderr[-2000:]
    assert "DEBUG: Crawled (200)" in loud.stderr
    assert "DEBUG" not in quiet.stderr
