"""Atom feeds per rule and per recipient: valid (parsed back with feedparser), stable ids."""

from __future__ import annotations

from pathlib import Path

import feedparser

from alerts.dispatch import deliver_digests, deliver_immediate
from alerts.feeds import write_feeds
from crawler.store.schema import items
from crawler.store.store import Store
from tests.ledger.seed import NOW, add_item, add_match, seed_matches, write_config

HOSTILE = '<script>alert(1)</script> & "Заявление" ]]> 中文'


def _parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_feeds_per_rule_and_recipient_after_a_digest(store: Store, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    arms = seed_matches(store, 2)
    nuclear = seed_matches(store, 1, rule_id="nuclear")
    deliver_digests(config, store, now=NOW)
    feeds = config.data_dir / "feeds"
    names = sorted(p.name for p in feeds.glob("*.atom"))
    assert names == [
        "recipient-alice.atom",
        "recipient-bob_example.org.atom",
        "rule-arms.atom",
        "rule-nuclear.atom",
    ]
    rule = _parse(feeds / "rule-arms.atom")
    assert rule.feed.title == "presswatch: Arms control"
    assert len(rule.entries) == len(arms)
    assert all(e.link.startswith("https://mofa.example/") for e in rule.entries)
    assert rule.entries[0].tags[0].term == "arms"
    reader = _parse(feeds / "recipient-alice.atom")
    assert len(reader.entries) == len(arms) + len(nuclear)
    assert {e.id for e in rule.entries} <= {e.id for e in reader.entries}


def test_entry_ids_are_stable_and_unchanged_feeds_are_not_rewritten(
    store: Store, tmp_path: Path
) -> None:
    config = write_config(tmp_path)
    seed_matches(store, 2)
    deliver_immediate(config, store, now=NOW)
    path = config.data_dir / "feeds" / "rule-arms.atom"
    before = {e.id: e.title for e in _parse(path).entries}
    assert write_feeds(config, store) == []  # nothing new: the file stays as it is
    with store.begin() as connection:
        item = add_item(connection, HOSTILE)
        add_match(connection, item, "arms", at=NOW)
    assert path in write_feeds(config, store)
    after = _parse(path)
    assert after.entries[0].title == HOSTILE  # newest first, escaped by the library
    assert {e.id: e.title for e in after.entries[1:]} == before
    assert len({e.id for e in after.entries}) == 3


def test_duplicates_are_left_out_and_the_limit_holds(store: Store, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    ids = seed_matches(store, 4)
    with store.begin() as connection:
        copy = add_item(connection, "arms statement copy", duplicate_of=ids[0])
        add_match(connection, copy, "arms")
    settings = config.settings.model_copy(
        update={"feeds": config.settings.feeds.model_copy(update={"entries": 3})}
    )
    limited = type(config)(config.directory, settings, config.sources, config.rules)
    write_feeds(limited, store)
    parsed = _parse(config.data_dir / "feeds" / "rule-arms.atom")
    assert len(parsed.entries) == 3
    assert all("copy" not in e.title for e in parsed.entries)


def test_feeds_can_be_turned_off(store: Store, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    settings = config.settings.model_copy(
        update={"feeds": config.settings.feeds.model_copy(update={"enabled": False})}
    )
    off = type(config)(config.directory, settings, config.sources, config.rules)
    seed_matches(store, 1)
    deliver_digests(off, store, now=NOW)
    assert not (config.data_dir / "feeds").exists()


def test_unsafe_links_and_control_characters(store: Store, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    with store.begin() as connection:
        item = add_item(connection, "bad\x01title\x1b[31m with <b>markup</b>")
        add_match(connection, item, "arms")
        connection.execute(
            items.update().where(items.c.id == item).values(url="javascript:alert(1)")
        )
    write_feeds(config, store)
    [entry] = _parse(config.data_dir / "feeds" / "rule-arms.atom").entries
    assert entry.title == "badtitle[31m with <b>markup</b>"
    assert not entry.get("link", "").startswith("javascript")
