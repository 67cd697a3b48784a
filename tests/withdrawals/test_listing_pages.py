"""The round's listing view from several listing pages: an item counts as dropped only when
no page lists it and every page reaches back past its date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.store.withdrawal import Item, Observation, RecheckPolicy, classify
from spiders.rechecks import ListingPages

DAY = timedelta(days=1)
T0 = datetime(2026, 3, 1, tzinfo=UTC)
SERVED = [Observation(T0 + 10 * DAY, 200, "https://mfa.example/a/5")]


def _state(pages: ListingPages, url: str, published: datetime) -> str:
    item = Item(url, published, ["https://mfa.example/a", "https://mfa.example/b"])
    verdict = classify(item, SERVED, pages.view(), outage=False, policy=RecheckPolicy())
    return verdict.state


def test_no_listing_page_read_gives_no_view() -> None:
    assert ListingPages().view() is None


def test_an_item_listed_by_another_section_is_not_dropped() -> None:
    pages = ListingPages()
    # Section a shows days 8-9 only; section b reaches back to day 1 and lists b/5.
    pages.add(["https://mfa.example/a/9", "https://mfa.example/a/8"], [T0 + 9 * DAY, T0 + 8 * DAY])
    pages.add(["https://mfa.example/b/5", "https://mfa.example/b/1"], [T0 + 5 * DAY, T0 + DAY])
    assert _state(pages, "https://mfa.example/b/5", T0 + 5 * DAY) == "live"
    # a/5 is older than all section a shows: paged out there, whatever b shows.
    assert _state(pages, "https://mfa.example/a/5", T0 + 5 * DAY) == "live"
    # a/8.5 is newer than what every page reaches back to, and on none: dropped.
    assert _state(pages, "https://mfa.example/a/85", T0 + 8.5 * DAY) == "withdrawn"


def test_an_undated_page_gives_no_verdict_on_drops() -> None:
    pages = ListingPages()
    pages.add(["https://mfa.example/a/9", "https://mfa.example/a/1"], [T0 + 9 * DAY, T0 + DAY])
    pages.add(["https://mfa.example/b/x"], [None])
    assert _state(pages, "https://mfa.example/a/5", T0 + 5 * DAY) == "live"
