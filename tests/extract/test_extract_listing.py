"""Tests for crawler.extract.listing: selectors, heuristics and next-page links."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crawler.extract.listing import extract_listing, find_next_page

FIXTURES = Path(__file__).parent / "fixtures"
TABLE_URL = "https://www.example.gov.my/web/guest/press-releases"
CARDS_URL = "https://mfa.example.uz/en/news"


def test_table_with_selectors() -> None:
    html = (FIXTURES / "listing_table.html").read_text()
    entries = extract_listing(
        html,
        TABLE_URL,
        item="//table/tbody/tr",
        link="//td[1]/a/@href",
        title="//td[1]/a//text()",
        date="//td[2]/text()",
        date_order="MDY",
    )
    assert [e.url for e in entries] == [
        "https://www.example.gov.my/web/guest/-/earthquake-in-the-east?redirect=x",
        "https://www.example.gov.my/web/guest/-/developments-24-january",
        "https://www.example.gov.my/web/guest/-/advisory",
    ]
    assert entries[0].title == "EARTHQUAKE IN THE EASTERN PROVINCES OF THE REPUBLIC"
    assert entries[0].published_at == datetime(2020, 1, 25, tzinfo=UTC)
    assert entries[2].published_at == datetime(2020, 1, 6, tzinfo=UTC)


def test_table_heuristic_skips_nav_footer_and_javascript() -> None:
    html = (FIXTURES / "listing_table.html").read_text()
    entries = extract_listing(html, TABLE_URL, date_order="MDY")
    urls = [e.url for e in entries]
    assert len(urls) == 3
    assert all("/-/" in u for u in urls)
    assert entries[1].published_at == datetime(2020, 1, 24, tzinfo=UTC)


def test_css_selectors_and_heuristic_cards() -> None:
    html = (FIXTURES / "listing_cards.html").read_text()
    by_css = extract_listing(
        html, CARDS_URL, item="div.views-row", link="h2 a", title="h2", date="span.date"
    )
    assert by_css[0].title == "Leaders call for further strengthening comprehensive partnership"
    assert by_css[0].published_at == datetime(2022, 2, 7, tzinfo=UTC)
    guessed = extract_listing(html, CARDS_URL)
    assert [e.url for e in guessed] == [e.url for e in by_css]
    assert guessed[1].published_at is not None
    assert guessed[1].published_at.date() == datetime(2022, 2, 4).date()
    assert guessed[2].published_at == datetime(2022, 2, 3, tzinfo=UTC)


def test_next_page() -> None:
    table = (FIXTURES / "listing_table.html").read_text()
    assert find_next_page(table, TABLE_URL) == TABLE_URL + "?page=2"
    cards = (FIXTURES / "listing_cards.html").read_text()
    assert find_next_page(cards, CARDS_URL) == "https://mfa.example.uz/en/news?page=1"
    assert find_next_page(cards, CARDS_URL, "ul.pagination li:last-child a") == (
        "https://mfa.example.uz/en/news?page=1"
    )
    assert find_next_page("<html><body>nothing</body></html>", CARDS_URL) is None


def test_bad_input() -> None:
    assert extract_listing("", CARDS_URL) == []
    assert extract_listing("<<<", CARDS_URL, item="//[broken") == []
    assert find_next_page("", CARDS_URL) is None
