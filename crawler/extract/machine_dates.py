"""Machine-written dates (RFC 822 and its variants, W3C-DTF/ISO 8601, asctime) read strictly.

Feeds and HTTP-ish metadata write dates in a handful of machine formats. These are read with
feedparser's date handlers (the field's reference for the variants seen in the wild), held
to three rules of presswatch's: the offset the source wrote is kept (not just the UTC
instant), a text without a zone is wall-clock time in the source's zone, and a string shaped
like a machine date that does not parse as one is no date at all (never a partial guess).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from feedparser.datetimes.asctime import _parse_date_asctime
from feedparser.datetimes.greek import _parse_date_greek
from feedparser.datetimes.hungarian import _parse_date_hungarian
from feedparser.datetimes.korean import _parse_date_nate, _parse_date_onblog
from feedparser.datetimes.perforce import _parse_date_perforce
from feedparser.datetimes.rfc822 import _parse_date_rfc822
from feedparser.datetimes.w3dtf import _parse_date_w3dtf

Handler = Callable[[str], "time.struct_time | None"]

# Zone abbreviations feeds use, hours east of UTC. The one-letter-less US forms (ET, CT...)
# are Disney's; MET/MEST are Middle European. IST, BST and the like are ambiguous: absent.
ZONES: dict[str, float] = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "ETC/GMT": 0,
    "WET": 0,
    "WEST": 1,
    "CET": 1,
    "CEST": 2,
    "MET": 1,
    "MEST": 2,
    "MEZ": 1,
    "MESZ": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "AT": -4,
    "AST": -4,
    "ADT": -3,
    "ET": -5,
    "EST": -5,
    "EDT": -4,
    "CT": -6,
    "CST": -6,
    "CDT": -5,
    "MT": -7,
    "MST": -7,
    "MDT": -6,
    "PT": -8,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
    "JST": 9,
    "KST": 9,
    "HKT": 8,
    "SGT": 8,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
}
KST = timezone(timedelta(hours=9))
_NUMERIC_ZONE = re.compile(r"(?:\b(?:GMT|UTC|UT))?\s*([+-])(\d{1,2}):?(\d{2})?\s*$", re.I)
_NAMED_ZONE = re.compile(r"(?<![\w/])((?:Etc/)?[A-Za-z]{1,5})\s*$")
_WEEKDAY_START = re.compile(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b\.?,?\s", re.I)
_CLOCK = re.compile(r"\d:\d")
_MERIDIEM = re.compile(r"\b[ap]\.?m\b", re.I)
# An ISO-looking string: a first token starting "YYYY-", then only numeric tokens (a time, an
# offset). "2020-03-05 10:00 Uhr" is a page's free text, left to the free-form readers.
_ISO_START = re.compile(r"^\d{4}-\S*(?:\s+[\d+-]\S*)*$")
_KOREAN = re.compile(r"[년월일오후전]")
# ISO 8601 truncated forms with two-digit years (YY-MM-DD, YYMMDD, -YYMM, -YY-MM).
_TRUNCATED = (
    re.compile(r"^(\d{2})-(\d{2})-(\d{2})$"),
    re.compile(r"^(\d{2})(\d{2})(\d{2})$"),
    re.compile(r"^-(\d{2})-?(\d{2})()$"),
)
_GOOGLE_MONTH = re.compile(r"^(\d{4})-0(\d{2})-")  # "2003-012-31": a stray zero in the month


@dataclass(frozen=True)
class Verdict:
    """`shaped` says the text looked like a machine date; `value` is what it parsed to."""

    shaped: bool
    value: datetime | None = None


NOT_MACHINE = Verdict(False)


def machine_date(text: str, tz: tzinfo) -> Verdict:
    """Read `text` as a machine-written date; never raises."""
    text = _GOOGLE_MONTH.sub(r"\1-\2-", text)
    shaped = bool(_ISO_START.match(text)) or (
        bool(_WEEKDAY_START.match(text) and _CLOCK.search(text)) and not _MERIDIEM.search(text)
    )
    for handler in _HANDLERS:
        try:
            stamp = handler(text)
        except (ValueError, OverflowError, IndexError, KeyError, TypeError):
            stamp = None
        if stamp:
            value = _with_zone(text, stamp, tz, korean=handler in _KOREAN_HANDLERS)
            return Verdict(True, value) if value is not None else Verdict(True)
    if shaped and zone_offset(text) is None and not _has_zone_word(text):
        # feedparser's RFC 822 reader wants a zone; without one the time is the source's own
        stamp = _parse_date_rfc822(f"{text} GMT")
        if stamp:
            return Verdict(True, _with_zone(text, stamp, tz, korean=False))
    return Verdict(True) if shaped else NOT_MACHINE


def truncated_iso(text: str) -> datetime | None:
    """2003-12-31 written as 03-12-31, 031231, -0312 or -03-12 (a day-first reading failed)."""
    for pattern in _TRUNCATED:
        match = pattern.match(text)
        if match:
            year, month, day = match.groups()
            try:
                return datetime(2000 + int(year), int(month), int(day or 1), tzinfo=UTC)
            except ValueError:
                return None
    return None


def _with_zone(text: str, stamp: time.struct_time, tz: tzinfo, *, korean: bool) -> datetime | None:
    try:
        instant = datetime(*stamp[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
    if korean:
        return instant.astimezone(KST)
    offset = zone_offset(text)
    if offset is not None:
        try:
            return instant.astimezone(timezone(offset))
        except (ValueError, OverflowError):
            return instant
    if _has_zone_word(text):
        return instant  # a zone feedparser knew and we do not: its UTC reading stands
    return instant.replace(tzinfo=tz)  # no zone written: wall-clock time where the source is


def zone_offset(text: str) -> timedelta | None:
    """The UTC offset written at the end of a date string, if any."""
    numeric = _NUMERIC_ZONE.search(text)
    if numeric and _CLOCK.search(text[: numeric.start()]):
        sign, hours, minutes = numeric.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return -delta if sign == "-" else delta
    named = _NAMED_ZONE.search(text)
    if named and _CLOCK.search(text):
        hours = ZONES.get(named.group(1).upper())
        if hours is not None:
            return timedelta(hours=hours)
    return None


def _has_zone_word(text: str) -> bool:
    named = _NAMED_ZONE.search(text)
    return bool(named and _CLOCK.search(text[: named.start()]))


_KOREAN_HANDLERS: tuple[Handler, ...] = (_parse_date_nate, _parse_date_onblog)
_HANDLERS: tuple[Handler, ...] = (
    _parse_date_w3dtf,
    _parse_date_rfc822,
    _parse_date_asctime,
    _parse_date_perforce,
    _parse_date_hungarian,
    _parse_date_greek,
    *_KOREAN_HANDLERS,
)
