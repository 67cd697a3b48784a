"""`evidence verify` on what a killed crawl leaves (a torn tail, records no row names:
warnings, exit 0) and on matched items without evidence (failures naming them; not items
matched later by `rules rematch`, before evidence began, or with evidence off)."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select, update

from alerts.rematch import rematch_items
from alerts.rules import ItemMatcher
from crawler.cli.main import cli
from crawler.config import Config
from crawler.store import evidence
from crawler.store.items import ItemRecord, prepare_records
from crawler.store.matches import RuleMatches
from crawler.store.schema import items, rule_matches
from crawler.store.store import Store
from crawler.store.types import utcnow
from crawler.store.writer import write_batch
from spiders.catalog import load_config
from tests.evidence.test_commands import RULES, _exchange, _store_with_evidence
from tests.sites import write_config

BODY = "Talks on strategic stability resumed."


def _body(url: str) -> str:
    """A text of its own per URL (the same text twice is a near-duplicate, never matched)."""
    return f"{BODY} Statement {url.rsplit('/', 1)[-1]} of the day on arms control and envoys."


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path, rules=RULES))


def _verify(config: Config) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(config.directory), "evidence", "verify"])
    return result.exit_code, result.stdout, result.stderr


def _store_matched_without_evidence(config: Config, url: str) -> int:
    """A matched item whose batch wrote no evidence (what verify must name)."""
    matcher = ItemMatcher.from_config(config.enabled_rules, {})
    assert matcher is not None
    store = Store.from_config(config)
    try:
        batch = prepare_records([ItemRecord("mfa", url, "Statement", _body(url))])
        [item] = write_batch(store, batch, [RuleMatches(matcher)]).fresh
    finally:
        store.close()
    return item.id


def first_length(config: Config, item_id: int) -> int:
    store = Store.from_config(config)
    try:
        with store.connect() as connection:
            return evidence.records_of(connection, item_id)[0].ref.length
    finally:
        store.close()


def test_a_torn_tail_and_unindexed_records_are_warnings_never_served(config: Config) -> None:
    [item] = _store_with_evidence(config, {"https://mfa.example/1": BODY}).fresh
    settings = evidence.EvidenceSettings.from_config(config)
    [path] = settings.root.glob("*.warc.gz")
    intact = path.read_bytes()
    # A batch that did not commit: whole records no row names, then half a record.
    archive = evidence.WarcArchive(settings.root, "mfa", settings.max_file_size)
    archive._current = path
    archive.append(_exchange("https://mfa.example/2", BODY), {"item_id": 0})
    orphaned = path.read_bytes()
    path.write_bytes(orphaned + intact[: first_length(config, item.id) // 2])
    code, out, err = _verify(config)
    assert code == 0, err
    assert "ok: 1 files, 5 indexed records" in out and "FAILED" not in err
    assert f"{path.name}: 5 records no index row names, from {len(intact)}" in err
    assert f"{path.name} @ {len(orphaned)}" in err and "no index row names these bytes" in err
    store = Store.from_config(config)
    with store.connect() as connection:
        served = evidence.records_of(connection, item.id)
    store.close()
    assert max(r.ref.offset + r.ref.length for r in served) == len(intact)


def test_damage_inside_an_indexed_record_still_fails(config: Config) -> None:
    _store_with_evidence(config, {"https://mfa.example/1": BODY})
    settings = evidence.EvidenceSettings.from_config(config)
    [path] = settings.root.glob("*.warc.gz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])  # the last indexed record cut short
    code, _, err = _verify(config)
    assert code == 1 and "FAILED" in err


def test_a_failed_append_cuts_the_file_back(config: Config) -> None:
    settings = evidence.EvidenceSettings.from_config(config)
    archive = settings.archive("mfa")
    archive.append(_exchange("https://mfa.example/1", BODY), {"item_id": 1})
    [path] = settings.root.glob("*.warc.gz")
    size = path.stat().st_size
    with pytest.raises(TypeError):  # the metadata record fails after two records went out
        archive.append(_exchange("https://mfa.example/2", BODY), {"item_id": object()})
    assert path.stat().st_size == size


def test_verify_names_a_matched_item_without_evidence(config: Config) -> None:
    _store_with_evidence(config, {"https://mfa.example/1": BODY})
    missing = _store_matched_without_evidence(config, "https://mfa.example/2")
    code, _, err = _verify(config)
    assert code == 1
    assert f"FAILED item {missing} matched a rule at " in err and "has no evidence record" in err
    assert "1 problems" in err


def test_rematched_older_and_unindexed_stores_are_not_named(config: Config, tmp_path: Path) -> None:
    code, out, _ = _verify(config)  # nothing indexed yet: nothing to date evidence from
    assert code == 0 and "matched items not checked: nothing indexed yet" in out
    before = _store_matched_without_evidence(config, "https://mfa.example/0")
    store = Store.from_config(config)
    with store.begin() as connection:  # matched before evidence began
        old = utcnow() - timedelta(days=2)
        connection.execute(update(items).where(items.c.id == before).values(updated_at=old))
        connection.execute(update(rule_matches).values(matched_at=old))
    store.close()
    _store_with_evidence(config, {"https://mfa.example/1": _body("1")})
    store = Store.from_config(config)  # an item `rules rematch` matched an hour after it
    batch = prepare_records([ItemRecord("mfa", "https://mfa.example/3", "S", _body("3"))])
    [item] = write_batch(store, batch, []).fresh
    with store.begin() as connection:
        stored_at = connection.execute(
            select(items.c.updated_at).where(items.c.id == item.id)
        ).scalar_one()
        row = {"item_id": item.id, "rule_id": "talks", "snippets": [], "spans": []}
        later = stored_at + timedelta(hours=1)
        connection.execute(insert(rule_matches).values(**row, matched_at=later))
    store.close()
    code, out, err = _verify(config)
    assert code == 0 and "every matched item has evidence" in out, err
    off = load_config(
        write_config(tmp_path, rules=RULES, settings={"evidence": {"enabled": False}}, name="off")
    )
    _store_matched_without_evidence(off, "https://mfa.example/9")
    code, out, _ = _verify(off)
    assert code == 0 and "matched items not checked: evidence is disabled" in out


def test_gc_cuts_a_settled_file_back_to_its_last_indexed_record(config: Config) -> None:
    _store_with_evidence(config, {"https://mfa.example/1": BODY})
    settings = evidence.EvidenceSettings.from_config(config)
    [path] = settings.root.glob("*.warc.gz")
    intact = path.read_bytes()
    path.write_bytes(intact + intact[:100])  # a torn record past the last indexed one
    result = CliRunner().invoke(cli, ["--config", str(config.directory), "db", "gc"])
    assert result.exit_code == 0 and path.stat().st_size == len(intact) + 100  # not settled
    hours_ago = time.time() - 7200
    os.utime(path, (hours_ago, hours_ago))
    result = CliRunner().invoke(cli, ["--config", str(config.directory), "db", "gc"])
    assert result.exit_code == 0 and "cut 1 WARC files back" in result.stdout
    assert path.read_bytes() == intact
    code, _, err = _verify(config)
    assert code == 0 and "WARNING" not in err


def test_origin_not_timing_tells_a_crawl_match_from_a_rematch(config: Config) -> None:
    """The two cases the two-minute rule got wrong: a slow batch whose match came more than
    two minutes after its store (named), a rematch seconds after the store (not named)."""
    _store_with_evidence(config, {"https://mfa.example/1": _body("1")})
    slow = _store_matched_without_evidence(config, "https://mfa.example/2")
    store = Store.from_config(config)
    try:
        with store.begin() as connection:  # the batch stored the item ten minutes before
            earlier = utcnow() - timedelta(minutes=10)
            connection.execute(update(items).where(items.c.id == slow).values(updated_at=earlier))
        batch = prepare_records([ItemRecord("mfa", "https://mfa.example/3", "S", _body("3"))])
        [unmatched] = write_batch(store, batch, []).fresh
        assert rematch_items(store, config, timedelta(days=1)).new_matches == 1
        with store.connect() as connection:
            query = select(rule_matches.c.item_id, rule_matches.c.origin)
            origins = dict(connection.execute(query).all())
    finally:
        store.close()
    assert origins[slow] == "crawl" and origins[unmatched.id] == "rematch"
    code, _, err = _verify(config)
    assert code == 1 and "1 problems" in err
    assert f"FAILED item {slow} matched a rule at " in err
    assert f"item {unmatched.id} " not in err


def test_a_rematch_counts_once_the_item_is_stored_again(config: Config) -> None:
    """A revision after the rematch is captured: from then on a missing record is named."""
    _store_with_evidence(config, {"https://mfa.example/1": _body("1")})
    store = Store.from_config(config)
    try:
        batch = prepare_records([ItemRecord("mfa", "https://mfa.example/3", "S", _body("3"))])
        [item] = write_batch(store, batch, []).fresh
        rematch_items(store, config, timedelta(days=1))
        with store.begin() as connection:  # stored again (a revision) after the rematch
            later = utcnow() + timedelta(minutes=1)
            connection.execute(update(items).where(items.c.id == item.id).values(updated_at=later))
    finally:
        store.close()
    code, _, err = _verify(config)
    assert code == 1 and f"FAILED item {item.id} matched a rule at " in err
