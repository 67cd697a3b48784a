"""The date model in the store: UTC instant, the source's own day and the precision."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic import command

from alerts.digest.formatting import format_published
from crawler.items import ArticleItem
from crawler.pipelines.validate import ValidatePipeline
from crawler.store import migrate
from crawler.store.items import insert_items
from crawler.store.queries import get_item, search_items
from crawler.store.store import Store
from tests.store.helpers import record

PLUS_EIGHT = timezone(timedelta(hours=8))


def test_store_keeps_utc_instant_local_day_and_precision(store: Store) -> None:
    timed = replace(
        record("https://a.example/timed", title="Timed"),
        published_at=datetime(2020, 10, 14, 5, 50, tzinfo=PLUS_EIGHT),
        published_date=date(2020, 10, 14),
        published_precision="minute",
    )
    day_only = replace(
        record("https://a.example/day", title="Day only"),
        published_at=datetime(2020, 7, 1, tzinfo=UTC),
        published_date=date(2020, 7, 1),
        published_precision="day",
    )
    with store.begin() as connection:
        stored = insert_items(connection, [timed, day_only, record("https://a.example/none")])
    ids = {item.record.title: item.id for item in stored.new}
    with store.connect() as connection:
        row = get_item(connection, ids["Timed"])
        assert row is not None
        assert row.published_at == datetime(2020, 10, 13, 21, 50, tzinfo=UTC)
        assert row.published_date == date(2020, 10, 14)
        assert row.published_precision == "minute" and not row.date_only
        listed = {r.title: r for r in search_items(connection)}
    assert listed["Day only"].date_only
    assert listed["Day only"].to_json()["published_date"] == "2020-07-01"
    assert listed["Statement"].published_date is None


def test_migration_0008_fills_the_utc_day_of_existing_rows(store: Store) -> None:
    with store.begin() as connection:
        insert_items(
            connection,
            [record("https://a.example/1", published_at=datetime(2021, 3, 4, 23, tzinfo=UTC))],
        )
    command.downgrade(migrate.alembic_config(store.engine), "0005")
    store.upgrade()
    with store.connect() as connection:
        (row,) = search_items(connection)
    assert row.published_date == date(2021, 3, 4)
    assert row.published_precision is None  # unknown for rows stored before 0008


def _validated(**fields: Any) -> ArticleItem:
    class Stats:
        def inc_value(self, key: str, count: int = 1) -> None:
            pass

    class Crawler:
        stats = Stats()

    item = ArticleItem(source_id="s", url="https://a.example/x", title="T", **fields)
    return ValidatePipeline(Crawler()).process_item(item)


@pytest.mark.parametrize(
    ("published_at", "day", "precision"),
    [
        (datetime(2020, 10, 14, 5, 50, tzinfo=PLUS_EIGHT), date(2020, 10, 14), "second"),
        (datetime(2020, 7, 1, tzinfo=UTC), date(2020, 7, 1), "day"),
        (None, None, None),
    ],
)
def test_validate_fills_the_source_day_and_a_precision(
    published_at: datetime | None, day: date | None, precision: str | None
) -> None:
    item = _validated(published_at=published_at)
    assert item.published_date == day
    assert item.published_precision == precision


def test_validate_keeps_what_the_spider_gave() -> None:
    item = _validated(
        published_at=datetime(2020, 7, 1, 9, tzinfo=UTC),
        published_date=date(2020, 7, 1),
        published_precision="minute",
    )
    assert item.published_precision == "minute"


def test_digest_shows_date_only_as_a_date_and_the_source_day_where_it_differs() -> None:
    day = format_published(datetime(2020, 7, 1, tzinfo=UTC), date(2020, 7, 1), "day", "UTC")
    assert day == "1 Jul 2020"
    timed = datetime(2020, 10, 14, 5, 50, tzinfo=PLUS_EIGHT)
    shown = format_published(timed, date(2020, 10, 14), "minute", "Europe/London")
    assert shown == "13 Oct 2020, 22:50 BST (14 Oct 2020 at the source)"
    same = format_published(timed, date(2020, 10, 14), "minute", "Asia/Shanghai")
    assert same == "14 Oct 2020, 05:50 CST"
    assert format_published(None, None, None, "UTC") == ""
    assert format_published(timed, None, None, "UTC") == "13 Oct 2020, 21:50 UTC"
