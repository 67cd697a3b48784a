"""`rematch_items` walks the window in bounded batches, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

import crawler.store.queries
from alerts.rematch import rematch_items
from crawler.config import load_config
from crawler.store.items import insert_items
from crawler.store.schema import items, rule_matches
from crawler.store.store import Store
from crawler.store.types import utcnow
from tests.store.helpers import record

RULES = """\
rules:
  - id: cpec
    name: CPEC
    query: 'CPEC OR "سی پیک"'
"""


def test_rematch_reads_the_window_in_batches(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text(RULES, encoding="utf-8")
    config = load_config(tmp_path, environ={})
    monkeypatch.setattr(crawler.store.queries, "TEXT_BATCH", 2)
    texts = [f"CPEC review {n}" for n in range(5)] + ["weather report", "سی پیک کا اجلاس"]
    with store.begin() as connection:
        old = insert_items(connection, [record("https://pk.example/old", body="CPEC old")])
        outcome = insert_items(
            connection,
            [record(f"https://pk.example/{n}", body=text) for n, text in enumerate(texts)],
        )
        copy = insert_items(connection, [record("https://pk.example/copy", body=texts[0])])
        stale = utcnow() - timedelta(days=30)
        connection.execute(
            update(items).where(items.c.id == old.new[0].id).values(first_seen_at=stale)
        )
    assert copy.new[0].duplicate_of is not None
    result = rematch_items(store, config, timedelta(days=7))
    # 7 items in the window, in 4 batches of at most 2; the old one and the duplicate are out.
    assert (result.items, result.new_matches) == (7, 6)
    with store.connect() as connection:
        matched = set(connection.execute(select(rule_matches.c.item_id)).scalars())
    assert matched == {item.id for item in outcome.new if item.record.body != "weather report"}
    again = rematch_items(store, config, timedelta(days=7))
    assert (again.items, again.new_matches) == (7, 0)
    with store.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(rule_matches)) == 6


def test_rematch_of_an_empty_window(store: Store, tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text(RULES, encoding="utf-8")
    config = load_config(tmp_path, environ={})
    result = rematch_items(store, config, timedelta(days=7))
    assert (result.items, result.new_matches) == (0, 0)
