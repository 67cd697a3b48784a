"""Message-IDs: unique per installation, stable across retries, on the configured domain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from alerts.dispatch import deliver_digests, deliver_immediate
from crawler.errors import ConfigError
from crawler.store import migrate
from crawler.store.installation import installation_id
from crawler.store.schema import installation
from crawler.store.store import Store
from tests.ledger.conftest import Server
from tests.ledger.seed import ALICE, NOW, parse, seed_matches, write_config

IMMEDIATE = [{"id": "arms", "name": "Arms", "query": "arms", "mode": "immediate"}]


def _sent_ids(config_root: Path, store: Store, port: int) -> list[str]:
    config = write_config(config_root, port=port, rules=IMMEDIATE)
    seed_matches(store, 2)
    reports = [*deliver_immediate(config, store, now=NOW), *deliver_digests(config, store, now=NOW)]
    assert reports and all(r.status == "sent" for r in reports)
    return [r.message_id for r in reports]


def test_fresh_installations_never_share_a_message_id(
    store: Store, tmp_path: Path, server: Server
) -> None:
    """The same history in two new databases: before 0006 both sent the same Message-IDs."""
    other = Store.from_url(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        first = _sent_ids(tmp_path / "one", store, server.port)
        second = _sent_ids(tmp_path / "two", other, server.port)
    finally:
        other.close()
    assert len(first) == len(second) == 4  # an alert and a digest for each of two readers
    assert set(first).isdisjoint(second)
    received = [str(parse(r.data)["Message-ID"]) for r in server.handler.received]
    assert received == first + second
    assert all(re.fullmatch(r"<pw\.[0-9a-f]{32}@example\.org>", m) for m in received)


def test_every_database_has_one_installation_id_from_its_creation(store: Store) -> None:
    with store.begin() as connection:
        made = installation_id(connection)
        assert installation_id(connection) == made
        assert connection.execute(select(func.count()).select_from(installation)).scalar() == 1
    assert re.fullmatch(r"[0-9a-f]{32}", made)


def test_an_existing_database_gets_an_installation_id_on_upgrade(database_url: str) -> None:
    store = Store.from_url(database_url, migrate_schema=False)
    try:
        migrate.upgrade(store.engine, "0005")
        assert "installation" not in inspect(store.engine).get_table_names()
        store.upgrade()
        with store.connect() as connection:
            rows = connection.execute(select(installation)).all()
        assert len(rows) == 1 and re.fullmatch(r"[0-9a-f]{32}", rows[0].id)
        assert rows[0].created_at.tzinfo is not None
    finally:
        store.close()


def test_message_id_domain_is_configurable(store: Store, tmp_path: Path, server: Server) -> None:
    config = write_config(
        tmp_path,
        port=server.port,
        recipients=[{"address": ALICE}],
        mail={"message_id_domain": "News.Example.COM."},
    )
    seed_matches(store, 1)
    [report] = deliver_digests(config, store, now=NOW)
    assert report.status == "sent"
    assert report.message_id.endswith("@news.example.com>")
    assert str(parse(server.handler.received[0].data)["Message-ID"]) == report.message_id


def test_an_invalid_message_id_domain_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        write_config(tmp_path, mail={"message_id_domain": "not a domain"})
    assert "mail.message_id_domain" in str(raised.value)
    assert "presswatch.yaml" in str(raised.value)
