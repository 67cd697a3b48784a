"""The recheck round of sent items, inside the source's own crawl (issue 18).

When a source is crawled, its spider also fetches the source's sent items that are due for a
recheck (`RecheckRound.plan`): the same process, politeness, evidence capture and pipelines
as the crawl. Planning first watches the items sent to a reader since the window began
(the ledger's `sent_items`), then takes the due ones within the source's budget of the
last 24 hours (`plan_round`: a suspect's confirming check, then the least-checked items).

- A recheck does not follow redirects by itself: a redirect to the section index (the
  listing, a start URL, the site root) is observed as such; any other redirect is followed
  as a move, hop by hop (`MAX_HOPS`).
- A page served goes through the normal article extraction and `write_batch` under the
  item's own identity: changed text becomes a revision (edit events, evidence). A page
  without text changes nothing about the stored item.
- The listing pages the crawl read this run are the round's `ListingView`.
- At the end of the crawl every observation is recorded in one transaction with the
  round's outage verdict (`crawler.store.rechecks.record_round`), unless a batch could not
  be stored: then nothing is recorded and the items stay due for the next run, which
  fetches them again (a revision already stored is unchanged then: no second edit event).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from alerts.ledger.sent_items import sent_items
from crawler.store.articles import RecheckTarget, recheck_targets
from crawler.store.rechecks import (
    RoundResult,
    due_items,
    record_round,
    spent_since,
    watch_sent,
    watched_of,
)
from crawler.store.store import Store
from crawler.store.withdrawal import (
    Item,
    ListingView,
    Observation,
    RecheckPolicy,
    plan_round,
    redirected_to_index,
)

MAX_HOPS = 5
DAY = timedelta(days=1)


@dataclass
class ListingPages:
    """The listing pages read in this crawl, as one conservative `ListingView`: an item
    counts as dropped only when it is on none of them and every page shows older entries."""

    urls: set[str] = field(default_factory=set)
    oldest_per_page: list[datetime | None] = field(default_factory=list)

    def add(self, urls: Iterable[str], dates: Iterable[datetime | None]) -> None:
        listed = list(urls)
        if not listed:
            return
        self.urls.update(listed)
        known = [_aware(d) for d in dates if d is not None]
        self.oldest_per_page.append(min(known) if known else None)

    def view(self) -> ListingView | None:
        if not self.oldest_per_page:
            return None
        if any(oldest is None for oldest in self.oldest_per_page):
            return ListingView(frozenset(self.urls), None)  # an undated page: no verdict
        reach = max(o for o in self.oldest_per_page if o is not None)
        return ListingView(frozenset(self.urls), reach)


@dataclass
class RecheckRound:
    """One source's rechecks in one crawl: what was planned, what each fetch showed."""

    source_id: str
    policy: RecheckPolicy
    now: datetime
    index_urls: tuple[str, ...]
    targets: list[RecheckTarget] = field(default_factory=list)
    watched: int = 0
    seen: dict[int, Observation] = field(default_factory=dict)
    listing: ListingPages = field(default_factory=ListingPages)

    @classmethod
    def plan(
        cls,
        store: Store,
        source_id: str,
        policy: RecheckPolicy,
        now: datetime,
        index_urls: Sequence[str],
    ) -> RecheckRound:
        """Watch newly sent items, then pick the due ones within the day's budget."""
        round_ = cls(source_id, policy, now, tuple(index_urls))
        with store.connect() as connection:
            sent = sent_items(connection, source_id, now - policy.window)
            known = watched_of(connection, [s.item_id for s in sent])
        new = [(s.item_id, s.sent_at) for s in sent if s.item_id not in known]
        if new:  # a write transaction only when there is something to watch
            with store.begin() as connection:
                round_.watched = watch_sent(connection, source_id, new, policy)
        with store.connect() as connection:
            due = due_items(connection, source_id, now)
            spent = spent_since(connection, source_id, now - DAY)
            ids = plan_round(due, now, spent, policy)
            round_.targets = recheck_targets(connection, ids)
        return round_

    def item(self, target: RecheckTarget) -> Item:
        """What classification needs of the target."""
        return Item(target.listed_url, target.published_at, self.index_urls)

    def to_index(self, target: RecheckTarget, seen: Observation) -> bool:
        return redirected_to_index(self.item(target), seen)

    def observe(self, target: RecheckTarget, seen: Observation) -> None:
        self.seen[target.item_id] = seen

    def finish(self, store: Store, *, listing_complete: bool) -> RoundResult | None:
        """Record the observations (one transaction); None when there were none."""
        if not self.seen:
            return None
        view = self.listing.view() if listing_complete else None
        by_id = {t.item_id: t for t in self.targets}
        rows = [(i, self.item(by_id[i]), seen) for i, seen in self.seen.items() if i in by_id]
        with store.begin() as connection:
            return record_round(connection, rows, view, self.policy)


def _aware(stamp: datetime) -> datetime:
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
