"""Errors that name themselves: a bug in extraction is counted by its type, never "empty".

Extraction swallows only what a page can cause (`PARSE_ERRORS`); anything else propagates to
the spider, which counts it under ``presswatch/extraction_error/<Type>``.  The crawl tests
run a real crawl (fixture site, store, child entry point) in a subprocess whose extraction
helper was monkeypatched to raise, and read the run record and `status`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import crawler.extract.article as article_module
import crawler.extract.listing as listing_module
from crawler.config import load_config
from crawler.crawl.health import assess
from crawler.crawl.summary import RunSummary
from crawler.daemon.render import to_text
from crawler.daemon.status import collect_status
from crawler.extract.article import extract_article
from crawler.extract.listing import extract_listing
from crawler.store.schema import crawl_runs, items
from crawler.store.store import Store
from crawler.store.types import utcnow
from tests.crawl.conftest import rows, source_row
from tests.sites import FixtureSiteServer, build_listing_site, listing_source, write_config

REPO = Path(__file__).resolve().parents[2]
PAGE = (
    "<html><head><title>Minister visits - Ministry</title></head><body><main><h1>Minister "
    "visits</h1><p>The minister met the delegation to discuss trade and regional security "
    "in detail.</p></main></body></html>"
)
LISTING = (
    "<html><body><ul>"
    + "".join(
        f"<li><a href='/news/{n}'>Minister meets the delegation number {n}</a></li>"
        for n in range(3)
    )
    + "</ul></body></html>"
)

# Run one source's crawl through the child's entry point with `helper` of `module` raising.
CHILD = """
import sys
import {module} as target


def broken(*args, **kwargs):
    raise TypeError("injected bug")


target.{helper} = broken
from crawler.crawl.child import main

sys.exit(main(sys.argv[1:]))
"""


def _broken(*_args: object, **_kwargs: object) -> None:
    raise TypeError("injected bug")


def test_a_bug_in_article_extraction_propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(article_module, "_body", _broken)
    with pytest.raises(TypeError, match="injected bug"):
        extract_article(PAGE, "https://mfa.example/news/1")


def test_a_bug_in_listing_extraction_propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing_module, "_entry", _broken)
    with pytest.raises(TypeError, match="injected bug"):
        extract_listing(LISTING, "https://mfa.example/news")


def test_a_bug_in_next_page_detection_propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing_module, "_is_next", _broken)
    with pytest.raises(TypeError, match="injected bug"):
        listing_module.find_next_page(LISTING, "https://mfa.example/news")


@pytest.mark.parametrize(
    "page",
    [
        "",
        "\x00\x01\x02",
        "<" * 5000,
        "<html>" + "<div>" * 50_000 + "deep",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>declared</p></body></html>",
        b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00",
    ],
)
def test_pages_that_cannot_be_parsed_still_give_results(page: str | bytes) -> None:
    article = extract_article(page, "https://mfa.example/news/broken-page")
    assert article.url == "https://mfa.example/news/broken-page"
    text = page.decode("latin-1") if isinstance(page, bytes) else page
    assert isinstance(extract_listing(text, "https://mfa.example/news"), list)
    assert listing_module.find_next_page(text, "https://mfa.example/news") is None


def test_health_names_the_error_type_instead_of_empty() -> None:
    now = utcnow()
    listing_bug = RunSummary("s", now, index_ok=1, extraction_errors={"TypeError": 1})
    state = assess(listing_bug, 0, 3, None, None, now)
    assert state.state == "error" and "extraction errors: TypeError 1" in state.detail
    article_bug = RunSummary(
        "s", now, index_ok=1, entries=4, articles_ok=3, extraction_errors={"KeyError": 1}
    )
    state = assess(article_bug, 0, 3, now, None, now)
    assert (state.state, state.detail) == ("degraded", "extraction errors: KeyError 1")


def _crawl_with_bug(config_dir: Path, source_id: str, module: str, helper: str) -> RunSummary:
    config = load_config(config_dir)
    Store.from_config(config).close()  # migrate, as every command does before crawling
    script = config_dir / "broken_child.py"
    script.write_text(CHILD.format(module=module, helper=helper), encoding="utf-8")
    summary = config_dir / "summary.json"
    command = [sys.executable, str(script), source_id, "--config", str(config_dir)]
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [*command, "--summary", str(summary)],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return RunSummary.from_json(json.loads(summary.read_text(encoding="utf-8")))


def _status_text(config_dir: Path) -> str:
    config = load_config(config_dir)
    store = Store.from_config(config)
    try:
        return to_text(collect_status(config, store, utcnow()))
    finally:
        store.close()


def test_a_listing_bug_is_an_error_with_its_type_not_an_empty_source(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    build_listing_site(fixture_site.site, articles=4, per_page=10)
    config_dir = write_config(tmp_path, [listing_source(fixture_site, "buggy-listing")])
    run = _crawl_with_bug(config_dir, "buggy-listing", "crawler.extract.listing", "_entry")

    assert run.health == "error"
    assert run.extraction_errors == {"TypeError": 1} and run.errors >= 1
    config = load_config(config_dir)
    [record] = rows(config, crawl_runs, source_id="buggy-listing")
    assert record.health == "error" and record.detail["extraction_errors"] == {"TypeError": 1}
    assert "extraction errors: TypeError 1" in source_row(config, "buggy-listing").health_detail
    status = _status_text(config_dir)
    assert "buggy-listing: error since" in status and "TypeError" in status
    assert "empty" not in status


def test_an_article_bug_keeps_the_listing_items_and_names_its_type(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    build_listing_site(fixture_site.site, articles=4, per_page=10)
    config_dir = write_config(tmp_path, [listing_source(fixture_site, "buggy-article")])
    run = _crawl_with_bug(config_dir, "buggy-article", "crawler.extract.article", "_body")

    assert run.health == "degraded" and run.extraction_errors == {"TypeError": 4}
    assert run.article_failures == {"extraction error (TypeError)": 4}
    config = load_config(config_dir)
    stored = rows(config, items, source_id="buggy-article")
    assert len(stored) == 4  # stored from the listing, retried on a later run
    assert {r.extra["article"]["reason"] for r in stored} == {"extraction error (TypeError)"}
    [record] = rows(config, crawl_runs, source_id="buggy-article")
    assert record.detail["extraction_errors"] == {"TypeError": 4}
    status = _status_text(config_dir)
    assert "buggy-article: degraded since" in status
    assert "extraction errors: TypeError 4" in status
