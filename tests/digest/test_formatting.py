"""Filters: dates in the reader's timezone, highlight spans, truncation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.digest import Snippet
from alerts.digest.formatting import (
    format_datetime,
    format_day_time,
    highlight_html,
    highlight_text,
    join_names,
    safe_url,
    shorten,
)
from alerts.digest.model import merge_spans

MOMENT = datetime(2026, 11, 28, 4, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Karachi", "28 Nov 2026, 09:15 PKT"),
        ("Europe/Moscow", "28 Nov 2026, 07:15 MSK"),
        ("Asia/Shanghai", "28 Nov 2026, 12:15 CST"),
        ("America/New_York", "27 Nov 2026, 23:15 EST"),
        ("Asia/Dubai", "28 Nov 2026, 08:15 +04"),
    ],
)
def test_format_datetime(zone: str, expected: str) -> None:
    assert format_datetime(MOMENT, zone) == expected


def test_format_day_time_and_missing_date() -> None:
    assert format_day_time(MOMENT, "Asia/Karachi") == "28 Nov 09:15"
    assert format_datetime(None, "UTC") == ""


def test_merge_spans_clamps_sorts_and_merges() -> None:
    assert merge_spans([(5, 8), (0, 2), (1, 3), (7, 20), (-4, 0), (9, 9)], 10) == [
        (0, 3),
        (5, 10),
    ]


def test_highlights() -> None:
    snippet = Snippet("arms <control> talks", ((0, 4), (5, 14)))
    assert highlight_text(snippet) == "**arms** **<control>** talks"
    html = str(highlight_html(snippet))
    assert html.count("<mark") == 2 and "&lt;control&gt;</mark> talks" in html
    assert highlight_text(Snippet("no hits")) == "no hits"


def test_shorten_and_join() -> None:
    assert shorten("short\n title", 20) == "short title"
    assert shorten("one two three four five", 12) == "one two…"
    assert shorten("外交部发言人就战略稳定问题答记者问", 8) == "外交部发言人就…"
    assert join_names(["A", "B"]) == "A, B"
    assert join_names(list("ABCDE")) == "A, B, C +2 more"


def test_safe_url() -> None:
    assert safe_url("https://mid.ru/x") == "https://mid.ru/x"
    assert safe_url("javascript:alert(1)") == safe_url("data:text/html,x") == ""
