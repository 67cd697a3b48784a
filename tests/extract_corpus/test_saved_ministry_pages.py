"""The shipped Belarus, Malaysia and Uzbekistan configs extract the saved real pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crawler.config.loader import Config
from crawler.config.models import ListingSource
from crawler.extract.article import Article, ArticleSelectors, extract_article
from crawler.extract.listing import ListingEntry, extract_listing

PREFIX = "foreign_ministries/diplomaticpulse_fixtures/"


def _source(config: Config, source_id: str) -> ListingSource:
    source = config.source(source_id)
    assert isinstance(source, ListingSource)
    return source


def _listing(config: Config, source_id: str, page: Path) -> list[ListingEntry]:
    source = _source(config, source_id)
    html = page.read_bytes().decode("utf-8", errors="replace")
    selectors = source.selectors
    return extract_listing(
        html,
        source.urls[0],
        item=selectors.item,
        link=selectors.link,
        title=selectors.title,
        date=selectors.date,
        languages=source.languages,
    )


def _article(config: Config, source_id: str, page: Path) -> Article:
    source = _source(config, source_id)
    selectors = ArticleSelectors(source.article.title, source.article.date, source.article.body)
    url = f"{source.urls[0].rstrip('/')}/{page.stem}"
    return extract_article(page.read_bytes(), url, selectors=selectors, languages=source.languages)


def test_belarus_listing(
    shipped_config: Config, ministry_dir: Path, expected: dict[str, Any]
) -> None:
    page = ministry_dir / "belarus_mfa" / "statements_listing.html"
    entries = _listing(shipped_config, "by-mfa-statements", page)
    wanted = expected[PREFIX + "belarus_mfa/statements_listing.html"]["items"]
    got = {e.url: e.title for e in entries}
    for item in wanted:
        assert got.get(item["href"]) == item["title"]
    assert all(e.title for e in entries)


BELARUS_STATEMENTS = [
    "statement_countermeasures_sanctions",
    "statement_kazakhstan",
    "statement_makei_cei_summit_a",
    "statement_makei_cei_summit_b",
    "statement_mfa_generic",
]


@pytest.mark.parametrize("name", BELARUS_STATEMENTS)
def test_belarus_statement(
    shipped_config: Config, ministry_dir: Path, expected: dict[str, Any], name: str
) -> None:
    facts = expected[f"{PREFIX}belarus_mfa/{name}.html"]
    article = _article(
        shipped_config, "by-mfa-statements", ministry_dir / "belarus_mfa" / f"{name}.html"
    )
    assert article.title == facts["h1"][0]
    assert len(article.body) >= 0.8 * facts["body_chars"]
    if facts["dateline_paragraphs"]:
        assert article.published_at is not None
        assert article.published_at.date() == date(2021, 12, 6)


def test_malaysia_listing(shipped_config: Config, ministry_dir: Path) -> None:
    page = ministry_dir / "malaysia_kln" / "press_releases_listing.html"
    entries = _listing(shipped_config, "my-kln-press", page)
    assert len(entries) > 200
    assert all(e.title and e.published_at for e in entries)
    assert all(e.url.startswith("https://www.kln.gov.my/web/guest/") for e in entries)
    by_title = {e.title: e for e in entries}
    turkey = by_title["EARTHQUAKE IN ELAZIG AND MALATYA PROVINCES, REPUBLIC OF TURKEY"]
    assert turkey.published_at is not None
    assert turkey.published_at.date() == date(2020, 1, 25)
    newest = entries[0]
    assert newest.published_at is not None and newest.published_at.date() == date(2022, 2, 28)


def test_malaysia_press_release(
    shipped_config: Config, ministry_dir: Path, expected: dict[str, Any]
) -> None:
    facts = expected[PREFIX + "malaysia_kln/press_release_uae_vaccine.html"]
    page = ministry_dir / "malaysia_kln" / "press_release_uae_vaccine.html"
    article = _article(shipped_config, "my-kln-press", page)
    assert article.title == facts["expected_title_from_repo_test"]
    assert "500,000 doses" in article.body
    assert "Skip to Content" not in article.body


def test_uzbekistan_listing(shipped_config: Config, ministry_dir: Path) -> None:
    page = ministry_dir / "uzbekistan_mfa" / "news_listing.html"
    entries = _listing(shipped_config, "uz-mfa-news", page)
    assert [e.title for e in entries] == [
        "Uzbekistan, China leaders call for further strengthening comprehensive strategic "
        "partnership"
    ]
    assert entries[0].published_at is not None
    assert entries[0].published_at.date() == date(2022, 2, 7)
