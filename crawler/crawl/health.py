"""Source health after a run.

States (first that applies):

* ``interrupted``: the crawl was stopped by SIGTERM/SIGINT (daemon shutdown or restart,
  Ctrl-C; Scrapy's finish reason ``shutdown``).  Not a failure: what was fetched is stored,
  the failure count is left as it was (neither raised nor reset) and the next run goes on.

* ``blocked``: an index URL answered 401/403/429 or a challenge page ("Just a moment...")
  and no index URL succeeded.
* ``error``: no index URL was fetched (errors, timeouts, the process died or hung), the
  crawl did not finish normally, or a batch of items could not be stored (the database
  refused it: disk full, say; those items are fetched again next run).  After
  ``health.failing_after`` (default 3) such runs in a row the state is ``failing``.
* ``error`` too when extraction raised (a bug in our code, not the page: counted by exception
  type in `RunSummary.extraction_errors`) and no entry was found; with entries the run is
  ``degraded`` and the detail names the types ("extraction errors: TypeError 3").
* ``empty``: index URLs answered 200 but no entry was found on any of them (selectors
  match nothing: the site was probably redesigned).
* ``degraded``: the run stored its entries but more than ``health.degraded_above``
  (default 30 %) of the article pages it tried failed; the detail names the most common
  reason ("12 of 18 article pages: HTTP 404").  The items were stored from their listing
  and their pages are retried on later runs.
* ``degraded`` too when an index page failed while others were fetched: a listing's pager
  page (5xx, timeout, a challenge, a linked page listing nothing), a child sitemap, one of
  several URLs.  The detail names the page and its error ("listing page failed:
  https://example.org/news?page=2: HTTP 503"); the entries of the pages that worked are stored.
* ``degraded`` too when every recheck of the source's sent items failed (two at least: 5xx,
  no answer, 404 or a redirect to the index alike): a source outage, never withdrawals
  (docs/evidence.md#withdrawals).
* ``quiet``: the run succeeded but the source's newest item is older than
  ``expect_new_within`` (the source's, else ``health.default_expect_new_within``).
* ``ok`` otherwise - a success resets the failure count.

Failed articles below that share leave the state ``ok`` and are counted in
`crawl_runs.errors`; ``ok`` means the entries and their articles arrived.
``health_since`` is when the current state began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler.crawl.summary import RunSummary

FAILURES = frozenset({"error", "failing", "blocked", "empty"})
# Scrapy's finish reason when a signal stopped the crawl (also the runner's for a child the
# shutdown had to kill).
STOPPED = "shutdown"


@dataclass(frozen=True)
class HealthState:
    state: str
    consecutive_failures: int
    detail: str


def raw_state(run: RunSummary) -> str:
    """The state this run alone shows (before failure counting and quietness)."""
    if run.finish_reason == STOPPED:
        return "interrupted"
    succeeded = run.index_ok + run.index_not_modified
    if run.index_blocked and not succeeded:
        return "blocked"
    if not succeeded or run.finish_reason != "finished" or run.store_errors:
        return "error"
    if run.extraction_errors and not run.entries:
        return "error"
    if run.index_empty and not run.entries and not run.index_not_modified:
        return "empty"
    return "ok"


def article_trouble(run: RunSummary, degraded_above: float) -> str | None:
    """ "12 of 18 article pages: HTTP 404" when failed articles exceed the share, else None."""
    tried = run.articles_ok + run.articles_failed
    if not run.articles_failed or run.articles_failed <= degraded_above * tried:
        return None
    reasons = ", ".join(f"{reason}" for reason in list(run.article_failures)[:2])
    return f"{run.articles_failed} of {tried} article pages: {reasons or 'failed'}"


def index_trouble(run: RunSummary) -> str | None:
    """The detail naming the index pages that failed in a run that fetched others, else None."""
    if not run.index_failures:
        return None
    more = len(run.index_failures) - 1
    first = run.index_failures[0]
    if not more:
        return f"listing page failed: {first}"
    return f"{len(run.index_failures)} listing pages failed: {first} (+{more} more)"


def recheck_trouble(run: RunSummary) -> str | None:
    """The detail of a recheck round whose every recheck failed, else None."""
    if not run.recheck_outage:
        return None
    return f"source outage: all {run.rechecks} rechecks of sent items failed"


def extraction_trouble(run: RunSummary) -> str | None:
    """The detail "extraction errors: TypeError 3" when extraction raised, else None."""
    kinds = ", ".join(f"{kind} {n}" for kind, n in run.extraction_errors.items())
    return f"extraction errors: {kinds}" if kinds else None


def assess(
    run: RunSummary,
    previous_failures: int,
    failing_after: int,
    last_new_item_at: datetime | None,
    expect_new_within: timedelta | None,
    now: datetime,
    degraded_above: float = 0.3,
) -> HealthState:
    """The source's health after this run."""
    state = raw_state(run)
    if state == "interrupted":  # a shutdown says nothing about the source
        detail = f"stopped at shutdown before finishing ({run.items_new} new items stored)"
        return HealthState(state, previous_failures, detail)
    failures = previous_failures + 1 if state in FAILURES else 0
    bug = extraction_trouble(run)
    detail = "; ".join(([bug] if bug else []) + run.messages[:5])
    trouble = None
    if state == "ok":
        trouble = (
            bug
            or index_trouble(run)
            or recheck_trouble(run)
            or article_trouble(run, degraded_above)
        )
    if trouble is not None:
        return HealthState("degraded", failures, trouble)
    if state == "error" and failures >= failing_after:
        state = "failing"
        detail = f"{failures} failed runs in a row" + (f": {detail}" if detail else "")
    stale = last_new_item_at is None or (
        expect_new_within is not None and now - last_new_item_at > expect_new_within
    )
    if state == "ok" and expect_new_within is not None and stale:
        state = "quiet"
        detail = f"no new item for more than {expect_new_within}"
    return HealthState(state, failures, detail)
