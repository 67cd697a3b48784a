"""Seeded configs for delivery-side reliability tests (built on tests.ledger.seed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.config import Config, load_config
from crawler.store.store import Store
from tests.ledger.seed import parse, seed_matches, write_config


def seeded(root: Path, port: int | None, *, database_url: str | None = None, **smtp: Any) -> Config:
    """Config (SMTP to `port`, or the outbox) and a store holding 3 matched items."""
    config = write_config(root, port=port, database_url=database_url)
    if smtp:
        settings_file = config.directory / "presswatch.yaml"
        settings = json.loads(settings_file.read_text(encoding="utf-8"))
        settings["mail"]["smtp"].update(smtp)
        settings_file.write_text(json.dumps(settings), encoding="utf-8")
        config = load_config(config.directory, environ={})
    store = Store.from_config(config)
    try:
        seed_matches(store, 3)
    finally:
        store.close()
    return config


def message_ids(received: list[Any]) -> list[str]:
    return [str(parse(r.data)["Message-ID"]) for r in received]
