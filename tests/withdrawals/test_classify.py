"""Withdrawal classification (pure): stable 404/410 twice some hours apart, a redirect to
the section index, dropped from a listing that still shows older items => withdrawn; a
source-wide outage is a health problem; the recheck schedule and its budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.store.withdrawal import (
    Due,
    Item,
    ListingView,
    Observation,
    RecheckPolicy,
    classify,
    next_recheck,
    plan_round,
    source_outage,
)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
POLICY = RecheckPolicy()
LISTING = "https://mfa.example/en/press/"
ITEM = Item("https://mfa.example/en/press/0042.html", T0 - timedelta(days=2), [LISTING])


def _seen(hours: float, status: int | None, final_url: str | None = None) -> Observation:
    return Observation(T0 + hours * H, status, final_url or (ITEM.url if status else None))


def _state(*history: Observation, listing: ListingView | None = None, outage: bool = False) -> str:
    return classify(ITEM, list(history), listing, outage=outage, policy=POLICY).state


def test_a_single_404_is_only_suspect() -> None:
    assert _state(_seen(0, 200), _seen(6, 404)) == "suspect"


@pytest.mark.parametrize("status", [404, 410])
def test_gone_twice_hours_apart_is_withdrawn(status: int) -> None:
    verdict = classify(
        ITEM, [_seen(0, status), _seen(7, status)], None, outage=False, policy=POLICY
    )
    assert verdict.state == "withdrawn" and f"HTTP {status}" in verdict.reason


def test_gone_twice_too_close_together_is_still_suspect() -> None:
    assert _state(_seen(0, 404), _seen(1, 404)) == "suspect"


def test_a_page_served_in_between_restarts_the_streak() -> None:
    assert _state(_seen(0, 404), _seen(3, 200), _seen(9, 404)) == "suspect"


def test_an_error_in_between_neither_confirms_nor_breaks_the_streak() -> None:
    assert _state(_seen(0, 404), _seen(3, None), _seen(9, 410)) == "withdrawn"


def test_a_redirect_to_the_section_index_is_withdrawn() -> None:
    verdict = classify(ITEM, [_seen(0, 200, LISTING)], None, outage=False, policy=POLICY)
    assert verdict.state == "withdrawn" and "section index" in verdict.reason
    assert _state(_seen(0, 200, "https://mfa.example/")) == "withdrawn"


def test_a_redirect_elsewhere_is_live() -> None:
    moved = "https://mfa.example/en/press/2026/0042-statement.html"
    assert _state(_seen(0, 200, moved)) == "live"


def test_dropped_from_a_listing_that_still_shows_older_items_is_withdrawn() -> None:
    older = ListingView(
        frozenset({"https://mfa.example/en/press/0041.html"}), T0 - timedelta(days=9)
    )
    assert _state(_seen(0, 200), listing=older) == "withdrawn"


def test_paged_out_of_the_listing_is_live() -> None:
    newer = ListingView(
        frozenset({"https://mfa.example/en/press/0050.html"}), T0 - timedelta(days=1)
    )
    assert _state(_seen(0, 200), listing=newer) == "live"
    shown = ListingView(frozenset({ITEM.url + "/"}), T0 - timedelta(days=9))
    assert _state(_seen(0, 200), listing=shown) == "live"


def test_an_item_the_listing_links_another_way_is_not_dropped() -> None:
    # http vs https, a tracking parameter: the same statement, as the store identifies it
    for link in ("http://mfa.example/en/press/0042.html?utm_source=rss", ITEM.url + "#top"):
        shown = ListingView(frozenset({link}), T0 - timedelta(days=9))
        assert _state(_seen(0, 200), listing=shown) == "live", link


def test_a_source_outage_is_never_a_withdrawal() -> None:
    others = [Item(f"https://mfa.example/en/press/{n}.html", None, [LISTING]) for n in (1, 2)]
    failing = [(others[0], Observation(T0, 503)), (others[1], Observation(T0, None))]
    gone = [(i, Observation(T0, 404, i.url)) for i in others]
    home = [(i, Observation(T0, 200, "https://mfa.example/")) for i in others]
    for round_ in (failing, gone, home):
        assert source_outage(round_)
    assert not source_outage([*failing, (ITEM, _seen(0, 200))])
    assert not source_outage(failing[:1])  # one failure says nothing of the site
    verdict = classify(ITEM, [_seen(0, 404), _seen(8, 404)], None, outage=True, policy=POLICY)
    assert verdict.state == "unknown" and "outage" in verdict.reason


def test_a_server_error_is_unknown_not_withdrawn() -> None:
    assert _state(_seen(0, 500)) == "unknown"


def test_rechecks_thin_out_with_age_and_stop_after_the_window() -> None:
    sent = T0
    assert next_recheck(sent, None, POLICY) == sent + 6 * H
    assert next_recheck(sent, sent + 30 * H, POLICY) == sent + 54 * H
    assert next_recheck(sent, sent + timedelta(days=10), POLICY) == sent + timedelta(days=13)
    assert next_recheck(sent, sent + timedelta(days=28), POLICY) is None
    assert next_recheck(sent, sent + timedelta(days=31), POLICY) is None


def test_request_cost_per_source_per_day() -> None:
    # 4 checks on day 0 (every 6h, the 4th at 24h), one a day to day 7, then every 3 days
    # up to day 28 (day 31 is past the window): as next_recheck schedules them.
    assert POLICY.checks_per_item() == 4 + 6 + 7
    assert POLICY.daily_cost(5) == 85  # 5 items sent a day: 85 requests a day, budget 50


def test_among_equally_checked_items_a_round_takes_the_most_overdue_within_the_budget() -> None:
    policy = RecheckPolicy(budget_per_source_per_day=3)
    due = [Due(n, T0 - n * H) for n in range(1, 6)] + [Due(9, T0 + H)]
    assert plan_round(due, T0, 0, policy) == [5, 4, 3]
    assert plan_round(due, T0, 2, policy) == [5]
    assert plan_round(due, T0, 3, policy) == []


def test_a_round_takes_a_suspects_confirmation_then_the_least_checked_first() -> None:
    policy = RecheckPolicy(budget_per_source_per_day=3)
    old = [Due(n, T0 - 48 * H, checks=10) for n in (1, 2)]  # long overdue, often checked
    young = [Due(n, T0 - H, checks=c) for n, c in ((3, 0), (4, 2), (5, 1))]
    suspect = Due(6, T0 - H, checks=12, suspect=True)  # gone once: confirm before all else
    assert plan_round([*old, *young, suspect], T0, 0, policy) == [6, 3, 5]
    # with room for all, every due item is taken, the old ones last
    roomy = RecheckPolicy(budget_per_source_per_day=10)
    assert plan_round([*old, *young, suspect], T0, 0, roomy)[-2:] == [1, 2]
