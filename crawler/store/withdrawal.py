"""Withdrawals: when to recheck a sent item, and what a recheck's answer means (pure).

No I/O here: the recheck round (inside a source's crawl, `spiders.rechecks`; see
docs/evidence.md#withdrawals) fetches the due items of one source beside its listing, then
asks `classify` per item with the round's `source_outage` verdict, and saves the result with
crawler.store.rechecks.

- A stable 404/410: gone twice, at least `confirm_after` apart, nothing served in between.
  Once is `suspect`: a deploy or a cache can 404 for a while.
- A redirect to the section's index (the listing, a start URL, or the site root): the
  server says the page is no more.
- Dropped from a listing that still shows older items: the item was taken down from the
  index while the list still reaches back past its date (an item merely paged out is older
  than everything shown, and stays `live`).
- A site-wide outage - every recheck of the source's round failing (errors, 5xx, 404 or a
  redirect to the index alike) - is a health problem: `unknown`, never `withdrawn`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from crawler.store.urls import canonicalize_url

if TYPE_CHECKING:
    from crawler.config import Config
    from crawler.config.models import SourceConfig

State = Literal["live", "suspect", "withdrawn", "unknown"]
GONE_STATUSES = (404, 410)


@dataclass(frozen=True)
class RecheckPolicy:
    """How long and how often a sent item is rechecked, and the per-source budget."""

    window: timedelta = timedelta(days=30)
    # (age below which, interval): decreasing frequency as the item ages.
    intervals: tuple[tuple[timedelta, timedelta], ...] = (
        (timedelta(days=1), timedelta(hours=6)),
        (timedelta(days=7), timedelta(days=1)),
        (timedelta(days=30), timedelta(days=3)),
    )
    confirm_after: timedelta = timedelta(hours=6)
    budget_per_source_per_day: int = 50
    enabled: bool = True

    @classmethod
    def from_config(cls, config: Config, source: SourceConfig | None = None) -> RecheckPolicy:
        """The `rechecks:` settings, with `source`'s own override (`rechecks: false`, or
        `{enabled, budget_per_day}`) when given."""
        section = config.settings.rechecks
        enabled, budget = section.enabled, section.budget_per_source_per_day
        if source is not None:
            own = source.rechecks
            enabled = enabled and own.enabled
            budget = own.budget_per_day if own.budget_per_day is not None else budget
        return cls(
            window=section.window,
            intervals=tuple((i.below, i.every) for i in section.intervals),
            confirm_after=section.confirm_after,
            budget_per_source_per_day=budget,
            enabled=enabled and budget > 0,
        )

    def interval(self, age: timedelta) -> timedelta | None:
        """The recheck interval of an item this old (None: past the window)."""
        if age >= self.window:
            return None
        for below, every in self.intervals:
            if age < below:
                return every
        return self.intervals[-1][1]

    def checks_per_item(self) -> int:
        """How many rechecks one item costs over the whole window."""
        # As `next_recheck` schedules them: none at or past the window's end.
        total, age = 0, timedelta(0)
        while (every := self.interval(age)) is not None and age + every < self.window:
            age += every
            total += 1
        return total

    def daily_cost(self, items_sent_per_day: float) -> float:
        """Requests per source per day in steady state (before the budget caps it): every
        item of the window is rechecked on its schedule, so a day's cost is what one day's
        items cost over the whole window."""
        return items_sent_per_day * self.checks_per_item()


def next_recheck(
    sent_at: datetime, last_checked_at: datetime | None, policy: RecheckPolicy
) -> datetime | None:
    """When an item sent at `sent_at` is due again (None: past the window)."""
    since = last_checked_at or sent_at
    every = policy.interval(since - sent_at)
    if every is None:
        return None
    due = since + every
    return due if due - sent_at < policy.window else None


@dataclass(frozen=True)
class Due:
    item_id: int
    due_at: datetime
    checks: int = 0  # rechecks done so far
    suspect: bool = False  # gone once, waiting for the check that confirms it


def plan_round(
    due: Sequence[Due], now: datetime, spent_today: int, policy: RecheckPolicy
) -> list[int]:
    """The items to recheck now, within today's budget: a suspect's confirming check first,
    then the items checked least (the young ones, whose early checks catch most withdrawals
    and edits), then the most overdue.

    Most overdue first alone let a busy source's budget go to old items while new ones
    waited days for their first check."""
    room = max(0, policy.budget_per_source_per_day - spent_today)
    ready = sorted(
        (d for d in due if d.due_at <= now),
        key=lambda d: (not d.suspect, d.checks, d.due_at, d.item_id),
    )
    return [d.item_id for d in ready[:room]]


@dataclass(frozen=True)
class Observation:
    """One recheck of one item: HTTP status (None: no answer) and where it ended up."""

    at: datetime
    status: int | None
    final_url: str | None = None

    @property
    def gone(self) -> bool:
        return self.status in GONE_STATUSES


@dataclass(frozen=True)
class ListingView:
    """A source's listing as a recheck round saw it."""

    urls: frozenset[str]
    oldest_shown: datetime | None  # publication time of the oldest entry it shows


