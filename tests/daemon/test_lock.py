"""The single-daemon lease: refused while held, taken over when expired or its holder died."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest

from crawler.daemon import lock
from crawler.daemon.lock import Holder, LockHeld
from crawler.store.store import Store

T0 = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
TTL = lock.LEASE_TTL


def _other(pid: int = 4242, host: str = "elsewhere") -> Holder:
    return Holder(pid, host, "abcd1234")


def test_second_holder_refused_with_a_useful_message(store: Store) -> None:
    first = _other()
    lock.acquire(store, first, now=T0)
    with pytest.raises(LockHeld) as raised:
        lock.acquire(store, Holder.me(), now=T0 + timedelta(seconds=30))
    message = str(raised.value)
    assert "another presswatch daemon uses this database: pid 4242 on host elsewhere" in message
    assert "running since 2026-03-28 12:00:00 UTC" in message
    assert "kill -TERM 4242 (on elsewhere)" in message
    # another host's daemon cannot be checked from here: say when its lease would run out
    assert "If that host is down, its lease runs out at 12:00:45 UTC (in 16 s)" in message
    assert raised.value.exit_code == 1


def test_a_live_holder_on_this_host_is_named_without_a_wait(store: Store) -> None:
    """The holder renews its lease while alive: "or wait 83 s" was never true."""
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        me = Holder.me()
        alive = Holder(sleeper.pid, me.host, "11ve11ve", lock.process_start(sleeper.pid) or 0)
        lock.acquire(store, alive, now=T0)
        with pytest.raises(LockHeld) as raised:
            lock.acquire(store, me, now=T0 + timedelta(seconds=7))
    finally:
        sleeper.kill()
        sleeper.wait()
    message = str(raised.value)
    assert f"pid {sleeper.pid} on this host, running since 2026-03-28 12:00:00 UTC" in message
    assert f"Stop it first: kill -TERM {sleeper.pid}, or through the service manager" in message
    assert "wait" not in message and "lease runs out" not in message


def test_expired_lease_is_taken_over(store: Store) -> None:
    lock.acquire(store, _other(), now=T0)
    me = Holder.me()
    info = lock.acquire(store, me, now=T0 + TTL + timedelta(seconds=1))
    assert info.holder == me
    with store.connect() as connection:
        current = lock.read_lease(connection)
    assert current is not None and current.holder == me


def test_heartbeat_extends_and_detects_takeover(store: Store) -> None:
    me = Holder.me()
    lock.acquire(store, me, now=T0)
    assert lock.heartbeat(store, me, now=T0 + TTL - timedelta(seconds=5))
    with pytest.raises(LockHeld):  # extended: still live after T0 + TTL
        lock.acquire(store, _other(), now=T0 + TTL + timedelta(seconds=5))
    lock.acquire(store, _other(), now=T0 + 2 * TTL)
    assert not lock.heartbeat(store, me, now=T0 + 2 * TTL + timedelta(seconds=1))


def test_release_frees_the_lease(store: Store) -> None:
    me = Holder.me()
    lock.acquire(store, me, now=T0)
    lock.release(store, me)
    lock.acquire(store, _other(), now=T0 + timedelta(seconds=1))
    lock.release(store, me)  # not ours any more: no effect
    with pytest.raises(LockHeld):
        lock.acquire(store, me, now=T0 + timedelta(seconds=2))


def test_dead_holder_on_this_host_is_taken_over(store: Store) -> None:
    me = Holder.me()
    dead = Holder(2**22 + 12345, me.host, "deadbeef")  # above the default pid_max
    lock.acquire(store, dead, now=T0)
    assert lock.acquire(store, me, now=T0 + timedelta(seconds=1)).holder == me


def test_holder_round_trip() -> None:
    holder = Holder(17, "host.example.org", "0a1b2c3d")
    assert Holder.decode(holder.encode()) == holder


def test_holder_round_trip_with_start_time_and_old_rows() -> None:
    holder = Holder(17, "host.example.org", "0a1b2c3d", 123456)
    assert Holder.decode(holder.encode()) == holder
    assert Holder.decode("17@host.example.org#0a1b2c3d") == Holder(
        17, "host.example.org", "0a1b2c3d"
    )


def test_me_records_the_process_start_time() -> None:
    me = Holder.me()
    assert me.started == lock.process_start(os.getpid()) and me.started > 0


def test_zombie_holder_counts_as_dead(store: Store) -> None:
    """A SIGKILLed holder its parent has not reaped yet: os.kill(pid, 0) would succeed."""
    child = subprocess.Popen(["sleep", "60"])
    try:
        started = lock.process_start(child.pid) or 0
        assert lock.pid_alive(child.pid, started)
        os.kill(child.pid, signal.SIGKILL)
        for _ in range(500):  # until the kernel has made it a zombie (we do not reap it)
            if not lock.pid_alive(child.pid, started):
                break
            time.sleep(0.01)
        os.kill(child.pid, 0)  # still exists: a zombie
        me = Holder.me()
        lock.acquire(store, Holder(child.pid, me.host, "deadbeef", started), now=T0)
        assert lock.acquire(store, me, now=T0 + timedelta(seconds=1)).holder == me
    finally:
        child.kill()
        child.wait()


def test_reused_pid_is_taken_over_but_the_live_holder_is_not(store: Store) -> None:
    """The lease's pid now belongs to another process (same pid, other start time)."""
    me = Holder.me()
    reused = Holder(os.getpid(), me.host, "0ldd43m0", me.started - 1)
    lock.acquire(store, reused, now=T0)
    assert lock.acquire(store, me, now=T0 + timedelta(seconds=1)).holder == me
    live = Holder(os.getpid(), me.host, "11ve11ve", me.started)  # same process, other token
    with pytest.raises(LockHeld):
        lock.acquire(store, live, now=T0 + timedelta(seconds=2))
