"""A publication date as a source gave it: the instant, its precision, and its offset.

`parse_published` is the one entry point for "what date did this string give?": feeds,
listings and article pages all go through it, so a date-only value stays a date and an
offset written by the source is never replaced by ours.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Literal

from crawler.extract.dates import parse_date

Precision = Literal["year", "month", "day", "minute", "second"]

_TIME = re.compile(r"\d{1,2}[:.h]\d{2}(?:[:.]\d{2})?")
_SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")
_OFFSET = re.compile(
    r"(?:[+-]\d{1,2}:?\d{2}\b|\dZ\b|\b(?:UTC?|GMT|Z|[ECMPA][SD]?T|CES?T|MES?Z|MES?T|BST|IST"
    r"|MSK|WES?T|EES?T|[JK]ST|HKT|SGT|AES?T|AEDT|NZ[SD]T|AK[SD]T|HST)\b)"
)
_YEAR_ONLY = re.compile(r"\d{4}(?:\s*(?:года|год|г\.|年|년))?")
_MONTH_ONLY = re.compile(r"\d{4}-\d{1,2}|-\d{2}-?\d{2}|\d{1,2}[./]\d{4}|\d{4}\s*年\s*\d{1,2}\s*月")
_MONTH_NAME_YEAR = re.compile(r"[^\W\d_]{3,12}\.?,?\s+\d{4}(?:\s*(?:года|г\.))?")


@dataclass(frozen=True)
class PublishedDate:
    """`value` is aware: in the source's own zone (its written offset, else the assumed one).

    `explicit_offset` is False when the text carried no zone and the source's configured
    timezone (or UTC) was assumed. A date-only value is midnight of that day in that zone.
    """

    value: datetime
    precision: Precision
    explicit_offset: bool

    @property
    def local_date(self) -> date:
        """The calendar day in the source's own timezone (what the source says it published)."""
        return self.value.date()

    @property
    def has_time(self) -> bool:
        return self.precision in ("minute", "second")

    def utc(self) -> datetime:
        return self.value.astimezone(UTC)


def parse_published(
    text: str,
    *,
    languages: Sequence[str] = (),
    tz: tzinfo = UTC,
    now: datetime | None = None,
    date_order: str | None = None,
) -> PublishedDate | None:
    """Parse one date string keeping its precision and offset; None when it is no date."""
    value = parse_date(text, languages=languages, tz=tz, now=now, date_order=date_order)
    if value is None:
        return None
    return PublishedDate(value, _precision(text), bool(_OFFSET.search(text or "")))


def from_datetime(value: datetime, *, precision: Precision = "second") -> PublishedDate:
    """Wrap an already-aware datetime (naive values are taken as UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return PublishedDate(aware, precision, value.tzinfo is not None)


def _precision(text: str) -> Precision:
    """What the text gave, not what a datetime can hold: a year is a year, a month a month."""
    cleaned = (text or "").strip()
    if _SECONDS.search(cleaned):
        return "second"
    if _TIME.search(cleaned):
        return "minute"
    if _YEAR_ONLY.fullmatch(cleaned):
        return "year"
    if _MONTH_ONLY.fullmatch(cleaned) or _MONTH_NAME_YEAR.fullmatch(cleaned):
        return "month"
    return "day"
