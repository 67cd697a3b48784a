"""The single-daemon lease: one row in `daemon_lock`, taken in one transaction, heartbeated."""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from crawler.errors import DaemonError
from crawler.store.schema import daemon_lock
from crawler.store.store import Store
from crawler.store.types import utcnow

LOCK_NAME = "daemon"
# A standby takes over at most LEASE_TTL + STANDBY_POLL after the active daemon died on
# another host (on this host at once: its pid is checked): under 60 s (issue 20).
LEASE_TTL = timedelta(seconds=45)
HEARTBEAT_EVERY = timedelta(seconds=10)
STANDBY_POLL = timedelta(seconds=5)
STANDBY_PREFIX = "standby:"


@dataclass(frozen=True)
class Holder:
    """Who holds (or wants) the lease: pid, host, a per-process token and the process's start
    time (clock ticks after boot, /proc/PID/stat field 22; 0 when unknown) so that another
    process that got the same pid later (pid reuse, a restarted container) is not taken for it.
    """

    pid: int
    host: str
    token: str
    started: int = 0

    @classmethod
    def me(cls) -> Holder:
        pid = os.getpid()
        return cls(pid, socket.gethostname(), secrets.token_hex(4), process_start(pid) or 0)

    def encode(self) -> str:
        return f"{self.pid}@{self.host}#{self.token}+{self.started}"[:200]

    @classmethod
    def decode(cls, text: str) -> Holder:
        rest, _, tail = text.rpartition("#")
        token, _, started = tail.partition("+")  # older rows have no "+started"
        pid, _, host = rest.partition("@")
        return cls(
            int(pid) if pid.isdigit() else 0, host, token, int(started) if started.isdigit() else 0
        )


@dataclass(frozen=True)
class LeaseInfo:
    """The current lease row."""

    holder: Holder
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime


class LockHeld(DaemonError):
    """Another live daemon holds the lease."""

    def __init__(self, info: LeaseInfo, now: datetime, *, here: str | None = None) -> None:
        self.info = info
        held = info.holder
        local = held.host == (here if here is not None else socket.gethostname())
        where = "this host" if local else f"host {held.host}"
        stop = f"kill -TERM {held.pid}" + ("" if local else f" (on {held.host})")
        message = (
            f"another presswatch daemon uses this database: pid {held.pid} on {where}, "
            f"running since {info.acquired_at:%Y-%m-%d %H:%M:%S} UTC (last heartbeat "
            f"{info.heartbeat_at:%H:%M:%S} UTC).\nStop it first: {stop}, or through the "
            "service manager that started it (e.g. systemctl stop presswatch)."
        )
        if not local:  # its liveness cannot be checked from here; a dead one stops renewing
            left = max(0, int((info.expires_at - now).total_seconds()) + 1)
            message += (
                f" If that host is down, its lease runs out at {info.expires_at:%H:%M:%S} UTC"
                f" (in {left} s) and a new daemon may start then."
            )
        super().__init__(message)


def read_lease(connection: Connection, name: str = LOCK_NAME) -> LeaseInfo | None:
    """The lease row, or None when nobody ever took it (or it was released)."""
    row = connection.execute(select(daemon_lock).where(daemon_lock.c.name == name)).first()
    if row is None:
        return None
    return LeaseInfo(Holder.decode(row.holder), row.acquired_at, row.heartbeat_at, row.expires_at)


def acquire(
    store: Store,
    holder: Holder,
    *,
    now: datetime | None = None,
    ttl: timedelta = LEASE_TTL,
    name: str = LOCK_NAME,
) -> LeaseInfo:
    """Take the lease (insert, or take over an expired or dead one); raise LockHeld if live."""
    at = now or utcnow()
    try:
        with store.begin() as connection:
            return _acquire_in(connection, holder, at, ttl, name)
    except IntegrityError:  # another process inserted the row between our read and insert
        with store.connect() as connection:
            current = read_lease(connection, name)
        if current is None:
            raise
        raise LockHeld(current, at, here=holder.host) from None


