"""kill -9 during the evidence writes of a crawl (inside a WARC append, after its fsync,
with the index rows uncommitted, after the commit), then the crawl again: `evidence
verify` passes (what the killed writer left is a warning, never served), every matched
item has its capture exactly once, and nothing is lost. Then a revision of a sent item,
killed the same way during its recheck: one more capture, not two."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from crawler.cli.main import cli
from crawler.store import evidence
from crawler.store.schema import items, rule_matches
from crawler.store.store import Store
from tests.reliability.conftest import PgSchema
from tests.reliability.evidence_worker import EVIDENCE_POINTS
from tests.reliability.worker import run_crawl_worker
from tests.sites import FixtureSiteServer
from tests.withdrawals.site import (
    FILLER,
    SENT,
    ChangingSite,
    Statement,
    config_dir,
    item_ids,
    send,
    with_store,
)

STABLE = "Both sides reaffirmed their commitment to strategic stability in the region."
NOW = SENT + timedelta(hours=7)
MATCHED = ["m1", "m2", "m3", "m4", "m5"]
OTHER = ["n1", "n2"]
PER_CAPTURE = 5  # article response and request, listing response and request, metadata


def _site(server: FixtureSiteServer) -> ChangingSite:
    site = ChangingSite(server.site)
    for day, slug in enumerate(MATCHED + OTHER, start=1):
        text = f"{FILLER}\n\n{STABLE}" if slug in MATCHED else FILLER
        site.publish(Statement(slug, f"Statement {slug}", day, text))
    return site


def _config(server: FixtureSiteServer, tmp_path: Path, database_url: str | None) -> Path:
    settings = {"database": {"url": database_url}} if database_url else None
    directory = config_dir(server, tmp_path, settings)
    _, store = with_store(directory)  # migrate first, as every command does
    store.close()
    return directory


def _crawl(directory: Path, fault: str | None) -> int:
    return run_crawl_worker("tests.reliability.evidence_worker", directory, NOW.isoformat(), fault)


def _verify(directory: Path) -> str:
    result = CliRunner().invoke(cli, ["--config", str(directory), "evidence", "verify"])
    assert result.exit_code == 0, result.stderr
    assert "every matched item has evidence" in result.stdout
    return result.stderr


def _captures(store: Store) -> dict[str, list[int]]:
    """Each matched item's records, as capture numbers (one per record)."""
    ids = item_ids(store)
    with store.connect() as connection:
        matched = set(connection.execute(select(rule_matches.c.item_id)).scalars())
        assert connection.execute(select(func.count()).select_from(items)).scalar() == 7
        found = {
            slug: [r.capture for r in evidence.records_of(connection, ids[slug])]
            for slug in MATCHED + OTHER
        }
    assert matched == {ids[s] for s in MATCHED}  # nothing lost
    assert all(found[s] == [] for s in OTHER)
    return found


def _exports_read_back(directory: Path, store: Store, tmp_path: Path) -> None:
    """`evidence ITEM --out` serves exactly the indexed records, each with its digests."""
    ids = item_ids(store)
    for slug in MATCHED:
        with store.connect() as connection:
            indexed = [r.ref.record_id for r in evidence.records_of(connection, ids[slug])]
        out = tmp_path / f"{slug}.warc.gz"
        args = ["--config", str(directory), "evidence", str(ids[slug]), "--out", str(out)]
        assert CliRunner().invoke(cli, args).exit_code == 0
        seen = []
        with out.open("rb") as handle:
            for record in ArchiveIterator(handle, check_digests=True):
                record.content_stream().read()
                assert record.digest_checker.passed is not False
                seen.append(record.rec_headers.get_header("WARC-Record-ID"))
        assert seen == indexed


def _first_crawl_killed(
    server: FixtureSiteServer, tmp_path: Path, url: str | None, fault: str
) -> tuple[ChangingSite, Path]:
    site = _site(server)
    directory = _config(server, tmp_path, url)
    assert _crawl(directory, fault) == -signal.SIGKILL
    assert _crawl(directory, None) == 0
    return site, directory


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "fault",
    [
        "torn_record:1",
        "torn_record:7",
        "mid_append:3",
        "after_fsync:2",
        "in_evidence_txn:3",
        "after_evidence_commit:1",
    ],
)
def test_kill9_during_evidence_writes_then_rerun(
    fixture_site: FixtureSiteServer, tmp_path: Path, fault: str
) -> None:
    assert fault.partition(":")[0] in EVIDENCE_POINTS
    _, directory = _first_crawl_killed(fixture_site, tmp_path, None, fault)
    warnings = _verify(directory)
    if fault.startswith(("torn", "mid", "after_fsync")):  # bytes the index never named
        assert "WARNING" in warnings
    _, store = with_store(directory)
    try:
        captures = _captures(store)
        assert all(captures[s] == [0] * PER_CAPTURE for s in MATCHED)  # exactly once
        _exports_read_back(directory, store, tmp_path)
    finally:
        store.close()
    _settle(directory)  # an hour later, `db gc` takes away what the killed writer left
    result = CliRunner().invoke(cli, ["--config", str(directory), "db", "gc"])
    assert result.exit_code == 0, result.stderr
    assert "WARNING" not in _verify(directory)
    _, store = with_store(directory)
    try:
        _exports_read_back(directory, store, tmp_path)
    finally:
        store.close()


def _settle(directory: Path) -> None:
    config, store = with_store(directory)
    store.close()
    hours_ago = time.time() - 7200
    for path in evidence.EvidenceSettings.from_config(config).root.glob("*.warc.gz"):
        os.utime(path, (hours_ago, hours_ago))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("fault", ["torn_record:1", "after_fsync:1", "in_evidence_txn:1"])
def test_kill9_while_capturing_a_revision_then_rerun(
    fixture_site: FixtureSiteServer, tmp_path: Path, fault: str
) -> None:
    site, directory = _first_crawl_killed(fixture_site, tmp_path, None, "after_fsync:1")
    _, store = with_store(directory)
    send(store, [item_ids(store)[s] for s in MATCHED])
    store.close()
    site.edit("m1", f"{FILLER}\n\n{STABLE} Talks resume in May.")
    assert _crawl(directory, fault) == -signal.SIGKILL  # the recheck round's capture
    assert _crawl(directory, None) == 0
    _verify(directory)
    _, store = with_store(directory)
    try:
        captures = _captures(store)
        # One more capture, not two: a recheck's page came from no listing (3 records).
        assert captures["m1"] == [0] * PER_CAPTURE + [1] * 3
        assert all(captures[s] == [0] * PER_CAPTURE for s in MATCHED[1:])
        _exports_read_back(directory, store, tmp_path)
    finally:
        store.close()


@pytest.mark.timeout(300)
def test_kill9_during_evidence_writes_on_postgresql(
    fixture_site: FixtureSiteServer, tmp_path: Path, pg_schema: PgSchema
) -> None:
    _, directory = _first_crawl_killed(fixture_site, tmp_path, pg_schema.url, "in_evidence_txn:2")
    _verify(directory)
    _, store = with_store(directory)
    try:
        captures = _captures(store)
        assert all(captures[s] == [0] * PER_CAPTURE for s in MATCHED)
    finally:
        store.close()
