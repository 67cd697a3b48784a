"""The store pipeline (one transaction per batch with whatever its after-store hooks write;
a bad record loses only its own batch) and the validation before it."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from sqlalchemy import Connection, func, select

from crawler.config import load_config
from crawler.crawl.runtime import Runtime
from crawler.items import ArticleItem
from crawler.pipelines.store import StorePipeline, record_of
from crawler.pipelines.validate import ValidatePipeline
from crawler.store.items import InsertOutcome, ItemRecord, prepare_records
from crawler.store.schema import items
from crawler.store.store import Store
from tests.sites import FixtureSiteServer, listing_source, write_config


class Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count


@pytest.fixture
def pipeline(
    fixture_site: FixtureSiteServer, tmp_path: Path, store: Store
) -> Iterator[StorePipeline]:
    """A store pipeline on SQLite and on PostgreSQL (the `store` fixture's two dialects)."""
    config = load_config(write_config(tmp_path, [listing_source(fixture_site)]))
    runtime = Runtime(config, config.source("fixture-listing"), store)
    crawler = SimpleNamespace(
        settings=Settings(), stats=Stats(), spider=SimpleNamespace(runtime=runtime)
    )
    pipeline = StorePipeline(crawler)
    pipeline.open_spider()
    try:
        yield pipeline
    finally:
        if pipeline.writer is not None:
            pipeline.writer.close()


def _batch() -> list[ItemRecord]:
    return prepare_records(
        ItemRecord("fixture-listing", f"https://a.example/{n}", f"Statement {n}", f"Body {n}.")
        for n in range(3)
    )


def _stored(pipeline: StorePipeline) -> int:
    assert pipeline.store is not None
    with pipeline.store.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(items)).scalar_one())


def test_a_failing_hook_rolls_the_batch_back(pipeline: StorePipeline) -> None:
    """Rule matching that fails must not leave the items stored without their matches."""

    def broken_rules(outcome: InsertOutcome, connection: Connection) -> None:
        raise RuntimeError("rule engine crashed")

    pipeline.after_store.append(broken_rules)
    with pytest.raises(RuntimeError, match="rule engine crashed"):
        pipeline.flush(_batch())
    assert _stored(pipeline) == 0
    assert pipeline.crawler.stats.values["presswatch/store_errors"] == 1
    assert "presswatch/items_new" not in pipeline.crawler.stats.values


def test_hooks_write_in_the_batch_transaction(pipeline: StorePipeline) -> None:
    seen: list[Any] = []

    def rules(outcome: InsertOutcome, connection: Connection) -> None:
        query = select(func.count()).select_from(items)
        seen.append(connection.execute(query).scalar_one())

    pipeline.after_store.append(rules)
    outcome = pipeline.flush(_batch())
    assert len(outcome.fresh) == 3 and seen == [3] and _stored(pipeline) == 3
    assert pipeline.crawler.stats.values["presswatch/items_new"] == 3


def test_a_record_that_cannot_be_fingerprinted_loses_only_its_batch(
    pipeline: StorePipeline,
) -> None:
    """Past validation (say a new bug), a record whose URL the store cannot canonicalize
    fails its own batch; the buffer is emptied, so the next batches are stored."""
    bad = ItemRecord("fixture-listing", "https://a.example/x", "T", "B.", canonical_url=BAD_PORT)
    pipeline.buffer = [bad, *_batch()[:1]]
    with pytest.raises(ValueError, match="out of range"):
        asyncio.run(pipeline.hand_over())
    assert pipeline.buffer == [] and pipeline.crawler.stats.values["presswatch/store_errors"] == 1
    pipeline.buffer = _batch()
    asyncio.run(pipeline.hand_over())
    assert pipeline.writer is not None
    for future in pipeline.writer.unfinished():
        future.result(timeout=30)
    assert _stored(pipeline) == 3


BAD_PORT = "https://a.example:99999/statement"


def _validated(**fields: Any) -> ArticleItem:
    crawler = SimpleNamespace(stats=Stats())
    item = ArticleItem("fixture-listing", **fields)
    result = ValidatePipeline(crawler).process_item(item)
    assert crawler.stats.values["presswatch/items_seen"] == 1
    return result


@pytest.mark.parametrize("canonical", [BAD_PORT, "https://[::1/x", "ftp://a.example/x"])
def test_a_canonical_url_the_store_cannot_use_is_ignored(canonical: str) -> None:
    item = _validated(url="https://a.example/1", title="T", canonical_url=canonical)
    assert item.canonical_url is None  # identity falls back to the fetched URL
    assert record_of(item).identity_url == "https://a.example/1"


@pytest.mark.parametrize("url", [BAD_PORT, "https://[::1/x", "https://a.example/" + chr(0xD800)])
def test_an_item_url_the_store_cannot_use_is_dropped(url: str) -> None:
    crawler = SimpleNamespace(stats=Stats())
    item = ArticleItem("fixture-listing", url, title="T")
    with pytest.raises(DropItem, match="invalid URL"):
        ValidatePipeline(crawler).process_item(item)
    assert crawler.stats.values["presswatch/items_invalid"] == 1


def test_nul_characters_are_removed_from_the_text() -> None:
    item = _validated(
        url="https://a.example/1", title="A\x00 title", body="Bo\x00dy.", summary="S\x00"
    )
    assert (item.title, item.body, item.summary) == ("A title", "Body.", "S")


def test_text_with_nul_characters_is_stored_once_validated(pipeline: StorePipeline) -> None:
    """PostgreSQL refuses NUL characters (the whole batch with them): validated, it stores."""
    item = _validated(url="https://a.example/nul", title="T\x00", body="B\x00ody.")
    outcome = pipeline.flush(prepare_records([record_of(item)]))
    assert len(outcome.fresh) == 1
