"""Owner of `evidence_records`: WARC evidence of matched items (issue 18, docs/evidence.md).

`CaptureEvidence` is an after-store hook built per batch by the store pipeline with the
raw exchanges of that batch's items: inside the batch's transaction, after the rule
matches, it writes a WARC record set for every fresh or changed item that has a rule
match, and indexes them here. The batch's exchanges are dropped with the hook, so raw
bytes live only from the response to the batch's commit.

Readers: `records_of` (an item's records, for export), `all_records` (verify),
`usage` (status). Retention: `prune` drops rows older than the evidence retention and
names the files no row needs any more (the caller deletes them after the commit).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, func, select

from crawler.formatting import format_duration
from crawler.store.items import InsertOutcome, StoredItem
from crawler.store.matches import STORE_SLACK, matched_when_stored, rules_matched
from crawler.store.schema import evidence_records
from crawler.store.types import utcnow
from crawler.store.warc import Exchange, RecordRef, WarcArchive, warc_files

if TYPE_CHECKING:
    from crawler.config import Config
    from crawler.store.store import Store


@dataclass(frozen=True)
class EvidenceSettings:
    """Where evidence goes and its limits (from `evidence:` in presswatch.yaml)."""

    enabled: bool
    root: Path
    retention: timedelta
    max_file_size: int
    max_total_size: int

    @classmethod
    def from_config(cls, config: Config) -> EvidenceSettings:
        section = config.settings.evidence
        root = config.data_dir / "evidence"
        if section.dir is not None:  # relative to the config directory, as data_dir is
            root = section.dir if section.dir.is_absolute() else config.directory / section.dir
        return cls(
            enabled=section.enabled,
            root=root.resolve(),
            retention=section.retention,
            max_file_size=section.max_file_size,
            max_total_size=section.max_total_size,
        )

    def archive(self, prefix: str) -> WarcArchive:
        return WarcArchive(self.root, prefix, self.max_file_size)


class CaptureEvidence:
    """After-store hook: WARC records for the batch's matched items; returns how many
    items got evidence."""

    def __init__(self, archive: WarcArchive, exchanges: Mapping[str, Exchange]) -> None:
        self.archive = archive
        self.exchanges = exchanges

    def __call__(self, outcome: InsertOutcome, connection: Connection) -> int:
        stored = [s for s in (*outcome.fresh, *outcome.changed) if s.record.url in self.exchanges]
        if not stored:
            return 0
        matched = rules_matched(connection, [s.id for s in stored])
        done = 0
        for item in stored:
            if rules := matched.get(item.id):
                self._capture(connection, item, sorted(rules))
                done += 1
        return done

    def _capture(self, connection: Connection, item: StoredItem, rules: list[str]) -> None:
        capture = next_capture(connection, item.id)
        metadata = {
            "item_id": item.id,
            "source_id": item.record.source_id,
            "capture": capture,
            "rules": rules,
            "title": item.record.title,
        }
        refs = self.archive.append(self.exchanges[item.record.url], metadata)
        save_records(connection, item.id, capture, refs)


def next_capture(connection: Connection, item_id: int) -> int:
    """0 for an item's first capture, then 1, 2, ... for each revision captured."""
    latest = connection.execute(
        select(func.max(evidence_records.c.revision)).where(evidence_records.c.item_id == item_id)
    ).scalar()
    return 0 if latest is None else int(latest) + 1


def save_records(
    connection: Connection, item_id: int, capture: int, refs: Iterable[RecordRef]
) -> None:
    now = utcnow()
    rows = [
        {
            "item_id": item_id,
            "revision": capture,
            "file": ref.file,
            "offset": ref.offset,
            "length": ref.length,
            "record_type": ref.record_type,
            "target_uri": ref.target_uri,
            "record_id": ref.record_id,
            "digest": ref.digest,
            "fetched_at": ref.fetched_at,
            "stored_at": now,
        }
        for ref in refs
    ]
    if rows:
        connection.execute(evidence_records.insert(), rows)


