"""Locked SQLite, a full outbox disk, PostgreSQL killed mid-run: clean failure, then recovery."""

from __future__ import annotations

import errno
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

import alerts.ledger
from alerts.dispatch import deliver_digests, retry_due
from alerts.ledger import LEASE
from crawler.cli.main import cli
from crawler.config import Config, load_config
from crawler.errors import StoreError
from crawler.store.schema import deliveries, messages
from crawler.store.store import Store
from crawler.store.types import utcnow
from tests.ledger.conftest import Server, server
from tests.ledger.seed import statuses
from tests.reliability.conftest import PgSchema
from tests.reliability.helpers import message_ids, seeded
from tests.reliability.world import kill_pg_backends

__all__ = ["server"]


def _counts(config: Config) -> tuple[int, int]:
    store = Store.from_config(config, migrate_schema=False)
    try:
        with store.connect() as connection:
            return (
                connection.execute(select(func.count()).select_from(messages)).scalar_one(),
                connection.execute(select(func.count()).select_from(deliveries)).scalar_one(),
            )
    finally:
        store.close()


def _with_busy_timeout(config: Config, value: str) -> Config:
    path = config.directory / "presswatch.yaml"
    settings = json.loads(path.read_text(encoding="utf-8"))
    settings.setdefault("database", {})["busy_timeout"] = value
    path.write_text(json.dumps(settings), encoding="utf-8")
    return load_config(config.directory, environ={})


@pytest.mark.parametrize("command", [["digest"], ["run", "--once", "--digest"]])
def test_sqlite_locked_longer_than_busy_timeout_fails_cleanly_then_recovers(
    tmp_path: Path, server: Server, command: list[str]
) -> None:
    config = _with_busy_timeout(seeded(tmp_path, server.port), "1s")
    before = _counts(config)
    holder = sqlite3.connect(config.database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(cli, ["--config", str(config.directory), *command])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output, result.output
    assert "database is locked" in result.output, result.output
    assert _counts(config) == before and server.handler.received == []
    again = CliRunner().invoke(cli, ["--config", str(config.directory), *command])
    assert again.exit_code == 0, again.output
    assert len(set(message_ids(server.handler.received))) == 2


def test_full_outbox_disk_is_not_marked_sent_and_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = seeded(tmp_path, None)
    real_fsync = __import__("os").fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.fsync", full)
    store = Store.from_config(config)
    try:
        reports = deliver_digests(config, store)
        assert {r.status for r in reports} == {"failed"}
        assert all("No space left" in (r.error or "") for r in reports)
        assert "sent" not in statuses(store) + statuses(store, "messages")
        outbox = config.data_dir / "outbox"
        assert not list(outbox.glob("*.eml")) and not list(outbox.glob("*.tmp*"))
        monkeypatch.setattr("os.fsync", real_fsync)
        later = utcnow() + timedelta(minutes=2)
        assert {r.status for r in retry_due(config, store, now=later)} == {"sent"}
        assert statuses(store, "messages") == ["sent", "sent"]
        assert len(list(outbox.glob("*.eml"))) == 2
    finally:
        store.close()


def test_postgresql_backend_killed_mid_run_fails_cleanly_then_recovers(
    tmp_path: Path, server: Server, pg_schema: PgSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = seeded(tmp_path, server.port, database_url=pg_schema.url)
    real_mark_sent = alerts.ledger.mark_sent
    killed: list[int] = []

    def restart_then_mark(*args: object, **kwargs: object) -> None:
        if not killed:  # the server "restarts" while this transaction is open
            killed.append(kill_pg_backends(pg_schema.application_name))
        real_mark_sent(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(alerts.ledger, "mark_sent", restart_then_mark)
    result = CliRunner().invoke(cli, ["--config", str(config.directory), "digest"])
    assert killed and killed[0] >= 1
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "error: database error" in result.output
    monkeypatch.setattr(alerts.ledger, "mark_sent", real_mark_sent)
    store = Store.from_config(config)
    try:
        retry_due(config, store, now=utcnow() + LEASE + timedelta(minutes=1))
        again = deliver_digests(config, store, now=utcnow() + LEASE + timedelta(minutes=2))
        assert "failed" not in {r.status for r in again}
        assert "failed" not in statuses(store) and "pending" not in statuses(store)
    finally:
        store.close()
    ids = message_ids(server.handler.received)
    assert len(set(ids)) >= 2  # both recipients' digests (plus heartbeats) arrived
    assert len(ids) - len(set(ids)) <= 1  # at most the documented same-Message-ID copy


def test_store_error_is_a_presswatch_error() -> None:
    assert StoreError("x").exit_code == 1
