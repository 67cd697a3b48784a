"""Human durations ("30m", "1h30m", "180d") and byte sizes ("10MB") for config values."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

from crawler.formatting import format_duration  # one rendering, shared with the CLI

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_DURATION_FULL = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """Parse "90s", "5m", "1h30m", "2d", "1w" or a number of seconds; raise ValueError if not."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"invalid duration {value!r}: must not be negative")
        return timedelta(seconds=value)
    text = str(value).strip().lower()
    if not _DURATION_FULL.match(text):
        raise ValueError(f'invalid duration "{value}" (use e.g. 90s, 30m, 2h, 7d, 1h30m)')
    seconds = sum(float(n) * _UNITS[unit] for n, unit in _DURATION_PART.findall(text))
    return timedelta(seconds=seconds)


def parse_size(value: str | int) -> int:
    """Parse "10MB", "512KiB" or a number of bytes."""
    if isinstance(value, bool):
        raise ValueError(f"invalid size {value!r}")
    if isinstance(value, int):
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f'invalid size "{value}" (use e.g. 512KB, 10MB, 1GiB)')
    number, unit = match.groups()
    return int(float(number) * _SIZE_UNITS[(unit or "b").lower()])


def _duration_validator(value: Any) -> timedelta:
    return parse_duration(value)


def _size_validator(value: Any) -> int:
    return parse_size(value)


Duration = Annotated[
    timedelta, BeforeValidator(_duration_validator), PlainSerializer(format_duration)
]
ByteSize = Annotated[int, BeforeValidator(_size_validator)]
