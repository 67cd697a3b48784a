"""How the CLI shows schedules, times, durations and counts: one format for each, everywhere.

- durations: "30m", "1h30m" (the config's own notation; never timedelta's "1:00:00")
- schedules: "every 1h", "every 1h30m", "cron 0 */2 * * *"
- times: "2026-12-04 08:00 PKT", in one timezone per view (the config's), zone always shown
- elapsed seconds: "0.4s", "7.2s", "2m05s"
- counts: "1 new match", "2 new matches"
- database URLs: with any password masked
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

TIME_FORMAT = "%Y-%m-%d %H:%M %Z"
_IRREGULAR = {"match": "matches", "was": "were", "is": "are"}
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def format_duration(delta: timedelta) -> str:
    """Render a timedelta in the shortest exact unit form ("30m", "1h30m")."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in _UNITS.items():
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def format_schedule(every: timedelta | None, cron: str | None) -> str:
    """ "every 1h" for an interval, "cron <expression>" otherwise."""
    if every is not None:
        return f"every {format_duration(every)}"
    return f"cron {cron}" if cron else "-"


def redact_url(url: str) -> str:
    """A database URL with any password masked (shown by `status` and `config show`)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable database URL>"


def format_time(value: datetime | None, timezone: str = "UTC") -> str:
    """A moment in `timezone`, with the zone named; "-" for none. Naive values are UTC."""
    if value is None:
        return "-"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(ZoneInfo(timezone))
    text = local.strftime(TIME_FORMAT)
    # zones without an abbreviation (Asia/Tashkent) print "+05": say "UTC+05" instead
    return text if text[-1].isalpha() else text[:-3] + f"UTC{text[-3:]}"


def format_due(value: datetime | None, now: datetime, timezone: str = "UTC") -> str:
    """A moment still to come: "now (due)" once it has passed."""
    if value is None:
        return "-"
    return "now (due)" if value <= now else format_time(value, timezone)


def format_seconds(seconds: float) -> str:
    """An elapsed time: tenths of a second below a minute, then minutes and seconds."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 new match`, `3 new matches`: the last word of `noun` takes the plural (or `many`
    is the whole plural phrase)."""
    if count == 1:
        return f"{count} {noun}"
    if many is not None:
        return f"{count} {many}"
    head, _, last = noun.rpartition(" ")
    word = _IRREGULAR.get(last) or _plural_word(last)
    return f"{count} {head + ' ' if head else ''}{word}"


def _plural_word(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"