@dataclass(frozen=True)
class Item:
    """What classification needs of an item."""

    url: str
    published_at: datetime | None
    index_urls: Collection[str]  # the source's listing and start URLs


@dataclass(frozen=True)
class Verdict:
    state: State
    reason: str


def redirected_to_index(item: Item, seen: Observation) -> bool:
    """A redirect away from the item to its section's index or the site root."""
    if not seen.final_url or _same(seen.final_url, item.url):
        return False
    target = urlsplit(seen.final_url)
    root = target.path in ("", "/") and not target.query
    return root or any(_same(seen.final_url, index) for index in item.index_urls)


def failed(item: Item, seen: Observation) -> bool:
    """A recheck that did not show the page (for the outage test)."""
    no_page = seen.status is None or seen.status >= 500 or seen.gone
    return no_page or redirected_to_index(item, seen)


def source_outage(round_: Sequence[tuple[Item, Observation]]) -> bool:
    """Every recheck of the round failed (two at least: one failure says nothing of the
    site): a health problem of the source, not withdrawals."""
    return len(round_) >= 2 and all(failed(item, seen) for item, seen in round_)


def classify(
    item: Item,
    history: Sequence[Observation],
    listing: ListingView | None,
    *,
    outage: bool,
    policy: RecheckPolicy,
) -> Verdict:
    """The item's state after its latest recheck (`history` oldest first)."""
    if not history:
        return Verdict("live", "not rechecked yet")
    latest = history[-1]
    if outage:
        return Verdict("unknown", "every recheck of the source failed: a source outage")
    if redirected_to_index(item, latest):
        return Verdict("withdrawn", f"redirected to the section index {latest.final_url}")
    if latest.gone:
        return _gone(history, policy)
    if latest.status is None or latest.status >= 400:
        return Verdict("unknown", f"recheck failed (HTTP {latest.status or 'no answer'})")
    if listing is not None and _dropped(item, listing):
        return Verdict("withdrawn", "dropped from the listing, which still shows older items")
    return Verdict("live", f"HTTP {latest.status}")


def _gone(history: Sequence[Observation], policy: RecheckPolicy) -> Verdict:
    """Withdrawn when gone twice `confirm_after` apart with nothing served since."""
    streak: list[Observation] = []
    for seen in reversed(history):
        if not seen.gone:
            if seen.status is not None and seen.status < 400:
                break  # the page was served: the streak starts after it
            continue  # an error in between neither confirms nor breaks it
        streak.append(seen)
    first, last = streak[-1], streak[0]
    if len(streak) >= 2 and last.at - first.at >= policy.confirm_after:
        return Verdict("withdrawn", f"HTTP {last.status} since {first.at:%Y-%m-%d %H:%M} UTC")
    return Verdict("suspect", f"HTTP {last.status}; confirming after {policy.confirm_after}")


def _dropped(item: Item, listing: ListingView) -> bool:
    if not listing.urls or item.published_at is None or listing.oldest_shown is None:
        return False
    shown = {_url_key(url) for url in listing.urls}
    return _url_key(item.url) not in shown and listing.oldest_shown < item.published_at


def _same(a: str, b: str) -> bool:
    return _url_key(a) == _url_key(b)


def _url_key(url: str) -> tuple[str, str, str]:
    """A URL as the store identifies it (tracking parameters dropped, query sorted, http and
    https alike: `canonicalize_url`), a trailing slash aside: a listing that links the same
    statement another way has not dropped it."""
    parts = urlsplit(canonicalize_url(url))
    return parts.netloc, parts.path.rstrip("/") or "/", parts.query
