"""Bad input and the classes of issue 15, each with its defined outcome.

Titles (no title, several h1, site-name headings), JSON-LD (invalid, several articles),
dates (future, before 1990, in the body only, shifted by UTC, date-only, per-source zone,
precedence) and encodings (mixed, late meta charset, BOM against the header).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crawler.extract.article import extract_article
from crawler.extract.encoding import decode_html

URL = "https://mfa.example.org/en/press/2020/statement-on-cooperation"
PARAGRAPHS = "".join(
    f"<p>Paragraph {i}: the minister met the delegation to discuss cooperation in trade, "
    "energy and regional security, and both sides agreed to continue the talks.</p>"
    for i in range(4)
)


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}<main>{PARAGRAPHS}</main></body></html>"


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# --- titles ---------------------------------------------------------------------------


def test_no_title_anywhere_gives_the_url_words() -> None:
    article = extract_article(page(), URL)
    assert article.title == "statement on cooperation"


def test_several_h1_the_one_matching_og_title_wins() -> None:
    head = '<meta property="og:title" content="Joint statement on trade">'
    body = "<h1>Ministry of Foreign Affairs</h1><h1>Joint statement on trade</h1>"
    assert extract_article(page(head, body), URL).title == "Joint statement on trade"


def test_site_name_heading_is_never_the_title() -> None:
    head = (
        "<title>Interning of small integers in Python | Four Years Remaining</title>"
        '<meta property="og:site_name" content="Four Years Remaining">'
    )
    body = "<h1>Four Years Remaining</h1>"
    article = extract_article(page(head, body), URL)
    assert article.title == "Interning of small integers in Python"


def test_site_name_heading_agreeing_with_the_title_tail_is_not_the_title() -> None:
    head = "<title>Nigeria: attack on a market leaves 31 dead: World News</title>"
    body = "<h1>World News</h1><h1>Nigeria: attack on a market leaves 31 dead</h1>"
    title = extract_article(page(head, body), URL).title
    assert title == "Nigeria: attack on a market leaves 31 dead"


def test_jsonld_headline_beats_a_different_og_title() -> None:
    head = (
        ld({"@type": "NewsArticle", "headline": "Hands-on: the new headset"})
        + '<meta property="og:title" content="The new headset is a moment">'
    )
    body = "<h2>The new headset is a moment</h2>"
    assert extract_article(page(head, body), URL).title == "Hands-on: the new headset"


# --- JSON-LD ------------------------------------------------------------------------------


def test_invalid_jsonld_is_repaired_or_ignored() -> None:
    trailing = '<script type="application/ld+json">{"@type": "NewsArticle", ' + (
        '"datePublished": "2021-03-04",}</script>'
    )
    assert extract_article(page(trailing), URL).published_at == datetime(2021, 3, 4, tzinfo=UTC)
    garbage = '<script type="application/ld+json">{"@type": "NewsArticle", oops</script>'
    meta = '<meta property="article:published_time" content="2021-05-06T10:00:00Z">'
    article = extract_article(page(garbage + meta), URL)
    assert article.published_at == datetime(2021, 5, 6, 10, tzinfo=UTC)
    assert article.date_source == "meta"


def test_jsonld_cdata_wrapper_is_unwrapped() -> None:
    wrapped = (
        '<script type="application/ld+json"><![CDATA[{"@type": "NewsArticle", '
        '"datePublished": "2022-01-02"}]]></script>'
    )
    assert extract_article(page(wrapped), URL).published_at == datetime(2022, 1, 2, tzinfo=UTC)


def test_jsonld_with_several_articles_takes_the_page_own() -> None:
    data = {
        "@graph": [
            {
                "@type": "ItemList",
                "itemListElement": [
                    {"@type": "NewsArticle", "headline": "Other", "datePublished": "2020-02-18"}
                ],
            },
            {"@type": "NewsArticle", "headline": "Other two", "datePublished": "2020-03-01",
             "url": "https://mfa.example.org/en/press/other"},
            {"@type": "NewsArticle", "headline": "Ours", "datePublished": "2020-07-01",
             "mainEntityOfPage": {"@id": URL}},
        ]
    }  # fmt: skip
    article = extract_article(page(ld(data)), URL)
    assert article.title == "Ours"
    assert article.published is not None
    assert article.published.local_date == date(2020, 7, 1)


def test_jsonld_listing_only_other_articles_gives_no_date_from_it() -> None:
    data = {
        "@type": "ItemList",
        "itemListElement": [{"@type": "NewsArticle", "datePublished": "2020-02-18"}],
    }
    article = extract_article(page(ld(data), "<h1>Statement on cooperation</h1>"), URL)
    # Not the page's structured date; htmldate's heuristics (a later step) may still see it.
    assert article.date_source != "meta"


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2999-01-01T10:00:00Z", "1985-06-01T10:00:00Z"])
def test_dates_in_the_future_or_before_1990_are_skipped(bad: str) -> None:
    head = ld({"@type": "NewsArticle", "datePublished": bad}) + (
        '<meta property="article:published_time" content="2021-05-06T10:00:00Z">'
    )
    article = extract_article(page(head), URL, now=datetime(2024, 1, 1, tzinfo=UTC))
    assert article.published_at == datetime(2021, 5, 6, 10, tzinfo=UTC)


def test_date_after_the_headline_beats_a_date_in_the_text() -> None:
    body = (
        "<h1>Statement on cooperation</h1><div class='meta'>1 July 2020</div>"
        "<p>On 18 February 2020 the ministers had met in Geneva for the first round.</p>"
    )
    article = extract_article(page("", body), "https://mfa.example.org/en/press/1")
    assert article.published is not None
    assert article.published.local_date == date(2020, 7, 1)
    assert article.date_source == "dateline"


def test_calendar_day_is_the_source_own_day() -> None:
    head = '<meta property="article:published_time" content="2020-10-14T05:50+08:00">'
    article = extract_article(page(head), URL)
    assert article.published is not None
    assert article.published.local_date == date(2020, 10, 14)
    assert article.published.utc() == datetime(2020, 10, 13, 21, 50, tzinfo=UTC)
    assert article.published.precision == "minute"
    assert article.published_at is not None
    assert article.published_at.utcoffset() == timedelta(hours=8)


def test_date_only_value_keeps_its_precision() -> None:
    head = '<meta property="article:published_time" content="2020-07-01">'
    article = extract_article(page(head), URL)
    assert article.published is not None
    assert article.published.precision == "day"
    assert not article.published.has_time


def test_source_timezone_applies_to_dates_without_one() -> None:
    head = '<meta property="article:published_time" content="2020-07-01T09:30">'
    article = extract_article(page(head), URL, tz=ZoneInfo("Asia/Karachi"))
    assert article.published is not None
    assert article.published.value.utcoffset() == timedelta(hours=5)
    assert not article.published.explicit_offset
    written = '<meta property="article:published_time" content="2020-07-01T09:30+02:00">'
    kept = extract_article(page(written), URL, tz=ZoneInfo("Asia/Karachi"))
    assert kept.published is not None
    assert kept.published.value.tzinfo == timezone(timedelta(hours=2))


def test_url_date_beats_htmldate_and_body_dates() -> None:
    body = "<p>Also on 3 March 2019 the committee reported on the matter in its session.</p>"
    article = extract_article(page("", body), "https://news.example.org/2020/07/01/statement")
    assert article.date_source == "url"
    assert article.published_at == datetime(2020, 7, 1, tzinfo=UTC)


def test_date_only_in_the_body_is_low_confidence(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.extract import page_dates

    monkeypatch.setattr(page_dates, "_htmldate", lambda tree, given: None)
    text = (
        "<p>The committee had first examined the question in a long session held on the "
        "3 March 2019, with every member present and the report adopted.</p>"
    )
    html = f"<html><body><main>{PARAGRAPHS}{text}</main></body></html>"
    article = extract_article(html, "https://news.example.org/statement")
    assert article.date_source == "body"
    assert article.date_low_confidence
    assert article.published_at == datetime(2019, 3, 3, tzinfo=UTC)


# --- encodings ----------------------------------------------------------------------------


def test_undeclared_latin1_is_western_not_central_european() -> None:
    raw = "<html><body><p>Les modèles économiques de la coopération</p></body></html>"
    assert "modèles économiques" in decode_html(raw.encode("latin-1"), None)


def test_undeclared_cyrillic_single_byte_is_detected() -> None:
    raw = "<html><body><p>Министерство иностранных дел Республики Беларусь</p></body></html>"
    assert "Министерство" in decode_html(raw.encode("cp1251"), None)


def test_mixed_encodings_keep_the_utf8_text() -> None:
    raw = "<p>Le ministère a publié</p>".encode() + " café".encode("latin-1")
    text = decode_html(raw, "text/html; charset=utf-8")
    assert "ministère a publié" in text
    assert text.endswith("café")


def test_meta_charset_after_1024_bytes_is_honoured_late() -> None:
    padding = "<!--" + "x" * 1100 + "-->"
    raw = f"<html><head>{padding}<meta charset='windows-1251'></head><body>Министерство</body>"
    assert "Министерство" in decode_html(raw.encode("cp1251"), None)
    # A header charset decides before a late meta.
    latin = f"<html><head>{padding}<meta charset='windows-1251'></head><body>modèles</body>"
    assert "modèles" in decode_html(latin.encode("latin-1"), "text/html; charset=ISO-8859-1")


def test_bom_beats_a_contradicting_header() -> None:
    raw = b"\xef\xbb\xbf" + "<p>Le ministère</p>".encode()
    assert decode_html(raw, "text/html; charset=windows-1251") == "<p>Le ministère</p>"
    utf16 = "<p>Министерство</p>".encode("utf-16")  # with its BOM
    assert decode_html(utf16, "text/html; charset=iso-8859-1") == "<p>Министерство</p>"


def test_header_beats_meta_prescan() -> None:
    raw = "<html><head><meta charset='utf-8'></head><body>Министерство</body>".encode("koi8-r")
    assert "Министерство" in decode_html(raw, "text/html; charset=koi8-r")


def test_valid_utf8_beats_a_stale_legacy_declaration() -> None:
    raw = "<html><head><meta charset='gb2312'></head><body>外交部发言人</body></html>".encode()
    assert "外交部发言人" in decode_html(raw, None)
    assert "外交部发言人" in decode_html(raw, "text/html; charset=GBK")
