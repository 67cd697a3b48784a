"""The one formatter of the CLI: schedules, times, elapsed seconds and counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.crawl.summary import RunSummary
from crawler.formatting import format_due, format_schedule, format_seconds, format_time, plural

MOMENT = datetime(2026, 12, 4, 3, 5, tzinfo=UTC)


def test_schedules_read_as_written_in_the_config() -> None:
    assert format_schedule(timedelta(hours=1), None) == "every 1h"
    assert format_schedule(timedelta(minutes=90), None) == "every 1h30m"
    assert format_schedule(None, "0 */2 * * *") == "cron 0 */2 * * *"
    assert format_schedule(None, None) == "-"


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", "2026-12-04 03:05 UTC"),
        ("Asia/Karachi", "2026-12-04 08:05 PKT"),
        ("Asia/Tashkent", "2026-12-04 08:05 UTC+05"),  # a zone without an abbreviation
    ],
)
def test_times_always_name_their_zone(zone: str, expected: str) -> None:
    assert format_time(MOMENT, zone) == expected


def test_naive_times_are_utc_and_none_is_a_dash() -> None:
    assert format_time(MOMENT.replace(tzinfo=None)) == "2026-12-04 03:05 UTC"
    assert format_time(None) == "-"


def test_due_times() -> None:
    assert format_due(MOMENT, MOMENT + timedelta(seconds=1)) == "now (due)"
    assert format_due(MOMENT, MOMENT - timedelta(hours=1)) == "2026-12-04 03:05 UTC"
    assert format_due(None, MOMENT) == "-"


def test_elapsed_seconds() -> None:
    assert [format_seconds(s) for s in (0.04, 7.25, 59.9, 125, 7300)] == [
        "0.0s",
        "7.2s",
        "59.9s",
        "2m05s",
        "2h01m",
    ]


def test_plurals() -> None:
    assert plural(1, "new match") == "1 new match"
    assert plural(0, "new match") == "0 new matches"
    assert plural(2, "source") == "2 sources"
    assert plural(3, "entry") == "3 entries"
    assert plural(2, "pending delivery", "pending deliveries") == "2 pending deliveries"


def test_crawl_time_is_the_process_wall_time_when_known() -> None:
    run = RunSummary("s", MOMENT, finished_at=MOMENT + timedelta(seconds=0.1))
    assert run.elapsed == pytest.approx(0.1)
    run.process_seconds = 6.8
    assert run.elapsed == 6.8
    assert RunSummary.from_json(run.to_json()).process_seconds == 6.8
