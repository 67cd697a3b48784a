"""A feed write that fails (the feed directory not writable) holds up neither the digest nor
the crawl's alerts, and is not silent: `status` shows the directory, the error and when the
feeds were last written, until a write succeeds again."""

from __future__ import annotations

from pathlib import Path

from alerts.dispatch import deliver_digests, deliver_immediate
from alerts.feeds import write_feeds
from crawler.daemon.render import to_json, to_text
from crawler.daemon.status import collect_status
from crawler.store.store import Store
from tests.ledger.seed import NOW, seed_matches, write_config


def test_an_unwritable_feed_directory_is_shown_by_status_not_raised(
    store: Store, tmp_path: Path
) -> None:
    config = write_config(tmp_path)
    feeds = config.data_dir / "feeds"
    feeds.parent.mkdir(parents=True, exist_ok=True)
    feeds.write_text("not a directory")  # as unwritable as it gets, even for root
    seed_matches(store, 2)
    reports = deliver_digests(config, store, now=NOW)  # the digest goes out all the same
    assert reports and all(r.status == "sent" for r in reports if r.items)
    deliver_immediate(config, store, now=NOW)  # as after a crawl: no exception either
    report = collect_status(config, store, NOW)
    [state] = report.feeds
    assert state.directory == str(feeds) and state.last_written_at is None
    assert state.last_error is not None and "cannot write" in state.last_error
    text = to_text(report)
    assert f"feeds: {feeds} NOT WRITTEN at" in text and state.last_error in text
    assert '"last_error": "cannot write' in to_json(report)

    feeds.unlink()  # fixed: the next write clears the error and says when it wrote
    assert write_feeds(config, store)
    [state] = collect_status(config, store, NOW).feeds
    assert state.last_error is None and state.last_written_at is not None
    assert f"feeds: {feeds} written" in to_text(collect_status(config, store, NOW))


def test_no_feed_state_until_feeds_are_written(store: Store, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert collect_status(config, store, NOW).feeds == []
    assert "feeds:" not in to_text(collect_status(config, store, NOW))
