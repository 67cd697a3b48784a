"""`evidence verify`'s verdict: what is a failure and what is only a warning.

A failure touches evidence someone relies on: an indexed record that is missing, damaged
or not what its row names, or a matched item with no record. Bytes no row names are only
warnings: a crawl killed mid-append leaves a torn tail, one killed between the fsync and
the commit (or a batch rolled back) leaves whole records no row names. Nothing serves them
(`evidence ITEM` reads the index), and `db gc` deletes a file once no row needs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from crawler.store.evidence import IndexedRecord
from crawler.store.warc import Problem, scan_file, verify_range, warc_files


@dataclass
class Verdict:
    """Failures (exit 1) and warnings of a verify run."""

    files: int = 0
    records: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def verify_evidence(root: Path, records: Sequence[IndexedRecord]) -> Verdict:
    """Every file scanned (digests, readable to its end), every indexed record checked."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for entry in records:
        spans.setdefault(entry.ref.file, []).append((entry.ref.offset, entry.ref.length))
    files = warc_files(root)
    verdict = Verdict(files=len(files), records=len(records))
    for name in files:
        _judge_file(verdict, root, name, spans.get(name, []))
    verdict.failures += [str(p) for e in records if (p := verify_range(root, e.ref))]
    return verdict


def _judge_file(verdict: Verdict, root: Path, name: str, spans: list[tuple[int, int]]) -> None:
    offsets, problems = scan_file(root, name)
    for problem in problems:
        if _indexed(problem, spans):
            verdict.failures.append(str(problem))
        else:
            verdict.warnings.append(f"{problem} (no index row names these bytes)")
    indexed = {offset for offset, _ in spans}
    orphans = [o for o in offsets if o not in indexed]
    if orphans:
        verdict.warnings.append(
            f"{name}: {len(orphans)} records no index row names, from {orphans[0]}"
            " (a batch that did not commit; never served, gone with the file)"
        )


def _indexed(problem: Problem, spans: list[tuple[int, int]]) -> bool:
    """Whether the problem lies inside bytes an index row names (or cannot be placed)."""
    if problem.offset is None:
        return True
    return any(start <= problem.offset < start + length for start, length in spans)


def add_missing(verdict: Verdict, missing: Mapping[int, datetime]) -> None:
    """Matched items with no record are failures."""
    verdict.failures += [
        f"item {item} matched a rule at {at:%Y-%m-%d %H:%M:%S}Z and has no evidence record"
        for item, at in missing.items()
    ]
