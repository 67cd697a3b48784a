"""`evidence ITEM --out`, `evidence verify` (also on a tampered file), `db gc` and `status`
on evidence written by the store pipeline's hook against the fixture site's pages."""

from __future__ import annotations

import gzip
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update
from warcio.archiveiterator import ArchiveIterator

from alerts.rules import ItemMatcher
from crawler.cli.main import cli
from crawler.config import Config
from crawler.store import evidence
from crawler.store.items import InsertOutcome, ItemRecord, prepare_records
from crawler.store.matches import RuleMatches
from crawler.store.schema import evidence_records, items
from crawler.store.store import Store
from crawler.store.types import utcnow
from crawler.store.warc import Exchange, verify_file
from crawler.store.writer import write_batch
from spiders.catalog import load_config
from tests.sites import write_config

RULES = [{"id": "talks", "name": "Talks", "query": "strategic stability"}]
LISTING = "https://mfa.example/news"


def _exchange(url: str, body: str) -> Exchange:
    listing = Exchange(LISTING, utcnow(), 200, (("Content-Type", "text/html"),), b"<a>x</a>")
    headers = (("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"))
    return Exchange(url, utcnow(), 200, headers, body.encode(), listing=listing)


def _store_with_evidence(config: Config, bodies: dict[str, str]) -> InsertOutcome:
    """Store items as a crawl batch does: rule matches, then the evidence hook."""
    settings = evidence.EvidenceSettings.from_config(config)
    matcher = ItemMatcher.from_config(config.enabled_rules, {})
    assert matcher is not None
    records = [ItemRecord("mfa", url, "Statement", body) for url, body in bodies.items()]
    exchanges = {url: _exchange(url, body) for url, body in bodies.items()}
    hooks = [RuleMatches(matcher), evidence.CaptureEvidence(settings.archive("mfa"), exchanges)]
    store = Store.from_config(config)
    try:
        return write_batch(store, prepare_records(records), hooks)
    finally:
        store.close()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path, rules=RULES))


