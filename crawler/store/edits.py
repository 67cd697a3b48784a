"""Owner of `edit_baselines` and `item_edits`: edits of matched items (issue 18).

`EditWatch` is an after-store hook, after `RuleMatches`, in the batch's transaction:

- a fresh item that matched gets a baseline: its title, date and, per rule, the matched
  passage (the rule_matches snippets);
- a changed item (a new revision: same URL, new content) is matched again on the one
  matching path (`ItemMatcher`) and compared with its baseline; each difference that is
  more than cosmetic (alerts.rules.textdiff) is an edit event per rule:
  `new_match` (the revision matches a rule the item did not), `passage_changed`,
  `passage_vanished`, `title_changed`, `date_changed`, with a word-level diff (text and
  HTML). The rule's `on_edit` says `notify` or `digest`; `ignore` records nothing.
  The baseline then becomes the revision.

An item matched before this table existed (or by `rules rematch`) has no baseline: its
passages are taken from rule_matches, its title and date are not compared the first time.
An item no rule matched has none either: a revision of it that matches is a `new_match`.
An article page arriving for an item stored from its listing is not an edit (the
listing's lead was never the statement).

Events are unique per (item, rule, kind, revision content): a batch written twice (a crawl
killed after its commit, the page fetched again) records nothing twice.
`pending_edit_notices` is the typed reader the delivery ledger consumes;
`mark_edit_notices_taken` sets `notified_at` once it has queued them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, func, select, update

from alerts.rules import ItemMatcher
from alerts.rules.textdiff import same_text, word_diff
from crawler.store.dialect import insert_ignore, upsert
from crawler.store.items import InsertOutcome, StoredItem
from crawler.store.matches import item_text, match_passages, passage_of
from crawler.store.schema import edit_baselines, item_edits
from crawler.store.types import utcnow

EditKind = Literal[
    "new_match", "passage_changed", "passage_vanished", "title_changed", "date_changed"
]
Delivery = Literal["notify", "digest"]


@dataclass(frozen=True)
class Baseline:
    """An item as last compared."""

    title: str
    published_at: datetime | None
    passages: dict[str, str]  # rule id -> passage
    first_seen_at: datetime | None
    complete: bool = True  # False: rebuilt from rule_matches, title and date unknown


@dataclass(frozen=True)
class EditEvent:
    """One edit of one item for one rule, before it is stored."""

    rule_id: str
    kind: EditKind
    before: str
    after: str


class EditWatch:
    """After-store hook: baselines of fresh matched items, edit events of revisions;
    returns how many events it recorded."""

    def __init__(self, matcher: ItemMatcher, on_edit: Mapping[str, str]) -> None:
        self.matcher = matcher
        self.on_edit = on_edit

    @classmethod
    def from_rules(cls, matcher: ItemMatcher, rules: Sequence[Any]) -> EditWatch:
        """From configured rules (each with `id` and `on_edit`)."""
        return cls(matcher, {rule.id: getattr(rule, "on_edit", "notify") for rule in rules})

    def __call__(self, outcome: InsertOutcome, connection: Connection) -> int:
        now = utcnow()
        self._baselines_of_fresh(connection, outcome.fresh, now)
        revised = [s for s in outcome.changed if not _article_arrived(s)]
        recorded = 0
        for stored in revised:
            recorded += self._compare(connection, stored, now)
        arrived = [s for s in outcome.changed if _article_arrived(s)]
        self._baselines_of_fresh(connection, arrived, now)
        return recorded

    def _baselines_of_fresh(
        self, connection: Connection, stored: Sequence[StoredItem], now: datetime
    ) -> None:
        passages = match_passages(connection, [s.id for s in stored])
        for item in stored:
            if item.id in passages:
                record = item.record
                current = Baseline(record.title, record.published_at, passages[item.id], now)
                save_baseline(connection, item.id, current, now)

    def _compare(self, connection: Connection, stored: StoredItem, now: datetime) -> int:
        old = read_baseline(connection, stored.id)
        hits = self.matcher.match([item_text(stored)])
        if old is None:
            if not hits:
                return 0  # never matched, and still does not
            # A revision of an item no rule matched now matches: each rule's `new_match`
            # (RuleMatches takes fresh items only, so this is the one record of it).
            old = Baseline(stored.record.title, None, {}, None, complete=False)
        current = Baseline(
            stored.record.title,
            stored.record.published_at or old.published_at,
            {hit.rule_id: passage_of(hit.snippets) for hit in hits},
            old.first_seen_at,
        )
        events = edit_events(old, current)
        recorded = sum(
            self._record(connection, stored, event, old.first_seen_at, now) for event in events
        )
        followed = {**old.passages, **current.passages}  # a vanished rule is still followed
        passages = {rule: current.passages.get(rule, "") for rule in followed}
        save_baseline(connection, stored.id, _with_passages(current, passages), now)
        return recorded

    def _record(
        self,
        connection: Connection,
        stored: StoredItem,
        event: EditEvent,
        first_seen_at: datetime | None,
        now: datetime,
    ) -> int:
        delivery = self.on_edit.get(event.rule_id, "notify")
        if delivery == "ignore":
            return 0
        diff = word_diff(event.before, event.after)
        row = {
            "item_id": stored.id,
            "rule_id": event.rule_id,
            "kind": event.kind,
            "delivery": delivery,
            "content_fp": stored.record.content_fp,
            "before": event.before,
            "after": event.after,
            "diff_text": diff.text(),
            "diff_html": diff.html(),
            "first_seen_at": first_seen_at,
            "changed_at": now,
        }
        keys = ["item_id", "rule_id", "kind", "content_fp"]
        statement = insert_ignore(connection, item_edits, keys).returning(item_edits.c.id)
        return len(connection.execute(statement, [row]).all())


def edit_events(old: Baseline, new: Baseline) -> list[EditEvent]:
    """What changed from `old` to `new` for the rules either matched; cosmetic changes are
    not edits. Title and date changes concern every rule the item matched before."""
    events: list[EditEvent] = []
    for rule, passage in new.passages.items():
        before = old.passages.get(rule)
        if not before:
            events.append(EditEvent(rule, "new_match", "", passage))
        elif not same_text(before, passage):
            events.append(EditEvent(rule, "passage_changed", before, passage))
    for rule, before in old.passages.items():
        if before and rule not in new.passages:
            events.append(EditEvent(rule, "passage_vanished", before, ""))
    if not old.complete:
        return events
    followed = [rule for rule, passage in old.passages.items() if passage]
    if not same_text(old.title, new.title):
        events += [EditEvent(r, "title_changed", old.title, new.title) for r in followed]
    known = old.published_at is not None and new.published_at is not None
    if known and _day(old.published_at) != _day(new.published_at):
        before, after = _iso(old.published_at), _iso(new.published_at)
        events += [EditEvent(r, "date_changed", before, after) for r in followed]
    return events


def read_baseline(connection: Connection, item_id: int) -> Baseline | None:
    row = connection.execute(
        select(edit_baselines).where(edit_baselines.c.item_id == item_id)
    ).first()
    if row is not None:
        m = row._mapping
        return Baseline(
            m["title"], m["published_at"], dict(m["passages"] or {}), m["first_seen_at"]
        )
    passages = match_passages(connection, [item_id]).get(item_id)
    return None if passages is None else Baseline("", None, passages, None, complete=False)


def save_baseline(connection: Connection, item_id: int, baseline: Baseline, now: datetime) -> None:
    values = {
        "item_id": item_id,
        "title": baseline.title,
        "published_at": baseline.published_at,
        "passages": baseline.passages,
        "first_seen_at": baseline.first_seen_at or now,
        "updated_at": now,
    }
    statement = upsert(connection, edit_baselines).values(**values)
    changing = {key: statement.excluded[key] for key in ("title", "published_at", "passages")}
    changing["updated_at"] = statement.excluded.updated_at
    connection.execute(statement.on_conflict_do_update(index_elements=["item_id"], set_=changing))


@dataclass(frozen=True)
class EditNotice:
    """An edit event waiting for the ledger."""

    id: int
    item_id: int
    rule_id: str
    kind: EditKind
    delivery: Delivery
    before: str
    after: str
    diff_text: str
    diff_html: str
    first_seen_at: datetime | None
    changed_at: datetime


def pending_edit_notices(
    connection: Connection,
    *,
    delivery: Delivery | None = None,
    rules: Sequence[str] | None = None,
    limit: int = 500,
) -> list[EditNotice]:
    """Edit events the ledger has not taken yet, oldest first; optionally only one
    delivery (`notify` at once, `digest` with the next digest) or some rules."""
    query = select(item_edits).where(item_edits.c.notified_at.is_(None))
    if delivery is not None:
        query = query.where(item_edits.c.delivery == delivery)
    if rules is not None:
        query = query.where(item_edits.c.rule_id.in_(list(rules)))
    query = query.order_by(item_edits.c.changed_at, item_edits.c.id).limit(limit)
    return [_notice(dict(row._mapping)) for row in connection.execute(query)]


def edit_notices(connection: Connection, ids: Sequence[int]) -> dict[int, EditNotice]:
    """Events by id, taken or not (the ledger composing a message of edit notices)."""
    found: dict[int, EditNotice] = {}
    wanted = list(ids)
    for start in range(0, len(wanted), 500):
        query = select(item_edits).where(item_edits.c.id.in_(wanted[start : start + 500]))
        found.update(
            (n.id, n) for n in (_notice(dict(r._mapping)) for r in connection.execute(query))
        )
    return found


def untaken_edit_count(connection: Connection) -> int:
    """Events the ledger has not taken yet (`status`)."""
    query = select(func.count()).where(item_edits.c.notified_at.is_(None))
    return int(connection.execute(query).scalar_one())


def mark_edit_notices_taken(
    connection: Connection, ids: Sequence[int], now: datetime | None = None
) -> int:
    """Mark events as taken by the ledger (in the ledger's transaction: taken once)."""
    if not ids:
        return 0
    statement = (
        update(item_edits)
        .where(item_edits.c.id.in_(list(ids)))
        .where(item_edits.c.notified_at.is_(None))
        .values(notified_at=now or utcnow())
    )
    return connection.execute(statement).rowcount


def _notice(m: Mapping[str, Any]) -> EditNotice:
    return EditNotice(
        id=int(m["id"]),
        item_id=int(m["item_id"]),
        rule_id=m["rule_id"],
        kind=m["kind"],
        delivery=m["delivery"],
        before=m["before"],
        after=m["after"],
        diff_text=m["diff_text"],
        diff_html=m["diff_html"],
        first_seen_at=m["first_seen_at"],
        changed_at=m["changed_at"],
    )


def _with_passages(baseline: Baseline, passages: dict[str, str]) -> Baseline:
    return Baseline(baseline.title, baseline.published_at, passages, baseline.first_seen_at)


def _day(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment is not None else None


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def _article_arrived(stored: StoredItem) -> bool:
    return bool((stored.record.extra.get("article") or {}).get("retried"))
