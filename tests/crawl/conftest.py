"""Fixtures of the crawl tests: the fixture-site server and store helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from crawler.config import Config
from crawler.crawl import RunSummary, run_crawls
from crawler.store.schema import items, sources
from crawler.store.store import Store
from spiders.catalog import load_config

__all__ = ["crawl", "rows"]


def crawl(config_dir: Path, *ids: str) -> tuple[Config, dict[str, RunSummary]]:
    """Crawl the sources (all when none named) and return the runs by source id."""
    config = load_config(config_dir)
    wanted = list(ids) or [s.id for s in config.enabled_sources]
    Store.from_config(config).close()  # migrate, as every command does before crawling
    return config, {run.source_id: run for run in run_crawls(config, wanted)}


def rows(config: Config, table: Any = items, **where: Any) -> list[Any]:
    """Rows of a table (items by default), filtered by column equality."""
    store = Store.from_config(config)
    try:
        query = select(table)
        for key, value in where.items():
            query = query.where(table.c[key] == value)
        with store.connect() as connection:
            return list(connection.execute(query))
    finally:
        store.close()


def source_row(config: Config, source_id: str) -> Any:
    found = rows(config, sources, id=source_id)
    assert found, f"no sources row for {source_id}"
    return found[0]
