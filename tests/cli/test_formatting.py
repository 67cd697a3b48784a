"""The one formatter of the CLI: schedules, times, elapsed seconds and counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.cli.config_cmd import render_summary
from crawler.crawl.summary import RunSummary
from crawler.formatting import (
    format_due,
    format_schedule,
    format_seconds,
    format_time,
    plural,
    redact_url,
)
from tests.daemon.helpers import make_config

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


def test_database_urls_never_show_their_password() -> None:
    url = "postgresql+psycopg://presswatch:s3cret@db.example:5432/presswatch"
    assert redact_url(url) == "postgresql+psycopg://presswatch:***@db.example:5432/presswatch"
    assert redact_url("sqlite:////var/lib/presswatch/presswatch.db").endswith("presswatch.db")
    assert redact_url("not a url with s3cret") == "<unparsable database URL>"


def test_check_config_masks_the_database_password(tmp_path: Path) -> None:
    config = make_config(tmp_path / "config")
    secret = "postgresql+psycopg://pw:s3cret@127.0.0.1:9/none"
    config = replace(config, environ={**config.environ, "PRESSWATCH_DATABASE_URL": secret})
    summary = render_summary(config)
    assert "s3cret" not in summary
    assert f"database: {redact_url(secret)}" in summary
