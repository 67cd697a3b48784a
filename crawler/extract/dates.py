"""Date parsing for listings, feeds and articles: fast regex paths first, dateparser last."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

from crawler.extract.machine_dates import machine_date, truncated_iso, zone_offset

MIN_YEAR = 1990
FUTURE_SLACK = timedelta(days=2)
MAX_FALLBACK_CHARS = 80
_INVALID = object()

_MONTHS: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "janvier",
        "janv",
        "enero",
        "ene",
        "januar",
        "jän",
        "gennaio",
        "gen",
        "janeiro",
        "januari",
        "января",
        "январь",
        "янв",
        "січня",
        "stycznia",
        "ocak",
        "januarie",
    ),
    2: (
        "february",
        "feb",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "febrero",
        "februar",
        "febbraio",
        "fevereiro",
        "fev",
        "februari",
        "февраля",
        "февраль",
        "фев",
        "лютого",
        "lutego",
        "şubat",
    ),
    3: (
        "march",
        "mar",
        "mars",
        "marzo",
        "märz",
        "marz",
        "março",
        "marco",
        "maret",
        "mac",
        "maart",
        "марта",
        "март",
        "мар",
        "березня",
        "marca",
        "mart",
    ),
    4: (
        "april",
        "apr",
        "avril",
        "avr",
        "abril",
        "abr",
        "aprile",
        "апреля",
        "апрель",
        "апр",
        "квітня",
        "kwietnia",
        "nisan",
        "aprilie",
    ),
    5: (
        "may",
        "mai",
        "mayo",
        "maggio",
        "mag",
        "maio",
        "mei",
        "мая",
        "май",
        "травня",
        "maja",
        "mayıs",
    ),
    6: (
        "june",
        "jun",
        "juin",
        "junio",
        "juni",
        "giugno",
        "giu",
        "junho",
        "июня",
        "июнь",
        "июн",
        "червня",
        "czerwca",
        "haziran",
        "iunie",
    ),
    7: (
        "july",
        "jul",
        "juillet",
        "juil",
        "julio",
        "juli",
        "luglio",
        "lug",
        "julho",
        "июля",
        "июль",
        "июл",
        "липня",
        "lipca",
        "temmuz",
        "iulie",
    ),
    8: (
        "august",
        "aug",
        "août",
        "aout",
        "agosto",
        "ago",
        "agustus",
        "ogos",
        "augustus",
        "августа",
        "август",
        "авг",
        "серпня",
        "sierpnia",
        "ağustos",
        "aug.",
    ),
    9: (
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "set",
        "setembro",
        "sentyabr",
        "сентября",
        "сентябрь",
        "сен",
        "вересня",
        "września",
        "eylül",
        "septembrie",
    ),
    10: (
        "october",
        "oct",
        "octobre",
        "octubre",
        "oktober",
        "ottobre",
        "ott",
        "outubro",
        "out",
        "okt",
        "октября",
        "октябрь",
        "окт",
        "жовтня",
        "października",
        "ekim",
        "octombrie",
    ),
    11: (
        "november",
        "nov",
        "novembre",
        "noviembre",
        "novembro",
        "nopember",
        "ноября",
        "ноябрь",
        "ноя",
        "листопада",
        "listopada",
        "kasım",
        "noiembrie",
    ),
    12: (
        "december",
        "dec",
        "décembre",
        "decembre",
        "déc",
        "diciembre",
        "dic",
        "dezember",
        "dez",
        "dicembre",
        "dezembro",
        "desember",
        "disember",
        "декабря",
        "декабрь",
        "дек",
        "грудня",
        "grudnia",
        "aralık",
        "decembrie",
    ),
}
_MONTH_LOOKUP = {name: number for number, names in _MONTHS.items() for name in names}
_MONTH_ALT = "|".join(sorted((re.escape(n) for n in _MONTH_LOOKUP), key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th|er|º|°|-?го)?"
_FILL = r"(?:\s+(?:of|de|del|di|du)\b)?"
_TIME = (
    r"(?:[,\s\-–]+(?:at\s+|à\s+|a las\s+|в\s+)?"
    r"(\d{1,2})[:h.](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?"
)
_DMY_NAME = re.compile(
    rf"(?<!\d)(\d{{1,2}}){_ORD}\.?{_FILL}\s*({_MONTH_ALT})\.?{_FILL},?\s+(\d{{4}})(?!\d){_TIME}",
    re.IGNORECASE,
)
_MDY_NAME = re.compile(
    rf"(?<![\w])({_MONTH_ALT})\.?\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}})(?!\d){_TIME}", re.IGNORECASE
)
_ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?Z?$")
_NUMERIC = re.compile(r"(?<![\d.:/])(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?![\d/])" + _TIME)
_CJK = re.compile(
    r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일号]?"
    r"(?:\s*(\d{1,2})[:時시](\d{2}))?"
)
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\w*\s+\d{2,4}\s+\d{1,2}:\d{2}")
_RELATIVE = re.compile(
    r"^(\d+|an?|one)\s+(second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago$",
    re.IGNORECASE,
)
_RELATIVE_UNITS = {
    "second": timedelta(seconds=1),
    "sec": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "hr": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "0123456789" * 3)
_STRIP = " \t\r\n()[]{}<>|·•,;–—"


def parse_date(
    text: str,
    *,
    languages: Sequence[str] = (),
    tz: tzinfo = UTC,
    now: datetime | None = None,
    date_order: str | None = None,
) -> datetime | None:
    """Parse one date string to an aware datetime, or None; never raises.

    Naive results get `tz`.  `date_order` ("DMY", "MDY", "YMD") settles ambiguous numeric
    dates such as 1/6/20; the default is day-first unless the day-first reading is impossible.
    Results before 1990 or more than two days after `now` are rejected as absurd.
    """
    try:
        current = _aware(now or datetime.now(UTC), tz)
        cleaned = _clean(text)
        if not cleaned:
            return None
        found = _structured(cleaned, tz, current, date_order)
        if found is _INVALID:
            return None
        if found is None and len(cleaned) <= MAX_FALLBACK_CHARS:
            found = _dateparser(cleaned, tuple(languages), tz, current, date_order)
        return found if isinstance(found, datetime) and _plausible(found, current) else None
    except Exception:  # a date string must never break extraction
        return None


def find_date_in_text(
    text: str,
    *,
    tz: tzinfo = UTC,
    now: datetime | None = None,
    date_order: str | None = None,
) -> datetime | None:
    """First plausible date written inside free text (a title, a dateline); never raises."""
    try:
        current = _aware(now or datetime.now(UTC), tz)
        cleaned = (text or "").translate(_DIGITS)[:5000]
        for finder in (_from_names, _from_iso, _from_cjk, _from_numeric):
            found = finder(cleaned, tz, date_order)
            if found is not None and _plausible(found, current):
                return found
        return None
    except Exception:
        return None


def _clean(text: str) -> str:
    if not isinstance(text, str):
        return ""
    cleaned = " ".join(text.translate(_DIGITS).split()).strip(_STRIP)
    cleaned = re.sub(r"\s*(?:года|год|г\.)\s*$", "", cleaned, flags=re.IGNORECASE)
    return cleaned[:500]


def _aware(value: datetime, tz: tzinfo) -> datetime:
    result: datetime = value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return result


def plausible_date(value: datetime, now: datetime | None = None) -> bool:
    """Not before 1990 and not more than two days ahead of `now` (default: the clock)."""
    return _plausible(value, now or datetime.now(UTC))


def _plausible(value: datetime, now: datetime) -> bool:
    return value.year >= MIN_YEAR and value <= now + FUTURE_SLACK


def _fast(text: str, tz: tzinfo, now: datetime, order: str | None) -> datetime | None:
    relative = _relative(text, now)
    if relative is not None:
        return relative
    if _RFC822.match(text):
        try:
            return _aware(parsedate_to_datetime(text), tz)
        except (TypeError, ValueError, IndexError):
            pass
    compact = _COMPACT.match(text)
    if compact:
        return _build(tz, *compact.groups())
    for finder in (_from_iso, _from_names, _from_cjk, _from_numeric):
        found = finder(text, tz, order)
        if found is not None:
            return found
    return None


def _structured(text: str, tz: tzinfo, now: datetime, order: str | None) -> object:
    """A date from the strict readers, `_INVALID` when the text is a broken machine date
    (no guessing from its parts), or None when only the free-form fallback may know."""
    if _ISO.fullmatch(text):  # a whole ISO 8601 date-time: ours reads every offset form
        found = _from_iso(text, tz, order)
        return found if found is not None else _INVALID
    verdict = machine_date(text, tz)
    if verdict.shaped:
        return verdict.value if verdict.value is not None else _INVALID
    found = _fast(text, tz, now, order)
    if found is not None and found.tzinfo is tz:  # read without a zone: one may be written
        offset = zone_offset(text)
        found = found.replace(tzinfo=timezone(offset)) if offset is not None else found
    if found is None or not _plausible(found, now):
        truncated = truncated_iso(text)
        found = truncated.replace(tzinfo=tz) if truncated is not None else found
    return found


def _relative(text: str, now: datetime) -> datetime | None:
    lowered = text.lower()
    if lowered in ("today", "just now", "now"):
        return now
    if lowered == "yesterday":
        return now - timedelta(days=1)
    match = _RELATIVE.match(lowered)
    if not match:
        return None
    count = 1 if match.group(1) in ("a", "an", "one") else int(match.group(1))
    return now - count * _RELATIVE_UNITS[match.group(2)]


def _build(
    tz: tzinfo,
    year: str | int,
    month: str | int,
    day: str | int,
    hour: str | int | None = None,
    minute: str | int | None = None,
    second: str | int | None = None,
    meridiem: str | None = None,
) -> datetime | None:
    try:
        h = int(hour or 0)
        if meridiem and meridiem.lower().startswith("p") and h < 12:
            h += 12
        elif meridiem and meridiem.lower().startswith("a") and h == 12:
            h = 0
        return datetime(
            int(year), int(month), int(day), h, int(minute or 0), int(second or 0), tzinfo=tz
        )
    except (TypeError, ValueError, OverflowError):
        return None


def _from_iso(text: str, tz: tzinfo, order: str | None) -> datetime | None:
    match = _ISO.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    value = _build(tz, year, month, day, hour, minute, second)
    if value is None or not offset:
        return value
    try:
        parsed = datetime.fromisoformat(f"2000-01-01T00:00:00{offset.replace('Z', '+00:00')}")
    except ValueError:
        return value
    return value.replace(tzinfo=parsed.tzinfo)


def _from_names(text: str, tz: tzinfo, order: str | None) -> datetime | None:
    best: tuple[int, datetime] | None = None
    for match in _DMY_NAME.finditer(text):
        day, name, year, hour, minute, second, meridiem = match.groups()
        value = _build(tz, year, _MONTH_LOOKUP[name.lower()], day, hour, minute, second, meridiem)
        if value is not None:
            best = (match.start(), value)
            break
    for match in _MDY_NAME.finditer(text):
        name, day, year, hour, minute, second, meridiem = match.groups()
        value = _build(tz, year, _MONTH_LOOKUP[name.lower()], day, hour, minute, second, meridiem)
        if value is not None and (best is None or match.start() < best[0]):
            best = (match.start(), value)
            break
    return best[1] if best else None


def _from_cjk(text: str, tz: tzinfo, order: str | None) -> datetime | None:
    match = _CJK.search(text)
    return _build(tz, *match.groups()) if match else None


def _from_numeric(text: str, tz: tzinfo, order: str | None) -> datetime | None:
    for match in _NUMERIC.finditer(text):
        first, _sep, middle, last, hour, minute, second, meridiem = match.groups()
        value = _numeric(first, middle, last, order, tz, (hour, minute, second, meridiem))
        if value is not None:
            return value
    return None


def _numeric(
    first: str, middle: str, last: str, order: str | None, tz: tzinfo, clock: tuple[Any, ...]
) -> datetime | None:
    if len(first) == 4:
        return _build(tz, first, middle, last, *clock)
    if len(first) == 3:
        return None
    year = int(last) + (2000 if len(last) == 2 and int(last) < 70 else 0)
    if len(last) == 2 and int(last) >= 70:
        year += 1900
    if len(last) == 3:
        return None
    a, b = int(first), int(middle)
    wanted = (order or "DMY").upper()
    day_first = wanted != "MDY"
    if day_first and b > 12 >= a:
        day_first = False
    elif not day_first and a > 12 >= b:
        day_first = True
    day, month = (a, b) if day_first else (b, a)
    return _build(tz, year, month, day, *clock)


@lru_cache(maxsize=4096)
def _dateparser(
    text: str, languages: tuple[str, ...], tz: tzinfo, now: datetime, order: str | None
) -> datetime | None:
    import dateparser

    settings: dict[str, Any] = {
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
    }
    if order:
        settings["DATE_ORDER"] = order.upper()
    langs = [code.split("-")[0].lower() for code in languages if code] or None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = dateparser.parse(text, languages=langs, settings=settings)
        except (ValueError, TypeError, OverflowError, KeyError, AttributeError):
            value = dateparser.parse(text, settings=settings) if langs else None
    if value is None:
        return None
    result: datetime = value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return result


def warm_up() -> None:
    """Load every language dateparser knows, once, in the crawl forkserver.

    A date that no language hint settles (and that the fast paths miss) makes dateparser
    try each of its ~200 locales, loading each one's data on first use: about 1.1 s in the
    first such parse of every fresh crawl child, 12 ms after that.
    """
    _dateparser.__wrapped__(
        "Posted on the twelfth of Smarch", (), UTC, datetime(2000, 1, 1, tzinfo=UTC), None
    )
