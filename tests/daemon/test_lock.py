"""The single-daemon lease: refused while held, taken over when expired or its holder died."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.daemon import lock
from crawler.daemon.lock import Holder, LockHeld
from crawler.store.store import Store

T0 = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=90)


def _other(pid: int = 4242, host: str = "elsewhere") -> Holder:
    return Holder(pid, host, "abcd1234")


def test_second_holder_refused_with_a_useful_message(store: Store) -> None:
    first = _other()
    lock.acquire(store, first, now=T0)
    with pytest.raises(LockHeld) as raised:
        lock.acquire(store, Holder.me(), now=T0 + timedelta(seconds=30))
    message = str(raised.value)
    assert "another presswatch daemon (pid 4242 on host elsewhere)" in message
    assert "since 2026-03-28 12:00:00" in message
    assert "wait 61 s" in message
    assert raised.value.exit_code == 1


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
    assert lock.heartbeat(store, me, now=T0 + timedelta(seconds=60))
    with pytest.raises(LockHeld):  # extended: still live at T0 + 120 s
        lock.acquire(store, _other(), now=T0 + timedelta(seconds=120))
    lock.acquire(store, _other(), now=T0 + timedelta(seconds=200))
    assert not lock.heartbeat(store, me, now=T0 + timedelta(seconds=201))


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