def _acquire_in(
    connection: Connection, holder: Holder, now: datetime, ttl: timedelta, name: str
) -> LeaseInfo:
    query = select(daemon_lock).where(daemon_lock.c.name == name).with_for_update()
    row = connection.execute(query).first()
    values = {
        "holder": holder.encode(),
        "acquired_at": now,
        "heartbeat_at": now,
        "expires_at": now + ttl,
    }
    if row is None:
        connection.execute(insert(daemon_lock).values(name=name, **values))
    else:
        current = LeaseInfo(
            Holder.decode(row.holder), row.acquired_at, row.heartbeat_at, row.expires_at
        )
        if not _can_take(current, holder, now):
            raise LockHeld(current, now, here=holder.host)
        connection.execute(update(daemon_lock).where(daemon_lock.c.name == name).values(**values))
    return LeaseInfo(holder, now, now, now + ttl)


def _can_take(current: LeaseInfo, me: Holder, now: datetime) -> bool:
    if current.expires_at <= now or current.holder == me:
        return True
    holder = current.holder
    return holder.host == me.host and not pid_alive(holder.pid, holder.started)


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat fields after the command name (fields[0] is field 3, the state)."""
    if pid <= 0:
        return None
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_start(pid: int) -> int | None:
    """The process's start time in clock ticks after boot (field 22), None if unknown."""
    fields = _stat(pid)
    if fields is None or len(fields) < 20 or not fields[19].isdigit():
        return None
    return int(fields[19])


def pid_alive(pid: int, started: int = 0) -> bool:
    """Whether the process `pid` (started at `started`, if known) still runs on this host.

    A zombie (killed, not yet reaped) counts as dead; so does a live process with another
    start time: the pid was reused.
    """
    fields = _stat(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return False
    now_started = process_start(pid)
    return not (started and now_started is not None and now_started != started)


def heartbeat(
    store: Store,
    holder: Holder,
    *,
    now: datetime | None = None,
    ttl: timedelta = LEASE_TTL,
    name: str = LOCK_NAME,
) -> bool:
    """Extend our lease; False when we no longer hold it (someone took it over)."""
    at = now or utcnow()
    with store.begin() as connection:
        result = connection.execute(
            update(daemon_lock)
            .where(daemon_lock.c.name == name, daemon_lock.c.holder == holder.encode())
            .values(heartbeat_at=at, expires_at=at + ttl)
        )
        return bool(result.rowcount)


def release(store: Store, holder: Holder, *, name: str = LOCK_NAME) -> None:
    """Give the lease up (only if we still hold it)."""
    with store.begin() as connection:
        connection.execute(
            delete(daemon_lock).where(
                daemon_lock.c.name == name, daemon_lock.c.holder == holder.encode()
            )
        )


def standbys(connection: Connection, now: datetime) -> list[LeaseInfo]:
    """The standby daemons waiting for the lease (their rows not expired)."""
    rows = connection.execute(
        select(daemon_lock).where(
            daemon_lock.c.name.startswith(STANDBY_PREFIX), daemon_lock.c.expires_at > now
        )
    )
    return [
        LeaseInfo(Holder.decode(r.holder), r.acquired_at, r.heartbeat_at, r.expires_at)
        for r in rows
    ]


def _announce_standby(store: Store, holder: Holder, now: datetime) -> None:
    """Write (or refresh) this standby's row, so `status` lists it."""
    name = STANDBY_PREFIX + holder.token
    values = {"heartbeat_at": now, "expires_at": now + LEASE_TTL}
    with store.begin() as connection:
        done = connection.execute(
            update(daemon_lock).where(daemon_lock.c.name == name).values(**values)
        )
        if not done.rowcount:
            connection.execute(
                insert(daemon_lock).values(
                    name=name, holder=holder.encode(), acquired_at=now, **values
                )
            )


def wait_for_lease(
    store: Store,
    holder: Holder,
    *,
    stop: Callable[[], bool],
    on_wait: Callable[[LockHeld], None] = lambda _held: None,
    poll: timedelta = STANDBY_POLL,
) -> LeaseInfo | None:
    """As standby: try the lease every `poll` until it is ours (None if `stop` said so first).

    The active daemon renews its lease every HEARTBEAT_EVERY; once it stops renewing (killed,
    host down) the lease expires and the first standby to try takes it over.
    """
    first = True
    try:
        while not stop():
            try:
                return acquire(store, holder)
            except LockHeld as held:
                if first:
                    on_wait(held)
                    first = False
            _announce_standby(store, holder, utcnow())
            deadline = time.monotonic() + poll.total_seconds()
            while time.monotonic() < deadline and not stop():
                time.sleep(0.1)
        return None
    finally:
        release(store, holder, name=STANDBY_PREFIX + holder.token)
