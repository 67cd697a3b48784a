"""Dates: every zone form kept, partial dates keep their precision, broken dates give none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crawler.extract.dates import parse_date
from crawler.extract.published import parse_published

NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


ZONED = [
    ("Thu Aug 30 2012 17:26:16 +0200", utc(2012, 8, 30, 15, 26, 16), 2 * 60),
    ("Sun Jul 15 01:16:00 +0000 2012", utc(2012, 7, 15, 1, 16, 0), 0),
    ("Wed, 19 Feb 2012 22:40:00 -01:01", utc(2012, 2, 19, 23, 41, 0), -61),
    ("Wed, 19 Feb 2012 22:40:00 GMT-01:01", utc(2012, 2, 19, 23, 41, 0), -61),
    ("Thu, 30 Apr 2015 08:57:00 MET", utc(2015, 4, 30, 7, 57, 0), 60),
    ("Thu, 30 Apr 2015 08:57:00 MEST", utc(2015, 4, 30, 6, 57, 0), 120),
    ("Mon, 26 January 2004 16:31:00 AT", utc(2004, 1, 26, 20, 31, 0), -4 * 60),
    ("Mon, 26 January 2004 16:31:00 ET", utc(2004, 1, 26, 21, 31, 0), -5 * 60),
    ("Mon, 26 January 2004 16:31:00 CT", utc(2004, 1, 26, 22, 31, 0), -6 * 60),
    ("Mon, 26 January 2004 16:31:00 MT", utc(2004, 1, 26, 23, 31, 0), -7 * 60),
    ("Mon, 26 January 2004 16:31:00 PT", utc(2004, 1, 27, 0, 31, 0), -8 * 60),
    ("Fri, 2006/09/15 08:19:53 EDT", utc(2006, 9, 15, 12, 19, 53), -4 * 60),
    ("2006/09/15 08:19:53 EDT", utc(2006, 9, 15, 12, 19, 53), -4 * 60),
    ("2004-07-08 23:56:58 -00:20", utc(2004, 7, 9, 0, 16, 58), -20),
    ("2004-05-25 오후 11:23:17", utc(2004, 5, 25, 14, 23, 17), 9 * 60),
    ("2004-05-25 오전 11:23:17", utc(2004, 5, 25, 2, 23, 17), 9 * 60),
    ("2004년 05월 28일  01:31:15", utc(2004, 5, 27, 16, 31, 15), 9 * 60),
    ("2003-012-31T10:14:55+00:00", utc(2003, 12, 31, 10, 14, 55), 0),
    ("15.03.2018 10:00 MSK", utc(2018, 3, 15, 7, 0, 0), 3 * 60),
]


@pytest.mark.parametrize(("text", "instant", "minutes"), ZONED)
def test_the_written_zone_gives_the_instant_and_is_kept(
    text: str, instant: datetime, minutes: int
) -> None:
    found = parse_date(text, now=NOW)
    assert found == instant, text
    assert found is not None and found.utcoffset() == timedelta(minutes=minutes)


INVALID = [
    "Sun, 16 Dec 2012 1:2:3:4 GMT",
    "Sun, 16 zzz 2012 11:47:32 GMT",
    "Sun, Dec x 2012 11:47:32 GMT",
    "Sun, 16 Dec zz 11:47:32 GMT",
    "Sun, 16 Dec 2012 11:47:32 +zz:00",
    "Sun, 99 Jun 2009 12:00:00 GMT",
    "2003-12-31T25:14:55Z",
    "2003-12-31T10:61:55Z",
    "2003-12-31T10:14:61Z",
    "2013-01-27-01",
    "2013-01-28T11:30:00-06:00Textra",
    "2013-xx-27",
    "2013-01-28T09:00:00+00:xx",
    "22013",
    "013",
    "",
]


@pytest.mark.parametrize("text", INVALID)
def test_a_broken_date_gives_no_date_not_a_guess(text: str) -> None:
    assert parse_date(text, now=NOW) is None
    assert parse_published(text, now=NOW) is None


def test_a_date_without_zone_is_wall_time_of_the_source() -> None:
    paris = ZoneInfo("Europe/Paris")
    found = parse_date("Thu, 01 Jan 2004 19:48:21", tz=paris, now=NOW)
    assert found == datetime(2004, 1, 1, 19, 48, 21, tzinfo=paris)


@pytest.mark.parametrize(
    ("text", "precision", "value"),
    [
        ("2003", "year", utc(2003, 1, 1)),
        ("2003-12", "month", utc(2003, 12, 1)),
        ("March 2020", "month", utc(2020, 3, 1)),
        ("2003-12-31", "day", utc(2003, 12, 31)),
        ("03-12-31", "day", utc(2003, 12, 31)),
        ("031231", "day", utc(2003, 12, 31)),
        ("Thu, 01 Jan 2004 00:00 GMT", "minute", utc(2004, 1, 1)),
        ("2003-12-31T10:14:55.1234Z", "second", utc(2003, 12, 31, 10, 14, 55)),
    ],
)
def test_partial_dates_keep_their_precision(text: str, precision: str, value: datetime) -> None:
    found = parse_published(text, now=NOW)
    assert found is not None, text
    assert found.precision == precision
    assert found.utc() == value


def test_explicit_offset_is_reported_for_named_and_minute_zones() -> None:
    found = parse_published("Mon, 26 January 2004 16:31:00 PT", now=NOW)
    assert found is not None and found.explicit_offset
    assert found.value.utcoffset() == timedelta(hours=-8)
    assert found.local_date == datetime(2004, 1, 26).date()
    plain = parse_published("2004-01-26 16:31", now=NOW, tz=timezone(timedelta(hours=3)))
    assert plain is not None and not plain.explicit_offset
    assert plain.utc() == utc(2004, 1, 26, 13, 31)


def test_day_first_page_dates_still_win_over_two_digit_iso() -> None:
    assert parse_date("12-03-20", now=NOW) == utc(2020, 3, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-03-05 10:00 Uhr", utc(2020, 3, 5, 10, 0)),
        ("2020-03-05, press release", utc(2020, 3, 5)),
        ("Monday, 12 March 2020 10:45", utc(2020, 3, 12, 10, 45)),
        ("Mon, March 12, 2020 10:45 AM", utc(2020, 3, 12, 10, 45)),
    ],
)
def test_page_dates_with_words_around_them_are_still_read(text: str, expected: datetime) -> None:
    assert parse_date(text, now=NOW) == expected
