"""`presswatch items` date column: date-only values as dates, the source's day where it differs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from crawler.cli.items_cmd import _stamp
from crawler.store.queries import ItemRow

SEEN = datetime(2020, 10, 20, 8, 0, tzinfo=UTC)


def row(published_at: datetime | None, day: date | None, precision: str | None) -> ItemRow:
    return ItemRow(
        id=1,
        source_id="s",
        title="T",
        url="https://a.example/1",
        canonical_url="https://a.example/1",
        published_at=published_at,
        first_seen_at=SEEN,
        language="en",
        summary="",
        published_date=day,
        published_precision=precision,
    )


def test_date_only_is_shown_as_a_date() -> None:
    shown = _stamp(row(datetime(2020, 7, 1, tzinfo=UTC), date(2020, 7, 1), "day"), ZoneInfo("UTC"))
    assert shown == ("2020-07-01", None)


def test_timed_value_in_the_reader_zone_with_the_source_day_where_it_differs() -> None:
    stored = datetime(2020, 10, 13, 21, 50, tzinfo=UTC)  # 2020-10-14 05:50 +08:00 at the source
    timed = row(stored, date(2020, 10, 14), "minute")
    assert _stamp(timed, ZoneInfo("Europe/London")) == ("2020-10-13 22:50", "2020-10-14")
    assert _stamp(timed, ZoneInfo("Asia/Shanghai")) == ("2020-10-14 05:50", None)


def test_undated_item_shows_when_it_was_first_seen() -> None:
    assert _stamp(row(None, None, None), ZoneInfo("UTC")) == ("2020-10-20 08:00", None)