@dataclass(frozen=True)
class IndexedRecord:
    """One indexed record: its item and capture number, and where it sits."""

    item_id: int
    capture: int
    ref: RecordRef


def records_of(connection: Connection, item_id: int) -> list[IndexedRecord]:
    """An item's records in the order they were written."""
    query = select(evidence_records).where(evidence_records.c.item_id == item_id)
    return [_indexed(row) for row in connection.execute(query.order_by(evidence_records.c.id))]


def all_records(connection: Connection) -> list[IndexedRecord]:
    query = select(evidence_records).order_by(evidence_records.c.file, evidence_records.c.offset)
    return [_indexed(row) for row in connection.execute(query)]


def _indexed(row: object) -> IndexedRecord:
    m = row._mapping  # type: ignore[attr-defined]
    ref = RecordRef(
        file=m["file"],
        offset=int(m["offset"]),
        length=int(m["length"]),
        record_type=m["record_type"],
        target_uri=m["target_uri"],
        record_id=m["record_id"],
        digest=m["digest"],
        fetched_at=m["fetched_at"],
    )
    return IndexedRecord(int(m["item_id"]), int(m["revision"]), ref)


def missing_evidence(
    connection: Connection, settings: EvidenceSettings, now: datetime | None = None
) -> dict[int, datetime] | None:
    """Items matched when stored, under the evidence retention, with no indexed record:
    {item id: match time}. Items matched before the first record still indexed predate
    evidence (or were matched while it was off) and are not named; None when nothing is
    indexed at all (nothing to date evidence from)."""
    first = connection.execute(select(func.min(evidence_records.c.stored_at))).scalar()
    if first is None:
        return None
    since = max((now or utcnow()) - settings.retention, first - STORE_SLACK)
    matched = matched_when_stored(connection, since)
    if not matched:
        return {}
    # A range, not IN (...): the matched items can outnumber SQLite's bound parameters.
    query = select(evidence_records.c.item_id).where(evidence_records.c.item_id >= min(matched))
    captured = {int(i) for i in connection.execute(query.distinct()).scalars()}
    return {item: at for item, at in sorted(matched.items()) if item not in captured}


@dataclass(frozen=True)
class EvidenceUsage:
    """What `status` reports of the evidence store."""

    directory: str
    files: int
    bytes: int
    items: int
    records: int
    max_total_size: int
    retention: timedelta

    @property
    def over_limit(self) -> bool:
        return self.bytes > self.max_total_size


def usage(connection: Connection, settings: EvidenceSettings) -> EvidenceUsage:
    """Files and bytes on disk, items and records indexed, and the configured limits."""
    files = warc_files(settings.root)
    size = sum((settings.root / f).stat().st_size for f in files)
    items, records = connection.execute(
        select(
            func.count(func.distinct(evidence_records.c.item_id)), func.count(evidence_records.c.id)
        )
    ).one()
    return EvidenceUsage(
        directory=str(settings.root),
        files=len(files),
        bytes=size,
        items=int(items),
        records=int(records),
        max_total_size=settings.max_total_size,
        retention=settings.retention,
    )


@dataclass(frozen=True)
class EvidenceStatus:
    """The `evidence` part of `presswatch status`."""

    enabled: bool
    directory: str
    files: int
    bytes: int
    items: int
    records: int
    max_total_size: int
    retention: str
    over_limit: bool
    warning: str | None


def evidence_status(store: Store, config: Config) -> EvidenceStatus:
    """What `status` shows of the evidence store (a warning when over max_total_size)."""
    settings = EvidenceSettings.from_config(config)
    with store.connect() as connection:
        found = usage(connection, settings)
    warning = None
    if found.over_limit:
        warning = (
            f"evidence uses {found.bytes} bytes, above evidence.max_total_size"
            f" ({found.max_total_size}); lower evidence.retention or raise the limit"
        )
    return EvidenceStatus(
        enabled=settings.enabled,
        directory=found.directory,
        files=found.files,
        bytes=found.bytes,
        items=found.items,
        records=found.records,
        max_total_size=found.max_total_size,
        retention=format_duration(settings.retention),
        over_limit=found.over_limit,
        warning=warning,
    )