def _run(config: Config, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(cli, ["--config", str(config.directory), *args])
    return result.exit_code, result.stdout, result.stderr


def _records(config: Config, item_id: int) -> list[evidence.IndexedRecord]:
    store = Store.from_config(config)
    try:
        with store.connect() as connection:
            return evidence.records_of(connection, item_id)
    finally:
        store.close()


def test_only_matched_items_get_records_and_revisions_append(config: Config) -> None:
    outcome = _store_with_evidence(
        config,
        {
            "https://mfa.example/1": "Talks on strategic stability resumed.",
            "https://mfa.example/2": "Weather report.",
        },
    )
    ids = {s.record.url: s.id for s in outcome.fresh}
    matched, other = ids["https://mfa.example/1"], ids["https://mfa.example/2"]
    first = _records(config, matched)
    assert [r.ref.record_type for r in first] == [
        "response",
        "request",
        "response",
        "request",
        "metadata",
    ]
    assert [r.ref.target_uri for r in first][1:3] == ["https://mfa.example/1", LISTING]
    assert _records(config, other) == []
    revised = {"https://mfa.example/1": "Talks on strategic stability resumed in Geneva."}
    assert _store_with_evidence(config, revised).changed
    again = _records(config, matched)
    assert len(again) == 10 and {r.capture for r in again} == {0, 1}
    assert again[:5] == first


def test_export_writes_a_warc_that_warcio_reads_with_digests(
    config: Config, tmp_path: Path
) -> None:
    [item] = _store_with_evidence(
        config, {"https://mfa.example/1": "Talks on strategic stability resumed."}
    ).fresh
    out = tmp_path / "item.warc.gz"
    code, _, err = _run(config, "evidence", str(item.id), "--out", str(out))
    assert code == 0, err
    seen = []
    with out.open("rb") as handle:
        for record in ArchiveIterator(handle, check_digests=True):
            body = record.content_stream().read()
            assert record.digest_checker.passed is not False
            seen.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI")))
            if record.rec_type == "response" and seen[0][1].endswith("/1") and len(seen) == 1:
                headers = record.http_headers
                assert body == b"Talks on strategic stability resumed."
                assert headers.get_header("Content-Length") == str(len(body))
                assert headers.get_header("Content-Encoding") is None
                assert headers.get_header("X-Presswatch-Original-Content-Encoding") == "gzip"
                assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
                assert record.rec_headers.get_header("WARC-Block-Digest").startswith("sha1:")
    assert [t for t, _ in seen] == ["response", "request", "response", "request", "metadata"]
    code, listing, _ = _run(config, "evidence", str(item.id))
    assert code == 0 and listing.count("\n") == 5 and "https://mfa.example/1" in listing


def test_export_of_an_item_without_evidence_is_a_usage_error(config: Config) -> None:
    code, _, err = _run(config, "evidence", "999")
    assert code == 2 and "item 999 has no evidence" in err


def test_verify_accepts_intact_files_and_names_a_tampered_record(config: Config) -> None:
    [item] = _store_with_evidence(
        config, {"https://mfa.example/1": "Talks on strategic stability resumed."}
    ).fresh
    code, out, err = _run(config, "evidence", "verify")
    assert code == 0 and "ok: 1 files, 5 indexed records" in out, err
    [first, *_] = _records(config, item.id)
    path = evidence.EvidenceSettings.from_config(config).root / first.ref.file
    _tamper(path, first.ref.offset, first.ref.length, b"resumed", b"RESUMED")
    code, _, err = _run(config, "evidence", "verify")
    assert code == 1
    assert f"FAILED {first.ref.file} @ {first.ref.offset} record {first.ref.record_id}" in err
    assert "payload" in err.lower() or "digest" in err.lower()


def _tamper(path: Path, offset: int, length: int, old: bytes, new: bytes) -> None:
    """Change bytes inside one record, recompressed in place of the original member."""
    data = path.read_bytes()
    member = gzip.decompress(data[offset : offset + length])
    assert old in member
    changed = gzip.compress(member.replace(old, new))
    path.write_bytes(data[:offset] + changed + data[offset + length :])


def test_verify_reports_a_missing_file(config: Config) -> None:
    [item] = _store_with_evidence(
        config, {"https://mfa.example/1": "Talks on strategic stability resumed."}
    ).fresh
    [first, *_] = _records(config, item.id)
    (evidence.EvidenceSettings.from_config(config).root / first.ref.file).unlink()
    code, _, err = _run(config, "evidence", "verify")
    assert code == 1 and f"{first.ref.file} record {first.ref.record_id}: file missing" in err


def test_gc_drops_evidence_with_its_item_and_deletes_unneeded_files(config: Config) -> None:
    [old] = _store_with_evidence(
        config, {"https://mfa.example/1": "Talks on strategic stability resumed."}
    ).fresh
    settings = evidence.EvidenceSettings.from_config(config)
    [old_file] = {r.ref.file for r in _records(config, old.id)}
    settings.root.joinpath(old_file).rename(settings.root / "old.warc.gz")  # a closed file
    store = Store.from_config(config)
    with store.begin() as connection:
        connection.execute(update(evidence_records).values(file="old.warc.gz"))
        stale = utcnow() - timedelta(days=400)
        connection.execute(update(items).where(items.c.id == old.id).values(first_seen_at=stale))
    store.close()
    hour_ago = time.time() - 7200
    os.utime(settings.root / "old.warc.gz", (hour_ago, hour_ago))
    [kept] = _store_with_evidence(
        config, {"https://mfa.example/2": "More on strategic stability."}
    ).fresh
    code, out, err = _run(config, "db", "gc", "--dry-run")
    assert code == 0 and "would delete 1 items" in out and "1 WARC files" in out, err
    assert (settings.root / "old.warc.gz").exists()
    code, out, err = _run(config, "db", "gc")
    assert code == 0 and "deleted 5 evidence records" not in out, err
    assert not (settings.root / "old.warc.gz").exists()
    assert _records(config, old.id) == [] and len(_records(config, kept.id)) == 5
    code, out, _ = _run(config, "evidence", "verify")
    assert code == 0 and "1 files, 5 indexed records" in out


def test_evidence_retention_drops_old_records_of_kept_items(config: Config) -> None:
    [item] = _store_with_evidence(
        config, {"https://mfa.example/1": "Talks on strategic stability resumed."}
    ).fresh
    settings = evidence.EvidenceSettings.from_config(config)
    store = Store.from_config(config)
    try:
        with store.begin() as connection:
            later = utcnow() + settings.retention + timedelta(days=1)
            result = evidence.prune(connection, settings, now=later)
        assert result.records_deleted == 5 and len(result.files_unneeded) == 1
        fresh = evidence.settled_before()
        assert evidence.delete_files(settings, result.files_unneeded, older_than=fresh) == 0
        assert evidence.delete_files(settings, result.files_unneeded, older_than=later) == 1
    finally:
        store.close()
    assert _records(config, item.id) == []
    store = Store.from_config(config)
    try:  # the daemon's maintenance: nothing left to delete, and a fresh file is kept
        assert evidence.collect_evidence_garbage(store, settings) == (0, 0)
    finally:
        store.close()


def test_status_reports_evidence_use_and_the_limit(config: Config, tmp_path: Path) -> None:
    _store_with_evidence(config, {"https://mfa.example/1": "Talks on strategic stability."})
    code, out, err = _run(config, "status")
    assert code == 0, err
    assert "evidence:   1 items, 5 records in 1 files" in out and "(kept 52w1d)" in out
    tight = load_config(
        write_config(
            tmp_path,
            rules=RULES,
            settings={"evidence": {"max_file_size": "1MB", "max_total_size": "1MB"}},
            name="tight",
        )
    )
    store = Store.from_config(tight)
    try:
        report = evidence.evidence_status(store, tight)
    finally:
        store.close()
    assert report.enabled is True and report.over_limit is False and report.warning is None


def test_a_verify_of_a_file_checks_every_record(config: Config) -> None:
    _store_with_evidence(config, {"https://mfa.example/1": "Talks on strategic stability."})
    settings = evidence.EvidenceSettings.from_config(config)
    [name] = [p.name for p in settings.root.rglob("*.warc.gz")]
    assert verify_file(settings.root, name) == []
    (settings.root / name).write_bytes(b"not a warc at all")
    [problem] = verify_file(settings.root, name)
    assert problem.file == name and "unreadable" in problem.reason


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"max_file_size": "10KB"}, "max_file_size must be at least 1MB"),
        ({"max_file_size": "200MB", "max_total_size": "100MB"}, "at least max_file_size"),
        ({"retention": "soon"}, "retention"),
        ({"keep": True}, "keep"),
    ],
)
def test_bad_evidence_settings_name_the_key(
    tmp_path: Path, section: dict[str, object], message: str
) -> None:
    from crawler.errors import ConfigError

    with pytest.raises(ConfigError) as error:
        load_config(write_config(tmp_path, settings={"evidence": section}))
    text = str(error.value)
    assert "presswatch.yaml" in text and "evidence" in text and message in text


