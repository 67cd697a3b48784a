"""The recheck round end to end: real crawls (their own processes) of a fixture site whose
sent statements change, disappear and go down, with the round's clock injected (`--now`).

Edits come through the normal extraction and store path (EditWatch); withdrawals are
classified from what each recheck saw and the crawl's own listing; an outage is a health
problem, not a withdrawal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from crawler.daemon.render import to_text
from crawler.daemon.status import collect_status
from crawler.store.edits import pending_edit_notices
from crawler.store.evidence import records_of
from crawler.store.rechecks import pending_withdrawals
from crawler.store.schema import items
from crawler.store.store import Store
from tests.crawl.conftest import source_row
from tests.sites import FixtureSiteServer
from tests.withdrawals.site import (
    FILLER,
    SENT,
    ChangingSite,
    Statement,
    article_html,
    config_dir,
    crawl_at,
    edit_events,
    item_ids,
    send,
    states,
    with_store,
)

STABLE = "Both sides reaffirmed their commitment to strategic stability in the region."


def _statement(slug: str, day: int) -> Statement:
    return Statement(slug, f"Statement {slug}", day, f"{FILLER}\n\n{STABLE}")


def _published(fixture_site: FixtureSiteServer, slugs: list[str]) -> ChangingSite:
    site = ChangingSite(fixture_site.site)
    for day, slug in enumerate(slugs, start=1):
        site.publish(_statement(slug, day))
    return site


def _change_after_sending(fixture_site: FixtureSiteServer, site: ChangingSite) -> None:
    """What happens to the statements after they were sent."""
    site.unlist("paged")  # paged out: older than everything the listing shows
    site.unlist("dropped")  # taken off the listing, which still shows older items
    site.edit("typo", FILLER.replace("counterpart", "counterpart's") + "\n\n" + STABLE)
    site.edit("phrase", f"{FILLER}\n\n{STABLE} New sanctions were not discussed.")
    site.edit("removed", f"{FILLER}\n\nNothing else was said.")
    site.answer("g404", 404)
    site.answer("g410", 410)
    site.answer("index", 302, headers={"Location": "/news"})
    fixture_site.site.add("/en/archive/moved.html", article_html(site.statements["moved"]))
    site.answer("moved", 301, headers={"Location": "/en/archive/moved.html"})


def _check_edits(
    fixture_site: FixtureSiteServer, site: ChangingSite, store: Store, ids: dict[str, int]
) -> None:
    """Edit events of the revisions the round stored, and their evidence."""
    assert edit_events(store) == sorted(
        [
            (ids["phrase"], "sanctions", "new_match"),
            (ids["removed"], "stability", "passage_vanished"),
        ]
    )
    assert item_ids(store) == ids  # the moved statement kept its item
    with store.connect() as connection:
        notices = {n.kind: n for n in pending_edit_notices(connection)}
        revisions = dict(connection.execute(select(items.c.id, items.c.revision)).all())
    assert revisions[ids["typo"]] == 1  # a revision the store kept, which is no edit
    with store.connect() as connection:  # a revision of a matched item: a second capture
        captures = {r.capture for r in records_of(connection, ids["phrase"])}
        targets = {r.ref.target_uri for r in records_of(connection, ids["phrase"])}
    assert len(captures) == 2 and fixture_site.url(site.statements["phrase"].path) in targets
    assert "[-" in notices["passage_vanished"].diff_text and notices["new_match"].after


def test_changes_and_disappearances_of_sent_statements(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    slugs = ["paged", "anchor", "typo", "phrase", "removed", "g404", "g410", "index", "dropped"]
    slugs.append("moved")
    site = _published(fixture_site, slugs)
    directory = config_dir(fixture_site, tmp_path)
    first = crawl_at(directory, None)
    assert first.items_new == len(slugs)
    config, store = with_store(directory)
    ids = item_ids(store)
    send(store, list(ids.values()))

    _change_after_sending(fixture_site, site)

    run = crawl_at(directory, SENT + timedelta(hours=7))
    assert run.rechecks == len(slugs) and not run.recheck_outage
    seen = states(store)
    assert {slug: seen[ids[slug]][0] for slug in slugs} == {
        "paged": "live",
        "anchor": "live",
        "typo": "live",
        "phrase": "live",
        "removed": "live",
        "g404": "suspect",
        "g410": "suspect",
        "index": "withdrawn",
        "dropped": "withdrawn",
        "moved": "live",
    }
    _check_edits(fixture_site, site, store, ids)

    # An hour later nothing is due: no request.
    fixture_site.reset_counts()
    crawl_at(directory, SENT + timedelta(hours=8))
    assert fixture_site.count(site.statements["g404"].path) == 0

    # Gone again 7 hours later (past confirm_after): withdrawn; no edit recorded twice.
    run = crawl_at(directory, SENT + timedelta(hours=14))
    seen = states(store)
    assert seen[ids["g404"]] == ("withdrawn", 2) and seen[ids["g410"]][0] == "withdrawn"
    assert seen[ids["index"]] == ("withdrawn", 1)  # withdrawn items are rechecked no more
    assert len(edit_events(store)) == 2
    with store.connect() as connection:
        withdrawn = {w.item_id for w in pending_withdrawals(connection)}
    assert withdrawn == {ids[s] for s in ("g404", "g410", "index", "dropped")}

    report = collect_status(config, store, SENT + timedelta(hours=14))
    [source] = report.sources
    assert source.rechecks is not None
    assert (source.rechecks.watched, source.rechecks.withdrawn) == (6, 4)
    assert source.rechecks.budget == 50
    text = to_text(report)
    assert "fixture-listing: 6 watched, 0 due, 4 withdrawn, 0 unknown; " in text
    assert "/50 rechecks in the last 24 h" in text
    store.close()


def test_a_site_wide_outage_is_a_health_problem_not_a_withdrawal(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    slugs = ["one", "two", "three"]
    site = _published(fixture_site, slugs)
    directory = config_dir(fixture_site, tmp_path)
    crawl_at(directory, None)
    config, store = with_store(directory)
    ids = item_ids(store)
    send(store, list(ids.values()))
    site.answer("one", 503)
    site.answer("two", 404)  # during an outage a 404 says nothing either
    site.answer("three", 302, headers={"Location": "/"})

    run = crawl_at(directory, SENT + timedelta(hours=7))
    assert run.recheck_outage and run.health == "degraded"
    assert {state for state, _ in states(store).values()} == {"unknown"}
    row = source_row(config, "fixture-listing")
    assert row.health == "degraded" and "source outage" in row.health_detail
    with store.connect() as connection:
        assert pending_withdrawals(connection) == []
    store.close()


def test_the_budget_caps_a_round_and_a_source_can_opt_out(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    slugs = ["a", "b", "c", "d"]
    _published(fixture_site, slugs)
    directory = config_dir(fixture_site, tmp_path, rechecks={"budget_per_day": 3})
    crawl_at(directory, None)
    config, store = with_store(directory)
    send(store, list(item_ids(store).values()))

    run = crawl_at(directory, SENT + timedelta(hours=7))
    assert run.rechecks == 3
    run = crawl_at(directory, SENT + timedelta(hours=8))  # today's budget is spent
    assert run.rechecks == 0
    [source] = collect_status(config, store, SENT + timedelta(hours=8)).sources
    assert source.rechecks is not None
    assert (source.rechecks.spent, source.rechecks.budget, source.rechecks.due) == (3, 3, 1)
    store.close()

    off = config_dir(fixture_site, tmp_path / "off", rechecks=False)
    crawl_at(off, None)
    _, store = with_store(off)
    send(store, list(item_ids(store).values()))
    fixture_site.reset_counts()
    run = crawl_at(off, SENT + timedelta(hours=7))
    assert run.rechecks == 0 and states(store) == {}
    store.close()
