"""Tests for crawler.extract.dates."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.extract.dates import find_date_in_text, parse_date

NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)

CASES = [
    ("15 марта 2018 года", datetime(2018, 3, 15, tzinfo=UTC)),
    ("28 of February of 2022", datetime(2022, 2, 28, tzinfo=UTC)),
    ("(2018-03-21)", datetime(2018, 3, 21, tzinfo=UTC)),
    ("March 3, 2020", datetime(2020, 3, 3, tzinfo=UTC)),
    ("03.05.2021", datetime(2021, 5, 3, tzinfo=UTC)),
    ("2020-03-05T10:00:00+02:00", datetime(2020, 3, 5, 8, 0, tzinfo=UTC)),
    ("2020-03-05T10:00:00Z", datetime(2020, 3, 5, 10, 0, tzinfo=UTC)),
    ("2020-03-05T10:00:00.123+0530", datetime(2020, 3, 5, 4, 30, tzinfo=UTC)),
    ("2020-03-05 10:00", datetime(2020, 3, 5, 10, 0, tzinfo=UTC)),
    ("2020-03-05", datetime(2020, 3, 5, tzinfo=UTC)),
    ("20200305", datetime(2020, 3, 5, tzinfo=UTC)),
    ("Mon, 02 Mar 2020 10:00:00 GMT", datetime(2020, 3, 2, 10, 0, tzinfo=UTC)),
    ("Mon, 02 Mar 2020 10:00:00 +0300", datetime(2020, 3, 2, 7, 0, tzinfo=UTC)),
    ("02 Mar 2020 10:00:00 EST", datetime(2020, 3, 2, 15, 0, tzinfo=UTC)),
    ("1 день назад", datetime(2024, 1, 9, 12, 0, tzinfo=UTC)),
    ("2 hours ago", datetime(2024, 1, 10, 10, 0, tzinfo=UTC)),
    ("yesterday", datetime(2024, 1, 9, 12, 0, tzinfo=UTC)),
    ("3 days ago", datetime(2024, 1, 7, 12, 0, tzinfo=UTC)),
    ("an hour ago", datetime(2024, 1, 10, 11, 0, tzinfo=UTC)),
    ("hace 3 días", datetime(2024, 1, 7, 12, 0, tzinfo=UTC)),
    ("2020年3月5日", datetime(2020, 3, 5, tzinfo=UTC)),
    ("2020年03月05日 14:30", datetime(2020, 3, 5, 14, 30, tzinfo=UTC)),
    ("2013년 10월 24일", datetime(2013, 10, 24, tzinfo=UTC)),
    ("le 3 février 2021 à 14h30", datetime(2021, 2, 3, 14, 30, tzinfo=UTC)),
    ("12 décembre 2019", datetime(2019, 12, 12, tzinfo=UTC)),
    ("1er mars 2020", datetime(2020, 3, 1, tzinfo=UTC)),
    ("5 de marzo de 2020", datetime(2020, 3, 5, tzinfo=UTC)),
    ("Martes, 17 de noviembre de 2020", datetime(2020, 11, 17, tzinfo=UTC)),
    ("17 novembre 2020", datetime(2020, 11, 17, tzinfo=UTC)),
    ("5. März 2019", datetime(2019, 3, 5, tzinfo=UTC)),
    ("5 de março de 2019", datetime(2019, 3, 5, tzinfo=UTC)),
    ("1 сентября 2021 г.", datetime(2021, 9, 1, tzinfo=UTC)),
    ("25 января 2022, 14:05", datetime(2022, 1, 25, 14, 5, tzinfo=UTC)),
    ("12 листопада 2021", datetime(2021, 11, 12, tzinfo=UTC)),
    ("Sept. 5, 2019", datetime(2019, 9, 5, tzinfo=UTC)),
    ("September 5th, 2019", datetime(2019, 9, 5, tzinfo=UTC)),
    ("Jan 7, 2021 3:45 PM", datetime(2021, 1, 7, 15, 45, tzinfo=UTC)),
    ("Thursday, 10 December 2020 - 12:20", datetime(2020, 12, 10, 12, 20, tzinfo=UTC)),
    ("10 Dec 2020", datetime(2020, 12, 10, tzinfo=UTC)),
    ("Posted on 4 July 2019 by admin", datetime(2019, 7, 4, tzinfo=UTC)),
    ("21 Ogos 2020", datetime(2020, 8, 21, tzinfo=UTC)),
    ("3 Mac 2020", datetime(2020, 3, 3, tzinfo=UTC)),
    ("15/03/2018", datetime(2018, 3, 15, tzinfo=UTC)),
    ("03/15/2018", datetime(2018, 3, 15, tzinfo=UTC)),
    ("1/25/20", datetime(2020, 1, 25, tzinfo=UTC)),
    ("2018/03/15", datetime(2018, 3, 15, tzinfo=UTC)),
    ("15-03-2018", datetime(2018, 3, 15, tzinfo=UTC)),
    ("٢٠٢٠-٠٣-٠٥", datetime(2020, 3, 5, tzinfo=UTC)),
    ("۱۵/۰۳/۲۰۱۸", datetime(2018, 3, 15, tzinfo=UTC)),
    ("  2019-08-22  ", datetime(2019, 8, 22, tzinfo=UTC)),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_date_formats(text: str, expected: datetime) -> None:
    found = parse_date(text, now=NOW)
    assert found is not None, text
    assert found.tzinfo is not None
    assert found == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "garbage",
        "no date here at all",
        "99.99.9999",
        "2020-13-45",
        "1985-01-01",
        "2099-01-01",
        "31 February 2020",
        "<html>",
        "\x00\x01\x02",
        "0",
        "tomorrow + 400 years",
    ],
)
def test_parse_date_failures(text: str) -> None:
    assert parse_date(text, now=NOW) is None


def test_naive_dates_get_the_given_timezone() -> None:
    plus3 = timezone(timedelta(hours=3))
    found = parse_date("2020-03-05 10:00", tz=plus3, now=NOW)
    assert found == datetime(2020, 3, 5, 10, 0, tzinfo=plus3)


def test_date_order_settles_ambiguous_numeric_dates() -> None:
    assert parse_date("1/6/20", date_order="MDY", now=NOW) == datetime(2020, 1, 6, tzinfo=UTC)
    assert parse_date("1/6/20", now=NOW) == datetime(2020, 6, 1, tzinfo=UTC)


def test_future_dates_beyond_two_days_are_rejected() -> None:
    assert parse_date("2024-01-11", now=NOW) is not None
    assert parse_date("2024-01-20", now=NOW) is None


def test_languages_restrict_dateparser() -> None:
    assert parse_date("vendredi 3 janvier 2020", languages=["fr"], now=NOW) == datetime(
        2020, 1, 3, tzinfo=UTC
    )
    assert parse_date("hace 2 horas", languages=["es-ES"], now=NOW) == NOW - timedelta(hours=2)
    assert parse_date("2 hours ago", languages=["xx-unknown"], now=NOW) is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Statement by the minister on July 3, 2020", datetime(2020, 7, 3, tzinfo=UTC)),
        ("Statement at the summit (May 15, 2020)", datetime(2020, 5, 15, tzinfo=UTC)),
        (
            "OSCE Ministerial Council (Bratislava, December 5, 2019)",
            datetime(2019, 12, 5, tzinfo=UTC),
        ),
        ("RETREAT NHA TRANG, VIETNAM 15-17 JANUARY 2020", datetime(2020, 1, 17, tzinfo=UTC)),
        ("会议于2020年3月5日举行", datetime(2020, 3, 5, tzinfo=UTC)),
        ("Briefing 2021-06-01 transcript", datetime(2021, 6, 1, tzinfo=UTC)),
    ],
)
def test_find_date_in_text(text: str, expected: datetime) -> None:
    assert find_date_in_text(text, now=NOW) == expected


def test_find_date_in_text_without_date() -> None:
    assert find_date_in_text("Statement of the Ministry of Foreign Affairs", now=NOW) is None
    assert find_date_in_text("", now=NOW) is None


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120))
def test_parse_date_never_raises(text: str) -> None:
    found = parse_date(text, now=NOW)
    assert found is None or found.tzinfo is not None
    find_date_in_text(text, now=NOW)


WARM_UP_PROBE = """
import json
from dateparser.languages.loader import default_loader
from crawler.extract import dates
dates.warm_up()
warmed = len(default_loader._loaded_locales)
dates.parse_date("Posted on a day nobody can name", now=dates.datetime.now(dates.UTC))
print(json.dumps([warmed, len(default_loader._loaded_locales)]))
"""


def test_warm_up_loads_every_locale_a_hintless_date_would_try() -> None:
    """The crawl forkserver calls warm_up, so that no child spends ~1 s loading dateparser's
    locales at its first date without a language hint (a fresh interpreter, so that no
    other test has loaded them first)."""
    done = subprocess.run(
        [sys.executable, "-c", WARM_UP_PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    warmed, after = json.loads(done.stdout.strip().splitlines()[-1])
    assert warmed > 100 and after == warmed