def test_a_batch_that_fails_after_writing_records_leaves_no_row_and_a_valid_file(
    config: Config,
) -> None:
    """Records are on disk before their rows; a batch rolled back after them (the crawl
    killed, a later hook failing) leaves records no row names, `verify` still accepts the
    file, and the item's next crawl writes its evidence again: nothing lost."""
    settings = evidence.EvidenceSettings.from_config(config)
    matcher = ItemMatcher.from_config(config.enabled_rules, {})
    assert matcher is not None
    url = "https://mfa.example/1"
    body = "Talks on strategic stability resumed."
    archive = settings.archive("mfa")

    def crash(outcome: InsertOutcome, connection: object) -> None:
        raise RuntimeError("killed after the evidence was written")

    hooks = [RuleMatches(matcher), evidence.CaptureEvidence(archive, {url: _exchange(url, body)})]
    store = Store.from_config(config)
    try:
        batch = prepare_records([ItemRecord("mfa", url, "Statement", body)])
        with pytest.raises(RuntimeError, match="killed"):
            write_batch(store, batch, [*hooks, crash])
        assert [p.stat().st_size > 0 for p in settings.root.glob("*.warc.gz")] == [True]
        code, out, _ = _run(config, "evidence", "verify")
        assert code == 0 and "1 files, 0 indexed records" in out
        [item] = write_batch(store, prepare_records([ItemRecord("mfa", url, "S", body)]), hooks).new
    finally:
        store.close()
    assert len(_records(config, item.id)) == 5
    code, out, _ = _run(config, "evidence", "verify")
    assert code == 0 and "1 files, 5 indexed records" in out
