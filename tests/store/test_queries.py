"""search_items and get_item on both dialects."""

from __future__ import annotations

from datetime import timedelta

from crawler.store.items import insert_items
from crawler.store.queries import get_item, search_items
from crawler.store.store import Store
from tests.store.helpers import WHEN, record


def _seed(store: Store) -> None:
    with store.begin() as connection:
        insert_items(
            connection,
            [
                record(
                    "https://a.example/1",
                    source="a",
                    title="Budget",
                    body="Финансовая СТАБИЛЬНОСТЬ важна",
                    published_at=WHEN,
                ),
                record(
                    "https://a.example/2",
                    source="a",
                    title="Rates 100%",
                    body="The bank held rates.",
                    published_at=WHEN + timedelta(days=1),
                ),
                record(
                    "https://b.example/1",
                    source="b",
                    title="Стабильность рубля",
                    body="Курс",
                    published_at=WHEN - timedelta(days=1),
                ),
                record("https://b.example/2", source="b", title="Undated", body="under_score text"),
            ],
        )


def test_search_orders_newest_first_and_filters(store: Store) -> None:
    _seed(store)
    with store.connect() as connection:
        everything = search_items(connection)
        assert [row.title for row in everything][1:] == [
            "Rates 100%",
            "Budget",
            "Стабильность рубля",
        ]
        assert everything[0].title == "Undated"  # first seen now, after every publication
        assert [r.url for r in search_items(connection, source_id="a")] == [
            "https://a.example/2",
            "https://a.example/1",
        ]
        since = search_items(connection, since=WHEN)
        assert {r.title for r in since} == {"Budget", "Rates 100%", "Undated"}
        assert len(search_items(connection, limit=2)) == 2
        assert everything[1].published_at is not None and everything[1].published_at.tzinfo


def test_text_search_is_case_insensitive_in_every_script(store: Store) -> None:
    _seed(store)
    with store.connect() as connection:
        found = search_items(connection, text="стабильность")
        assert {row.title for row in found} == {"Budget", "Стабильность рубля"}
        assert [r.title for r in search_items(connection, text="BANK")] == ["Rates 100%"]
        assert [r.title for r in search_items(connection, text="100%")] == ["Rates 100%"]
        assert [r.title for r in search_items(connection, text="b_nk")] == []
        assert [r.title for r in search_items(connection, text="under_score")] == ["Undated"]


def test_get_item(store: Store) -> None:
    _seed(store)
    with store.connect() as connection:
        row = search_items(connection, text="Budget")[0]
        item = get_item(connection, row.id)
        assert item is not None and item.body == "Финансовая СТАБИЛЬНОСТЬ важна"
        assert item.canonical_url == "https://a.example/1" and item.summary == ""
        assert item.published_at == WHEN and item.first_seen_at.tzinfo is not None
        assert get_item(connection, 10**9) is None
