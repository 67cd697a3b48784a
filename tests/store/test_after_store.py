"""The after-store hooks: rule matches saved once per (item, rule), clusters joined, both
inside the batch's transaction."""

from __future__ import annotations

from sqlalchemy import func, select

from alerts.rules import ItemMatcher, MatchRecord
from crawler.store.clusters import NearDuplicates
from crawler.store.items import ItemRecord, insert_items, prepare_records
from crawler.store.matches import RuleMatches, save_matches
from crawler.store.schema import item_bands, items, rule_matches
from crawler.store.store import Store
from crawler.store.writer import write_batch
from tests.rules.test_item_matcher import Rule
from tests.store.helpers import record


def _matches(store: Store) -> list[tuple[int, str]]:
    with store.connect() as connection:
        query = select(rule_matches.c.item_id, rule_matches.c.rule_id).order_by(rule_matches.c.id)
        return [(int(i), str(r)) for i, r in connection.execute(query)]


def test_save_matches_stores_each_item_and_rule_once(store: Store) -> None:
    with store.begin() as connection:
        item_id = insert_items(connection, [record("https://a.example/1")]).new[0].id
        first = [MatchRecord(item_id, "r", [{"text": "t", "highlights": []}], [])]
        assert save_matches(connection, first, "crawl") == 1
        again = [*first, MatchRecord(item_id, "s", [], [])]
        assert save_matches(connection, again, "crawl") == 1
        assert save_matches(connection, [], "crawl") == 0
    assert _matches(store) == [(item_id, "r"), (item_id, "s")]


def test_rule_matches_hook_matches_fresh_items_and_never_duplicates(store: Store) -> None:
    matcher = ItemMatcher.from_config([Rule("cpec", "CPEC")], {})
    assert matcher is not None
    hook = RuleMatches(matcher)
    batch = prepare_records(
        [
            record("https://a.example/1", body="CPEC talks resumed."),
            record("https://b.example/1", body="CPEC talks resumed."),  # a re-post
            record("https://a.example/2", body="Weather."),
        ]
    )
    outcome = write_batch(store, batch, [hook])
    fresh = [item.id for item in outcome.fresh]
    assert len(outcome.duplicates) == 1
    assert _matches(store) == [(fresh[0], "cpec")]


def test_rule_matches_hook_matches_an_article_that_arrived_later(store: Store) -> None:
    """Stored from its listing, matched on its lead; its page arrives: only new rules add."""
    matcher = ItemMatcher.from_config([Rule("lead", "talks"), Rule("page", "corridor")], {})
    assert matcher is not None
    listed = ItemRecord("s", "https://a.example/1", "Talks", "", summary="Talks held.")
    [item] = write_batch(store, prepare_records([listed]), [RuleMatches(matcher)]).new
    page = ItemRecord(
        "s",
        "https://a.example/1",
        "Talks",
        "Talks on the economic corridor were held.",
        extra={"article": {"retried": True}},
    )
    write_batch(store, prepare_records([page]), [RuleMatches(matcher)])
    assert _matches(store) == [(item.id, "lead"), (item.id, "page")]


def test_near_duplicates_join_the_first_item_cluster(store: Store) -> None:
    body = " ".join(f"word{n}" for n in range(60))
    hook = NearDuplicates()
    first = write_batch(store, prepare_records([record("https://a.example/1", body=body)]), [hook])
    other = record("https://b.example/1", title="Other title", body=body + " extra")
    second = write_batch(store, prepare_records([other]), [hook])
    ids = [first.new[0].id, second.new[0].id]
    with store.connect() as connection:
        clusters = dict(connection.execute(select(items.c.id, items.c.cluster_id)).all())
        banded = connection.scalar(select(func.count(func.distinct(item_bands.c.item_id))))
    assert clusters[ids[0]] == clusters[ids[1]] == ids[0] and banded == 2
