"""insert_items: new, unchanged, updated and duplicate items, on both dialects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from crawler.store.items import InsertOutcome, insert_items, known_url_fingerprints
from crawler.store.schema import item_revisions, items
from crawler.store.store import Store
from crawler.store.urls import content_fingerprint
from tests.store.helpers import WHEN, record


def _insert(store: Store, *records: object) -> InsertOutcome:
    with store.begin() as connection:
        return insert_items(connection, records)  # type: ignore[arg-type]


def _count(store: Store) -> int:
    with store.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(items)).scalar_one())


def test_new_items_are_reported_with_ids(store: Store) -> None:
    outcome = _insert(store, record("https://a.example/1"), record("https://a.example/2", body="x"))
    assert len(outcome.new) == 2 and len(outcome.fresh) == 2
    assert all(item.id > 0 for item in outcome.new)
    assert outcome.updated == [] and outcome.unchanged == 0
    assert _count(store) == 2


def test_same_url_same_content_is_a_no_op(store: Store) -> None:
    _insert(store, record("https://a.example/1?utm_source=x"))
    outcome = _insert(store, record("http://A.example/1#top"))
    assert outcome.new == [] and outcome.updated == [] and outcome.unchanged == 1
    assert _count(store) == 1


def test_changed_content_updates_and_records_a_revision(store: Store) -> None:
    first = _insert(store, record("https://a.example/1", body="old text")).new[0]
    outcome = _insert(store, record("https://a.example/1", body="new text", title="Fixed"))
    assert outcome.updated == [first.id] and outcome.new == []
    with store.connect() as connection:
        row = connection.execute(select(items).where(items.c.id == first.id)).one()
        revisions = connection.execute(select(item_revisions)).all()
    assert row.body == "new text" and row.title == "Fixed" and row.revision == 1
    assert row.content_fp == content_fingerprint("Fixed", "new text")
    assert [r.content_fp for r in revisions] == [content_fingerprint("Statement", "old text")]
    assert revisions[0].item_id == first.id


def test_same_content_new_url_same_source_is_a_duplicate(store: Store) -> None:
    first = _insert(store, record("https://a.example/1")).new[0]
    outcome = _insert(store, record("https://a.example/copy"))
    assert len(outcome.new) == 1 and outcome.fresh == []
    assert outcome.duplicates[0].duplicate_of == first.id
    assert _count(store) == 2


def test_same_content_from_another_source_is_not_a_duplicate(store: Store) -> None:
    _insert(store, record("https://a.example/1", source="a"))
    outcome = _insert(store, record("https://b.example/1", source="b"))
    assert len(outcome.fresh) == 1 and outcome.duplicates == []


def test_duplicates_within_one_batch(store: Store) -> None:
    outcome = _insert(
        store,
        record("https://a.example/1"),
        record("https://a.example/1?fbclid=1"),  # same URL: counted once
        record("https://a.example/2"),  # same content: duplicate of the first
        record("https://a.example/3", body="other"),
    )
    assert len(outcome.new) == 3
    assert len(outcome.fresh) == 2
    (duplicate,) = outcome.duplicates
    original = next(i for i in outcome.new if i.record.url == "https://a.example/1")
    assert duplicate.duplicate_of == original.id
    assert _count(store) == 3


def test_large_batch_spans_several_statements(store: Store) -> None:
    records = [record(f"https://a.example/{n}", body=f"body {n}") for n in range(2_500)]
    with store.begin() as connection:
        outcome = insert_items(connection, records)
    assert len(outcome.fresh) == 2_500
    assert len({item.id for item in outcome.new}) == 2_500
    with store.begin() as connection:
        assert insert_items(connection, records).unchanged == 2_500
    with store.connect() as connection:
        urls = [r.url for r in records[:10]] + ["https://a.example/none"]
        assert len(known_url_fingerprints(connection, urls)) == 10


def test_extra_json_round_trips(store: Store) -> None:
    from crawler.store.items import ItemRecord

    rec = ItemRecord("s", "https://a.example/x", "T", extra={"tags": ["é", 1]})
    item = _insert(store, rec).new[0]
    with store.connect() as connection:
        extra = connection.execute(select(items.c.extra).where(items.c.id == item.id)).scalar()
    assert extra == {"tags": ["é", 1]}


def test_published_at_round_trips_as_aware_utc(store: Store) -> None:
    paris = timezone(timedelta(hours=2))
    local = datetime(2025, 6, 1, 14, 0, 0, 123456, tzinfo=paris)
    item = _insert(store, record("https://a.example/1", published_at=local)).new[0]
    with store.connect() as connection:
        row = connection.execute(select(items).where(items.c.id == item.id)).one()
    assert row.published_at == local
    assert row.published_at.utcoffset() == timedelta(0)
    assert row.published_at.tzinfo is not None and row.first_seen_at.tzinfo is not None
    assert row.published_at.hour == 12
    assert abs(row.first_seen_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_naive_published_at_raises(store: Store) -> None:
    naive = WHEN.replace(tzinfo=None)
    with pytest.raises(ValueError, match="naive datetime"):
        _insert(store, record("https://a.example/1", published_at=naive))
    assert _count(store) == 0


def test_sqlite_stores_datetimes_in_sqlalchemys_format(database_url: str) -> None:
    from sqlalchemy import text

    if not database_url.startswith("sqlite"):
        return
    store = Store.from_url(database_url)
    try:
        _insert(store, record("https://a.example/1", published_at=WHEN))
        with store.connect() as connection:
            raw = connection.execute(text("SELECT published_at FROM items")).scalar_one()
        assert raw == "2025-03-01 12:30:00.000000"
    finally:
        store.close()
