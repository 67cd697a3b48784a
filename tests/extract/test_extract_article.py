"""Tests for crawler.extract.article: precedence rules, decoding and hostile input."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.extract.article import (
    ArticleSelectors,
    ListingHints,
    decode_html,
    extract_article,
    strip_site_name,
)
from crawler.extract.selectors import select_text

FIXTURES = Path(__file__).parent / "fixtures"
URL = "https://mfa.example.org/en/press/statements/12345"


@pytest.fixture(scope="module")
def statement() -> bytes:
    return (FIXTURES / "mfa_statement.html").read_bytes()


def test_general_extraction(statement: bytes) -> None:
    article = extract_article(statement, URL)
    assert article.title == "Statement on the situation in the region"
    assert article.published_at == datetime(2021, 12, 6, tzinfo=UTC)
    assert article.date_source in ("htmldate", "dateline")
    assert "deep concern" in article.body
    assert "All rights reserved" not in article.body
    assert "Press Service" not in article.body
    assert article.language == "en"
    assert article.canonical_url == (
        "https://mfa.example.org/en/press/statements/statement-on-the-situation"
    )
    assert 0 < len(article.summary) <= 301
    assert not article.is_empty


def test_selectors_win_over_everything(statement: bytes) -> None:
    selectors = ArticleSelectors(
        title="p.dateline", date="//p[has-class('dateline')]", body="section p:not(.dateline)"
    )
    hints = ListingHints(title="Listing title", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    article = extract_article(statement, URL, selectors=selectors, hints=hints)
    assert article.title == "December 6, 2021, Capital City"
    assert article.date_source == "selector"
    assert article.published_at == datetime(2021, 12, 6, tzinfo=UTC)
    assert article.body.startswith("It is with deep concern")


def test_listing_hints_beat_page_title_and_heuristic_dates(statement: bytes) -> None:
    hints = ListingHints(title="Listing title", published_at=datetime(2021, 12, 7, tzinfo=UTC))
    article = extract_article(statement, URL, hints=hints)
    assert article.title == "Listing title"
    assert article.date_source == "listing"
    assert article.published_at == datetime(2021, 12, 7, tzinfo=UTC)


def test_meta_date_beats_listing_date() -> None:
    page = (
        "<html><head><meta property='article:published_time' content='2022-02-01T08:00:00Z'>"
        "<title>X</title></head><body><p>Some text of the article goes here.</p></body></html>"
    )
    hints = ListingHints(published_at=datetime(2022, 2, 3, tzinfo=UTC))
    article = extract_article(page, URL, hints=hints)
    assert article.date_source == "meta"
    assert article.published_at == datetime(2022, 2, 1, 8, tzinfo=UTC)


def test_jsonld_date_and_title_date_fallback() -> None:
    jsonld = (
        '<html><head><script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",'
        ' "datePublished": "2021-04-05T10:00:00+02:00"}]}</script></head><body>'
        "<h1>A headline</h1></body></html>"
    )
    article = extract_article(jsonld, URL)
    assert article.published_at == datetime(2021, 4, 5, 8, tzinfo=UTC)
    assert article.date_source == "meta"
    titled = extract_article("<html><body><h1>Remarks on July 3, 2020</h1></body></html>", URL)
    assert titled.published_at == datetime(2020, 7, 3, tzinfo=UTC)
    assert titled.date_source in ("htmldate", "title")


def test_canonical_rejected_when_foreign_or_not_http() -> None:
    page = "<html><head><link rel='canonical' href='{}'></head><body><h1>T t t</h1></body></html>"
    assert extract_article(page.format("https://evil.example.com/x"), URL).canonical_url == URL
    assert extract_article(page.format("javascript:alert(1)"), URL).canonical_url == URL
    same_site = extract_article(page.format("https://www.example.org/y"), URL)
    assert same_site.canonical_url == "https://www.example.org/y"


def test_og_description_used_as_summary() -> None:
    description = "The minister met his counterpart to discuss bilateral cooperation in trade."
    page = (
        f"<html><head><meta property='og:description' content='{description}'></head>"
        "<body><p>Body text.</p></body></html>"
    )
    assert extract_article(page, URL).summary == description


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        (
            "Statement on X - Ministry of Foreign Affairs of the Republic of Belarus",
            "Ministry of Foreign Affairs of the Republic of Belarus",
            "Statement on X",
        ),
        (
            "UNITED ARAB EMIRATES CONTRIBUTES VACCINE - Press Releases - Portal",
            None,
            "UNITED ARAB EMIRATES CONTRIBUTES VACCINE",
        ),
        ("Speeches | Prime Minister's Office", None, "Speeches | Prime Minister's Office"),
        ("Olivia Munn: Queen of the Uncool", None, "Olivia Munn: Queen of the Uncool"),
    ],
)
def test_strip_site_name(title: str, site: str | None, expected: str) -> None:
    assert strip_site_name(title, site) == expected


def test_language_from_html_lang_then_detection() -> None:
    body = "<p>" + "Министерство иностранных дел выражает глубокую озабоченность. " * 5 + "</p>"
    assert extract_article(f"<html lang='be-BY'><body>{body}</body></html>", URL).language == "be"
    assert extract_article(f"<html><body>{body}</body></html>", URL).language == "ru"


def test_select_text_css_and_xpath() -> None:
    from lxml import html

    tree = html.fromstring("<div><h2 class='a b'>One</h2><h2>Two</h2><a href='/x'>L</a></div>")
    assert select_text(tree, "h2.a") == "One"
    assert select_text(tree, "//h2[has-class('b')]/text()") == "One"
    assert select_text(tree, "h2::text") == "One Two"
    assert select_text(tree, "a::attr(href)") == "/x"
    assert select_text(tree, "(//h2)[2]") == "Two"
    assert select_text(tree, "h3") is None
    assert select_text(tree, "//[bad") is None
    assert select_text(tree, "!!bad css") is None


def test_decode_html_wrong_declarations() -> None:
    text = "<html><head><meta charset='utf-8'></head><body>Министерство иностранных дел</body>"
    cp1251 = text.encode("cp1251")
    assert "Министерство" in decode_html(cp1251, "utf-8")
    declared_1251 = text.replace("utf-8", "windows-1251")
    assert "Министерство" in decode_html(declared_1251.encode("utf-8"), "windows-1251")
    assert "Министерство" in decode_html(declared_1251.encode("cp1251"), None)
    latin = "<html><body>Le ministère des Affaires étrangères</body></html>".encode("latin-1")
    assert "ministère" in decode_html(latin, "text/html; charset=ISO-8859-1")
    chinese = "<html><head><meta charset='gb2312'></head><body>外交部发言人</body>"
    assert "外交部发言人" in decode_html(chinese.encode("gb2312"), None)


def test_wrong_declared_encoding_in_extract_article() -> None:
    page = "<html><body><h1>Заявление МИД Республики Беларусь</h1><p>Текст.</p></body></html>"
    article = extract_article(page.encode("cp1251"), URL, encoding="utf-8")
    assert article.title == "Заявление МИД Республики Беларусь"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   ",
        b"\x00\xff\xfe\x00garbage\x80\x81",
        b"<html><body><p>Trunc",
        b"<<<>>>",
        b"<html><head><title>Only a title</title>",
        b"\xef\xbb\xbf",
        "не HTML".encode(),
    ],
)
def test_hostile_input_never_raises(raw: bytes) -> None:
    article = extract_article(raw, "https://example.org/news/some-story")
    assert article.url == "https://example.org/news/some-story"


def test_empty_document_is_empty() -> None:
    article = extract_article(b"", "https://example.org/")
    assert article.is_empty
    assert article.title is None


def test_url_segment_is_last_resort_title() -> None:
    page = "<html><body><p>" + "A long paragraph without any heading at all. " * 5 + "</p></body>"
    article = extract_article(page, "https://example.org/news/minister-visits-paris.html")
    assert article.title == "minister visits paris"


def test_fifty_megabyte_page_is_fast() -> None:
    paragraph = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20 + "</p>"
    page = "<html><head><title>Huge</title></head><body>" + paragraph * 45_000 + "</body></html>"
    assert len(page) > 50_000_000
    started = time.perf_counter()
    article = extract_article(page.encode(), URL)
    assert time.perf_counter() - started < 60  # bounded, generous for a loaded CI machine
    assert article.title == "Huge"


def test_body_does_not_repeat_the_title_as_its_first_line() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the statement explains the background of the agreement, the "
        "negotiations of the past years and what the parties expect from it.</p>"
        for i in range(4)
    )
    page = (
        "<html><head><title>Minister signs the trade agreement - Example News</title>"
        "<meta property='og:site_name' content='Example News'></head><body><div class='story'>"
        f"<h2>Minister signs the trade agreement</h2>{paragraphs}</div></body></html>"
    )
    article = extract_article(page, "https://news.example.org/trade")
    assert article.title == "Minister signs the trade agreement"
    assert article.body.startswith("Paragraph 0 of the statement")


def test_leading_title_repeat_and_date_stamps_are_trimmed_only_at_the_head() -> None:
    from crawler.extract.article import _trim_head

    text = "The minister signed the agreement on Tuesday in Geneva."
    assert _trim_head("Minister signs", "Minister signs") == "Minister signs"  # all there is
    assert _trim_head(f"Minister signs\n\n{text}", "Minister signs!") == text
    assert _trim_head(f"Minister signs\n\n{text}", None) == f"Minister signs\n\n{text}"
    for stamp in (
        "08.04.2015 12:46",
        "기사입력 :[ 2018-08-25 15:24 ]",
        "sexta-feira, 22 de outubro de 2010 às 20:13",
        "5:45 AM PST 11/19/2019 by Patrick Shanley",
    ):
        assert _trim_head(f"Minister signs\n\n{stamp}\n\n{text}", "Minister signs") == text
    # after the text has started, a date line is the article's own
    kept = f"{text}\n\n08.04.2015 12:46\n\n{text}"
    assert _trim_head(kept, "Minister signs") == kept
    # a long line with a date is a dateline sentence, not a stamp
    dateline = "GENEVA, 08.04.2015 - The minister signed the agreement with the delegation."
    assert _trim_head(f"{dateline}\n\n{text}", None) == f"{dateline}\n\n{text}"


def test_dates_still_read_a_dateline_the_stored_body_leaves_out() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the statement explains the background of the agreement, the "
        "negotiations of the past years and what the parties expect from it.</p>"
        for i in range(4)
    )
    page = (
        "<html><head><title>Minister signs the trade agreement</title></head><body>"
        f"<div class='story'><p>08.04.2015 12:46</p>{paragraphs}</div></body></html>"
    )
    article = extract_article(page, "https://news.example.org/trade")
    assert article.body.startswith("Paragraph 0")
    assert article.published is not None
    assert str(article.published.local_date) == "2015-04-08"
