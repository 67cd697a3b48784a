"""Edits of matched items, on SQLite and PostgreSQL: a revision goes through the one
matching path (ItemMatcher) and is compared with the item's baseline; typo-level changes
are not edits, a phrase added, a matched sentence removed, a title or a date changed are;
`on_edit` decides; a batch written twice records nothing twice; the ledger's reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from alerts.rules import ItemMatcher
from crawler.store.edits import (
    EditWatch,
    mark_edit_notices_taken,
    pending_edit_notices,
)
from crawler.store.items import InsertOutcome, ItemRecord, prepare_records
from crawler.store.matches import RuleMatches
from crawler.store.store import Store
from crawler.store.writer import write_batch

URL = "https://mfa.example/statement-1"
BODY = (
    "The Foreign Minister met his counterpart on Monday. "
    "Both sides reaffirmed their commitment to strategic stability in the region. "
    "They agreed to meet again in May."
)
MAY = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@dataclass
class Rule:
    id: str
    query: str
    on_edit: Literal["notify", "digest", "ignore"] = "notify"
    fields: Literal["all", "title", "body"] = "all"
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


RULES = [
    Rule("stability", '"strategic stability"'),
    Rule("sanctions", "sanctions", on_edit="digest"),
    Rule("weather", "monsoon", on_edit="ignore"),
]


def _write(store: Store, body: str, title: str = "Talks", when: datetime = MAY) -> InsertOutcome:
    matcher = ItemMatcher.from_config(RULES, {})
    assert matcher is not None
    hooks = [RuleMatches(matcher), EditWatch.from_rules(matcher, RULES)]
    page = ItemRecord("mfa", URL, title, body, published_at=when)
    return write_batch(store, prepare_records([page]), hooks)


def _events(store: Store) -> list[tuple[str, str, str]]:
    with store.connect() as connection:
        return [(n.rule_id, n.kind, n.delivery) for n in pending_edit_notices(connection)]


def test_a_typo_fix_or_typography_is_no_edit(store: Store) -> None:
    _write(store, BODY)
    outcome = _write(store, BODY.replace("Monday.", "Monday .").replace("region", "region "))
    assert outcome.changed  # a revision the store kept ...
    assert _events(store) == []  # ... that is not an edit
    _write(store, BODY.replace("counterpart", "counter\u00adpart").replace(". Both", ".  Both"))
    assert _events(store) == []


def test_a_phrase_added_to_the_matched_passage_is_an_edit_with_a_diff(store: Store) -> None:
    [item] = _write(store, BODY).fresh
    _write(store, BODY.replace("in the region", "in the region and beyond"))
    with store.connect() as connection:
        [notice] = pending_edit_notices(connection)
    assert (notice.item_id, notice.rule_id, notice.kind) == (
        item.id,
        "stability",
        "passage_changed",
    )
    assert "{+and beyond+}" in notice.diff_text and "<ins>and beyond</ins>" in notice.diff_html
    assert notice.first_seen_at is not None and notice.changed_at >= notice.first_seen_at


def test_a_matched_sentence_removed_is_a_vanished_passage(store: Store) -> None:
    _write(store, BODY)
    _write(
        store,
        BODY.replace(
            "Both sides reaffirmed their commitment to strategic stability in the region. ", ""
        ),
    )
    with store.connect() as connection:
        [notice] = pending_edit_notices(connection)
    assert notice.kind == "passage_vanished" and notice.after == ""
    assert "[-" in notice.diff_text and "strategic stability" in notice.before


def test_a_revision_that_newly_matches_a_rule(store: Store) -> None:
    _write(store, BODY)
    _write(store, BODY + " Sanctions were not discussed.")
    assert _events(store) == [("sanctions", "new_match", "digest")]


def test_on_edit_ignore_records_nothing(store: Store) -> None:
    _write(store, BODY)
    _write(store, BODY + " The monsoon delayed the meeting.")
    assert _events(store) == []


def test_title_and_date_changes_concern_the_rules_matched(store: Store) -> None:
    _write(store, BODY)
    _write(store, BODY, title="Talks (updated)")
    assert _events(store) == [("stability", "title_changed", "notify")]
    _write(
        store, BODY + " Updated.", title="Talks (updated)", when=datetime(2026, 5, 6, tzinfo=UTC)
    )
    assert ("stability", "date_changed", "notify") in _events(store)


def test_an_unmatched_item_revised_is_no_edit_and_a_replay_records_once(store: Store) -> None:
    unrelated = "The ministry published its annual report."
    _write(store, unrelated)
    _write(store, unrelated + " Corrected.")
    assert _events(store) == []
    other = "https://mfa.example/statement-2"
    matcher = ItemMatcher.from_config(RULES, {})
    assert matcher is not None
    hooks = [RuleMatches(matcher), EditWatch.from_rules(matcher, RULES)]
    first = ItemRecord("mfa", other, "T", BODY)
    write_batch(store, prepare_records([first]), hooks)
    revised = ItemRecord("mfa", other, "T", BODY.replace("May", "June"))
    write_batch(store, prepare_records([revised]), hooks)
    events = _events(store)
    assert events == []  # "May" is outside the matched passage: not an edit of the passage
    edited = BODY.replace("strategic stability in the region", "strategic stability")
    write_batch(store, prepare_records([ItemRecord("mfa", other, "T", edited)]), hooks)
    # The same revision crawled again (a crawl killed after its commit): stored unchanged.
    write_batch(store, prepare_records([ItemRecord("mfa", other, "T", edited)]), hooks)
    assert _events(store) == [("stability", "passage_changed", "notify")]


def test_the_ledger_takes_notices_once(store: Store) -> None:
    _write(store, BODY)
    _write(store, BODY + " Sanctions were not discussed.")
    _write(store, BODY.replace("region", "world") + " Sanctions were not discussed.")
    with store.begin() as connection:
        digest = pending_edit_notices(connection, delivery="digest")
        now = pending_edit_notices(connection, delivery="notify", rules=["stability"])
        assert [n.kind for n in digest] == ["new_match"]
        assert [n.kind for n in now] == ["passage_changed"]
        assert mark_edit_notices_taken(connection, [n.id for n in digest + now]) == 2
        assert mark_edit_notices_taken(connection, [n.id for n in now]) == 0
    assert _events(store) == []


def test_an_unmatched_item_whose_revision_matches_is_a_new_match(store: Store) -> None:
    unrelated = "The ministry published its annual report."
    [item] = _write(store, unrelated).fresh
    _write(store, unrelated + " It stresses strategic stability.")
    with store.connect() as connection:
        [notice] = pending_edit_notices(connection)
    assert (notice.item_id, notice.rule_id, notice.kind) == (item.id, "stability", "new_match")
    assert "{+" in notice.diff_text and "strategic stability" in notice.after
    _write(store, unrelated + " It stresses strategic stability.")  # the same page again
    assert len(_events(store)) == 1
