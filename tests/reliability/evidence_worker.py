"""A killable crawl with evidence on: one source's crawl in this process, at an injected time.

`python -m tests.reliability.evidence_worker CONFIG_DIR SOURCE_ID NOW` crawls the source
(its recheck round at NOW, ISO 8601) in batches of two items and SIGKILLs itself at
PRESSWATCH_FAULT_POINT=NAME[:N] (test-only, see tests.reliability.worker), one of
EVIDENCE_POINTS, the N-th time the process gets there.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from typing import Any

from tests.reliability.worker import FAULT_ENV, crawl_source_at, die, wrap

# Inside a WARC append: half of a record's gzip member on disk (a torn tail); after a
# whole record, before the rest of the capture and the fsync; after the fsync, before the
# index rows; with the rows inserted, before the commit; after the batch committed.
EVIDENCE_POINTS = (
    "torn_record",
    "mid_append",
    "after_fsync",
    "in_evidence_txn",
    "after_evidence_commit",
)
_hits: dict[str, int] = {}


def due(name: str) -> bool:
    """Count a pass through `name`; True on the configured pass."""
    wanted, _, nth = os.environ.get(FAULT_ENV, "").partition(":")
    if wanted != name:
        return False
    _hits[name] = _hits.get(name, 0) + 1
    return _hits[name] == int(nth or "1")


def torn_or_mid(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps crawler.store.warc._write (one record to the open file)."""

    def wrapper(writer: Any, handle: Any, record: Any, *args: Any) -> Any:
        if due("torn_record"):  # the kernel had half the member when the kill came
            member = io.BytesIO()
            type(writer)(member, gzip=True).write_record(record)
            handle.write(member.getvalue()[: len(member.getvalue()) // 2])
            handle.flush()
            die()
        result = func(writer, handle, record, *args)
        if due("mid_append"):  # whole records written (a big body fills the buffer)
            handle.flush()
            die()
        return result

    return wrapper


def reached_after(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        if due(name):
            die()
        return result

    return wrapper


def small_batches(func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        settings: dict[str, Any] = func(*args, **kwargs)
        settings["PRESSWATCH_FLUSH_EVERY"] = 2  # several batches, so a kill lands between
        return settings

    return wrapper


def install() -> None:
    import crawler.crawl.child
    import crawler.pipelines.store
    import crawler.store.evidence
    import crawler.store.warc

    crawler.store.warc._write = torn_or_mid(crawler.store.warc._write)
    wrap(crawler.store.warc.WarcArchive, "append", reached_after, "after_fsync")
    wrap(crawler.store.evidence, "save_records", reached_after, "in_evidence_txn")
    wrap(crawler.pipelines.store.StorePipeline, "flush", reached_after, "after_evidence_commit")
    crawler.crawl.child.build_settings = small_batches(crawler.crawl.child.build_settings)


def main(argv: list[str]) -> int:
    return crawl_source_at(argv, install)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
