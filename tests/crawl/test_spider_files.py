"""Custom spiders from the config directory crawl end to end, and an edited file is used next."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crawler.errors import ConfigError
from spiders.base import BaseSourceSpider
from spiders.catalog import load_config
from tests.crawl.conftest import crawl, rows
from tests.sites import (
    ARTICLE_SELECTORS,
    FixtureSiteServer,
    GeneratedArticle,
    ensure_articles,
    write_config,
)

PRESSWATCH = Path(sys.executable).parent / "presswatch"
EXAMPLE = Path(__file__).resolve().parents[2] / "crawler" / "starter" / "spiders" / "example.py"
API = "/api/news"


def _cli(config_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(PRESSWATCH), "--config", str(config_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)


def _api_site(server: FixtureSiteServer, count: int = 4, per_page: int = 2) -> list[Any]:
    """JSON API pages (items under data.news, relative article URLs) and the article pages."""
    articles = ensure_articles(server.site, count)
    for page in range(1, count // per_page + 1):
        chunk = articles[(page - 1) * per_page : page * per_page]
        news = [
            {"link": a.path, "headline": a.title, "date": a.published_at.isoformat()} for a in chunk
        ]
        body = json.dumps({"data": {"news": news, "total": count}}, ensure_ascii=False)
        server.site.add(f"{API}?page={page}", body, content_type="application/json")
    return articles


def _api_source(server: FixtureSiteServer, **params: Any) -> dict[str, Any]:
    return {
        "id": "api-site",
        "name": "A ministry behind a JSON API",
        "kind": "spider",
        "spider": "example-json-api",
        "languages": ["en", "ru"],
        "allowed_domains": ["127.0.0.1"],
        "article": dict(ARTICLE_SELECTORS),
        "params": {
            "api_url": server.url(f"{API}?page={{page}}"),
            "items": "data.news",
            "url": "link",
            "title": "headline",
            **params,
        },
    }


def _with_example_spider(config_dir: Path) -> Path:
    (config_dir / "spiders").mkdir(exist_ok=True)
    target = config_dir / "spiders" / "example.py"
    shutil.copyfile(EXAMPLE, target)
    target.chmod(0o644)
    return config_dir


def test_the_example_spider_file_crawls_an_api_site_end_to_end(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    articles: list[GeneratedArticle] = _api_site(fixture_site)
    source = _api_source(fixture_site, max_pages=2)
    config_dir = _with_example_spider(write_config(tmp_path, [source]))
    config, runs = crawl(config_dir)
    run = runs["api-site"]
    assert run.health == "ok" and run.items_new == 4 and run.entries == 4, run
    stored = {r.url: r for r in rows(config, source_id="api-site")}
    assert set(stored) == {fixture_site.url(a.path) for a in articles}
    for article in articles:
        row = stored[fixture_site.url(article.path)]
        assert row.source_id == "api-site" and row.title == article.title and row.body
        assert row.published_at is not None
        assert row.published_at.date() == article.published_at.date()
    fixture_site.reset_counts()
    _, again = crawl(config_dir)
    assert again["api-site"].items_new == 0 and again["api-site"].health == "ok"
    fetched = [p for p in fixture_site.paths() if p != "/robots.txt"]
    assert fetched == [f"{API}?page=1"]  # known URLs are never fetched again


def test_sources_test_kinds_and_check_config_show_a_config_spider(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    articles = _api_site(fixture_site)
    config_dir = _with_example_spider(write_config(tmp_path, [_api_source(fixture_site)]))
    tested = _cli(config_dir, "sources", "test", "api-site", "--limit", "2")
    assert tested.returncode == 0, tested.stderr
    assert articles[0].title in tested.stdout and articles[1].title in tested.stdout
    kinds = _cli(config_dir, "sources", "kinds")
    assert kinds.returncode == 0, kinds.stderr
    assert "example-json-api" in kinds.stdout and "config spiders/example.py" in kinds.stdout
    assert "api_url: str (required)" in kinds.stdout and "max_pages: int = 1" in kinds.stdout
    checked = _cli(config_dir, "check-config")
    assert checked.returncode == 0, checked.stderr
    assert "example-json-api" in checked.stdout and "warning" not in checked.stderr


VERSIONED = """
from spiders.base import BaseSourceSpider, SpiderParams


class Versioned(BaseSourceSpider):
    kind = "spider"
    name = "versioned"

    class Params(SpiderParams):
        start: str
        {extra_param}

    def start_urls_for(self):
        return [self.params.start]

    def parse_index(self, response, page):
        for n in (1, 2):
            yield self.item(response.urljoin("/{version}/%d" % n), title="{version}", body="text")
"""


def _versioned(version: str, extra_param: str = "") -> str:
    return VERSIONED.format(version=version, extra_param=extra_param or "pass")


def test_an_edited_spider_file_is_used_by_the_next_load_and_the_next_crawl(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    fixture_site.site.add("/start", "<html><body>start</body></html>")
    source = {
        "id": "versioned",
        "name": "versioned",
        "kind": "spider",
        "spider": "versioned",
        "allowed_domains": ["127.0.0.1"],
        "params": {"start": fixture_site.url("/start")},
    }
    config_dir = write_config(tmp_path, [source])
    spider_file = config_dir / "spiders" / "versioned.py"
    spider_file.parent.mkdir()
    spider_file.write_text(_versioned("one"), encoding="utf-8")
    config, _ = crawl(config_dir)
    first = BaseSourceSpider.custom["versioned"]
    assert {r.title for r in rows(config)} == {"one"}

    spider_file.write_text(_versioned("two"), encoding="utf-8")
    fixture_site.site.add("/start", "<html><body>changed</body></html>")  # no 304 this time
    config, _ = crawl(config_dir)  # the parent loads the file again, the child too
    assert BaseSourceSpider.custom["versioned"] is not first
    assert {r.url.rsplit("/", 2)[-2] for r in rows(config)} == {"one", "two"}

    # A reload (SIGHUP) validates params with the new model; rejected, the old spider stays.
    spider_file.write_text(_versioned("three", "extra: int"), encoding="utf-8")
    second = BaseSourceSpider.custom["versioned"]
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    assert "sources/test.yaml:" in str(caught.value)
    assert "sources[0].params.extra: required key is missing" in str(caught.value)
    assert BaseSourceSpider.custom["versioned"] is second
