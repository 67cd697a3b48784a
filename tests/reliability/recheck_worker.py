"""A killable recheck round: one source's crawl in this process, at an injected time.

`python -m tests.reliability.recheck_worker CONFIG_DIR SOURCE_ID NOW` crawls the source with
its recheck round at NOW (ISO 8601) and SIGKILLs itself at PRESSWATCH_FAULT_POINT=NAME[:N]
(test-only, see tests.reliability.worker), one of RECHECK_POINTS.
"""

from __future__ import annotations

import sys

from tests.reliability.worker import after, crawl_source_at, wrap

# In the batch that stores the rechecked pages (their revisions), after it committed, in
# the rechecks' own transaction (after the N-th item's row), and after that committed.
RECHECK_POINTS = ("in_revision_txn", "after_revision_commit", "in_recheck_txn", "after_recheck_txn")


def install() -> None:
    import crawler.pipelines.store
    import crawler.store.rechecks
    import crawler.store.writer
    import spiders.rechecks

    wrap(crawler.store.writer, "insert_items", after, "in_revision_txn")
    wrap(crawler.pipelines.store.StorePipeline, "flush", after, "after_revision_commit")
    wrap(crawler.store.rechecks, "record_recheck", after, "in_recheck_txn")
    wrap(spiders.rechecks.RecheckRound, "finish", after, "after_recheck_txn")


def main(argv: list[str]) -> int:
    return crawl_source_at(argv, install)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