def evidence_line(status: EvidenceStatus) -> str:
    """One line of `status` text."""
    if not status.enabled:
        return "evidence:   disabled"
    line = (
        f"evidence:   {status.items} items, {status.records} records in {status.files} files,"
        f" {status.bytes / 2**20:.1f} MB of {status.max_total_size / 2**20:.0f} MB"
        f" (kept {status.retention})"
    )
    return line + (f"  WARNING: {status.warning}" if status.warning else "")


@dataclass(frozen=True)
class PruneResult:
    records_deleted: int
    files_unneeded: list[str]
    # Where each remaining file's last indexed record ends: bytes past it are what a killed
    # crawl left (a torn record, records of a batch that never committed).
    indexed_ends: dict[str, int] = field(default_factory=dict)


def prune(
    connection: Connection, settings: EvidenceSettings, now: datetime | None = None
) -> PruneResult:
    """Drop rows stored before the evidence retention; name the WARC files no remaining row
    needs (rows of deleted items went with them by cascade). The files of items still kept
    are never named: a file goes only when every record in it is unindexed. The caller
    deletes the named files once the transaction has committed (`delete_files`)."""
    cutoff = (now or utcnow()) - settings.retention
    statement = delete(evidence_records).where(evidence_records.c.stored_at < cutoff)
    deleted = connection.execute(statement).rowcount
    needed = set(connection.execute(select(evidence_records.c.file).distinct()).scalars())
    unneeded = [f for f in warc_files(settings.root) if f not in needed]
    end = evidence_records.c.offset + evidence_records.c.length
    ends = select(evidence_records.c.file, func.max(end)).group_by(evidence_records.c.file)
    indexed_ends = {str(f): int(e) for f, e in connection.execute(ends)}
    return PruneResult(deleted, unneeded, indexed_ends)


def collect_evidence_garbage(store: Store, settings: EvidenceSettings) -> tuple[int, int]:
    """`prune` in its own transaction, then delete the files no row needs (the daemon's
    maintenance, after item retention); returns (records, files) deleted."""
    with store.begin() as connection:
        pruned = prune(connection, settings)
    gone = delete_files(settings, pruned.files_unneeded, older_than=settled_before())
    trim_files(settings, pruned.indexed_ends, older_than=settled_before())
    return pruned.records_deleted, gone


def settled_before(now: datetime | None = None) -> datetime:
    """Files modified after this may belong to a crawl whose batch is not committed yet."""
    return (now or utcnow()) - timedelta(hours=1)


def delete_files(settings: EvidenceSettings, files: Iterable[str], *, older_than: datetime) -> int:
    """Delete the named files not modified since `older_than` (a crawl may be writing a
    fresh file whose rows are not committed yet); returns how many went."""
    gone = 0
    for name in files:
        path = settings.root / name
        if path.is_file() and path.stat().st_mtime < older_than.timestamp():
            path.unlink()
            gone += 1
    return gone


def trim_files(settings: EvidenceSettings, ends: Mapping[str, int], *, older_than: datetime) -> int:
    """Cut each settled file back to the end of its last indexed record (a crawl killed
    mid-append left a torn record or records no row names there; none is ever served);
    returns how many files were cut. Unindexed records between indexed ones stay."""
    cut = 0
    for name, end in ends.items():
        path = settings.root / name
        if not path.is_file() or path.stat().st_mtime >= older_than.timestamp():
            continue
        if path.stat().st_size > end:
            os.truncate(path, end)
            cut += 1
    return cut
