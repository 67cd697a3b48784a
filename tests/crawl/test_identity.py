"""Entry identity, domain rules, listing shapes, health and the article-state store."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from alerts.digest import DigestRenderer
from crawler.cli.main import cli
from crawler.config import load_config
from crawler.config.models import FeedSource
from crawler.crawl.health import assess
from crawler.crawl.summary import RunSummary
from crawler.extract.feeds import FeedEntry
from crawler.extract.listing import extract_listing
from crawler.store.articles import due_articles, known_identities, record_article_states
from crawler.store.items import ItemRecord, insert_items
from crawler.store.schema import article_retries
from crawler.store.store import Store
from crawler.store.urls import url_fingerprint
from spiders.base import DomainRules, plausible_date
from spiders.feed import feed_entry, tell_apart
from tests.digest.sample import full_digest

WHEN = datetime(2024, 5, 1, 10, tzinfo=UTC)
FEED = "https://ministry.example/rss.xml"


def entry(url: str | None, guid: str | None, title: str = "A statement") -> FeedEntry:
    return FeedEntry(url, title, WHEN, "summary text", "", guid)


# --- feed identity ------------------------------------------------------------------------


def test_link_less_entry_takes_its_url_from_a_url_guid() -> None:
    found = feed_entry(entry(None, "https://ministry.example/news/7"), FEED)
    assert found is not None and found.url == "https://ministry.example/news/7" and found.fetch


def test_link_less_entry_with_an_opaque_guid_gets_a_stable_fragment_of_the_feed_url() -> None:
    first = feed_entry(entry(None, "urn:uuid:1234"), FEED)
    again = feed_entry(entry(None, "urn:uuid:1234", title="Edited title"), FEED)
    other = feed_entry(entry(None, "urn:uuid:5678"), FEED)
    assert first is not None and again is not None and other is not None
    assert first.url.startswith(FEED + "#entry-") and first.url == again.url
    assert first.fingerprint != other.fingerprint and not first.fetch


def test_without_trust_guid_the_link_alone_decides() -> None:
    assert feed_entry(entry(None, "urn:uuid:1"), FEED, trust_guid=False) is None
    plain = feed_entry(entry(FEED + "#a", "g1"), FEED, trust_guid=False)
    assert plain is not None and not plain.keep_fragment


def test_fragments_with_guids_are_distinct_identities() -> None:
    one = feed_entry(entry("https://m.example/day.html#a1", "g1"), FEED)
    two = feed_entry(entry("https://m.example/day.html#a2", "g2"), FEED)
    assert one is not None and two is not None and one.fingerprint != two.fingerprint
    record = ItemRecord("s", one.url, "t", extra={"keep_fragment": True})
    assert record.url_fp == one.fingerprint


def test_entries_sharing_a_link_with_distinct_guids_are_told_apart() -> None:
    found = [feed_entry(entry("https://m.example/p", g), FEED) for g in ("g1", "g2")]
    single = feed_entry(entry("https://m.example/q", "g3"), FEED)
    apart = tell_apart([e for e in [*found, single] if e is not None])
    assert len({e.fingerprint for e in apart}) == 3
    assert apart[2].url == "https://m.example/q"  # alone: keeps its plain link


def test_a_feed_entry_with_neither_link_nor_guid_nor_text_is_dropped() -> None:
    assert feed_entry(FeedEntry(None, None, None, "", "", None), FEED) is None


# --- domains, dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "host", "allowed"),
    [
        (["mofa.gov.pk"], "mofa.gov.pk", True),
        (["mofa.gov.pk"], "www.mofa.gov.pk", True),
        (["mofa.gov.pk"], "evilmofa.gov.pk", False),
        (["*.gov.pk"], "mofa.gov.pk", True),
        (["*.gov.pk"], "gov.pk", True),
        (["*.gov.pk"], "gov.pk.example", False),
        (["*"], "cdn.anything.net", True),
    ],
)
def test_domain_patterns(patterns: list[str], host: str, allowed: bool) -> None:
    assert DomainRules(patterns).allows(host) is allowed


def test_allowed_domains_are_validated() -> None:
    base = {"id": "f", "name": "F", "kind": "feed", "urls": [FEED]}
    assert FeedSource(**base, allowed_domains=["*.Gov.PK", "*"]).allowed_domains == [
        "*.gov.pk",
        "*",
    ]
    with pytest.raises(ValueError, match="not a host name"):
        FeedSource(**base, allowed_domains=["https://mofa.gov.pk/"])


def test_plausible_dates() -> None:
    now = datetime.now(UTC)
    assert plausible_date(now) and plausible_date(datetime(1999, 1, 1))
    assert not plausible_date(datetime(1970, 1, 1, tzinfo=UTC))
    assert not plausible_date(now + timedelta(days=30))


# --- listing shapes -------------------------------------------------------------------------


def test_listing_counts_what_it_leaves_out_and_keeps_leads() -> None:
    html = (
        "<ul>"
        '<li class="n"><a href="/a">First statement on the talks</a> <span>(2020-07-03)</span>'
        "<p>The ministry welcomed the outcome of the talks held in Geneva on Friday.</p></li>"
        '<li class="n">No link at all in this one</li>'
        '<li class="n"><a href="mailto:press@example.org">Write to the press office</a></li>'
        '<li class="n"><a href="/a">First statement on the talks</a></li>'
        "</ul>"
    )
    skipped: Counter[str] = Counter()
    found = extract_listing(html, "https://m.example/", item="li.n", skipped=skipped)
    assert [(e.title, e.published_at) for e in found] == [
        ("First statement on the talks", datetime(2020, 7, 3, tzinfo=UTC))
    ]
    assert found[0].summary.startswith("The ministry welcomed")
    assert skipped == {"no_link": 1, "bad_link": 1, "repeated_link": 1}


def test_a_time_inside_the_link_is_not_part_of_the_title() -> None:
    html = (
        '<div class="entry"><a href="/e/1"><span>Meeting with the Prime Minister</span>'
        '<time datetime="2024-05-20T10:00:00+03:00">May 20, 2024, 10:00</time></a></div>'
    ) * 1
    (found,) = extract_listing(html, "https://k.example/", item="div.entry")
    assert found.title == "Meeting with the Prime Minister"
    assert found.published_at == datetime(2024, 5, 20, 7, tzinfo=UTC)


# --- health ---------------------------------------------------------------------------------


def run(ok: int, failed: int, reasons: dict[str, int]) -> RunSummary:
    return RunSummary(
        "s",
        WHEN,
        index_ok=1,
        entries=ok + failed,
        articles_ok=ok,
        articles_failed=failed,
        article_failures=reasons,
    )


@pytest.mark.parametrize(
    ("ok", "failed", "state"),
    [(18, 0, "ok"), (13, 5, "ok"), (12, 6, "degraded"), (0, 1, "degraded")],
)
def test_degraded_above_the_share(ok: int, failed: int, state: str) -> None:
    health = assess(run(ok, failed, {"HTTP 404": failed}), 0, 3, WHEN, None, WHEN)
    assert health.state == state
    if state == "degraded":
        assert health.detail == f"{failed} of {ok + failed} article pages: HTTP 404"


def test_degraded_names_the_two_most_common_reasons() -> None:
    health = assess(run(2, 8, {"HTTP 404": 5, "timeout": 2, "HTTP 500": 1}), 0, 3, WHEN, None, WHEN)
    assert health.detail == "8 of 10 article pages: HTTP 404, timeout"


# --- the article-state store ------------------------------------------------------------------


def test_aliases_and_retries_are_written_with_the_batch(store: Store) -> None:
    listed = "https://m.example/news?id=5"
    fetched = ItemRecord(
        "s",
        listed,
        "Statement",
        body="Text.",
        canonical_url="https://m.example/news/5-statement",
        extra={"listed_url": listed},
    )
    failed_at = (WHEN + timedelta(hours=1)).isoformat()
    article = {"state": "unavailable", "reason": "HTTP 404", "attempts": 1, "retry_at": failed_at}
    failed = ItemRecord("s", "https://m.example/news?id=6", "Other", extra={"article": article})
    with store.begin() as connection:
        insert_items(connection, [fetched, failed])
        record_article_states(connection, [fetched, failed])
    with store.connect() as connection:
        known = known_identities(connection, [url_fingerprint(listed)])
        assert known == {url_fingerprint(listed)}
        assert due_articles(connection, "s", WHEN) == []
        (due,) = due_articles(connection, "s", WHEN + timedelta(hours=2))
        assert (due.url, due.attempts, due.title) == ("https://m.example/news?id=6", 1, "Other")
    arrived = ItemRecord(
        "s",
        failed.url,
        "Other",
        body="Now the text.",
        extra={"article": {"state": "ok", "retried": True}},
    )
    with store.begin() as connection:
        outcome = insert_items(connection, [arrived])
        record_article_states(connection, [arrived])
        assert [s.record for s in outcome.changed] == [arrived]
    with store.connect() as connection:
        assert connection.execute(select(article_retries)).all() == []


# --- what users see -------------------------------------------------------------------------


def test_digest_marks_an_item_stored_from_its_listing() -> None:
    import dataclasses

    digest = full_digest()
    section = digest.sections[0]
    marked = dataclasses.replace(section.items[0], article_unavailable="HTTP 404")
    digest = dataclasses.replace(
        digest, sections=(dataclasses.replace(section, items=(marked, *section.items[1:])),)
    )
    renderer = DigestRenderer.from_config(None)
    message = renderer.render(digest)
    assert "[article unavailable: HTTP 404]" in message.text
    assert "article unavailable: HTTP 404" in message.html


def test_items_json_lines_with_article_state_and_body(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    (config_dir / "sources").mkdir(parents=True)
    settings = f"data_dir: {tmp_path / 'data'}\n"
    (config_dir / "presswatch.yaml").write_text(settings, encoding="utf-8")
    store = Store.from_config(load_config(config_dir))
    article = {"state": "unavailable", "reason": "HTTP 404", "attempts": 1, "retry_at": None}
    records = [
        ItemRecord(
            "s", "https://m.example/1", "Listed", summary="Lead.", extra={"article": article}
        ),
        ItemRecord("s", "https://m.example/2", "Fetched", body="Full.", extra={"date_source": "x"}),
        ItemRecord("s", "https://m.example/3", "Older", extra={"backfill_skipped": True}),
    ]
    try:
        with store.begin() as connection:
            insert_items(connection, records)
    finally:
        store.close()
    args = ["--config", str(config_dir), "items", "--json"]
    result = CliRunner().invoke(cli, [*args, "--body"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    by_title = {line["title"]: line for line in lines}
    assert by_title["Listed"]["article"] == {
        "state": "unavailable",
        "reason": "HTTP 404",
        "attempts": 1,
        "retry_at": None,
    }
    assert by_title["Fetched"]["article"] == {"state": "fetched"}
    assert by_title["Fetched"]["body"] == "Full."
    assert by_title["Older"]["article"] == {"state": "baseline"}
    without = CliRunner().invoke(cli, args)
    assert all("body" not in json.loads(line) for line in without.output.splitlines())
    text = CliRunner().invoke(cli, ["--config", str(config_dir), "items"])
    assert "article: unavailable (HTTP 404), from the listing" in text.output
