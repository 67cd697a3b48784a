"""The last Atom feed write and its error, kept in ``<data_dir>/feeds-state.json``.

A feed write that fails (the feed directory not writable, a full disk, an entry feedgen
refuses) must not hold up a crawl or a digest, but must not be silent either: each attempt
records here when the feeds were last written and the last error, per feed directory, and
`presswatch status` shows it.  A file next to the feeds, not a table: feeds are files of this
host's data directory, and their state is this host's.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alerts.files import write_atomically

log = logging.getLogger(__name__)
STATE_FILE = "feeds-state.json"


@dataclass(frozen=True)
class FeedWriteState:
    """One feed directory: the last attempt, the last success, the last error (if the last
    attempt failed; None once a write succeeds again) and when it happened."""

    directory: str
    last_attempt_at: datetime
    last_written_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None

    @property
    def failing(self) -> bool:
        return self.last_error is not None


def record_feed_write(
    data_dir: Path, directory: Path, now: datetime, error: str | None = None
) -> None:
    """Record one attempt to write the feeds of `directory` (never raises: only logs)."""
    states = {s.directory: s for s in read_feed_states(data_dir)}
    old = states.get(str(directory))
    states[str(directory)] = FeedWriteState(
        directory=str(directory),
        last_attempt_at=now,
        last_written_at=now if error is None else (old.last_written_at if old else None),
        last_error=error,
        last_error_at=now if error is not None else None,
    )
    try:
        _write_json(data_dir / STATE_FILE, [_to_json(s) for s in states.values()])
    except OSError as exc:
        log.warning("cannot record the feed write state in %s: %s", data_dir, exc)


def read_feed_states(data_dir: Path) -> list[FeedWriteState]:
    """The recorded feed directories (none when feeds were never written or the file is bad)."""
    try:
        raw = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
        return [_from_json(entry) for entry in raw]
    except (OSError, ValueError, TypeError, KeyError):
        return []


def _to_json(state: FeedWriteState) -> dict[str, Any]:
    def stamp(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "directory": state.directory,
        "last_attempt_at": stamp(state.last_attempt_at),
        "last_written_at": stamp(state.last_written_at),
        "last_error": state.last_error,
        "last_error_at": stamp(state.last_error_at),
    }


def _from_json(entry: dict[str, Any]) -> FeedWriteState:
    def stamp(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    attempt = stamp(entry["last_attempt_at"])
    if attempt is None:
        raise ValueError("no last_attempt_at")
    return FeedWriteState(
        directory=str(entry["directory"]),
        last_attempt_at=attempt,
        last_written_at=stamp(entry.get("last_written_at")),
        last_error=entry.get("last_error"),
        last_error_at=stamp(entry.get("last_error_at")),
    )


def _write_json(target: Path, data: Any) -> None:
    write_atomically(target, json.dumps(data, indent=2).encode("utf-8"))
