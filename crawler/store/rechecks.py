"""Owner of `item_rechecks`: a sent item's withdrawal state (issue 18).

`watch` starts rechecking an item once it was sent to a reader; `due_items` lists a
source's items due for a recheck; `record_recheck` appends an observation, classifies it
(crawler.store.withdrawal) and schedules the next one. A `withdrawn` item is rechecked no
more and waits for its one notice (`pending_withdrawals`, `mark_withdrawal_notified`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from crawler.store.dialect import insert_ignore
from crawler.store.schema import item_rechecks
from crawler.store.withdrawal import (
    Due,
    Item,
    ListingView,
    Observation,
    RecheckPolicy,
    Verdict,
    classify,
    next_recheck,
    source_outage,
)

# Observations kept per item: enough to confirm a stable 404 across a few errors.
HISTORY = 8


def watch(
    connection: Connection, item_id: int, source_id: str, sent_at: datetime, policy: RecheckPolicy
) -> bool:
    """Start rechecking a sent item (idempotent); returns whether it was new."""
    row = {
        "item_id": item_id,
        "source_id": source_id,
        "state": "live",
        "reason": "",
        "sent_at": sent_at,
        "checks": 0,
        "history": [],
        "next_check_at": next_recheck(sent_at, None, policy),
    }
    statement = insert_ignore(connection, item_rechecks, ["item_id"])
    return bool(connection.execute(statement.returning(item_rechecks.c.item_id), [row]).all())


def watch_sent(
    connection: Connection,
    source_id: str,
    sent: Sequence[tuple[int, datetime]],
    policy: RecheckPolicy,
) -> int:
    """Watch the sent items (item id, first sent at) that have no recheck row yet; returns
    how many started."""
    watched = watched_of(connection, [item_id for item_id, _ in sent])
    started = 0
    for item_id, sent_at in sent:
        if item_id not in watched and watch(connection, item_id, source_id, sent_at, policy):
            started += 1
    return started


def watched_of(connection: Connection, ids: Sequence[int]) -> set[int]:
    """Which of these items have a recheck row already."""
    watched: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        query = select(item_rechecks.c.item_id).where(item_rechecks.c.item_id.in_(chunk))
        watched.update(int(i) for (i,) in connection.execute(query))
    return watched


def spent_since(connection: Connection, source_id: str, since: datetime) -> int:
    """Rechecks of the source's items made at or after `since` (the day's budget spent),
    counted from the observations each item keeps."""
    query = (
        select(item_rechecks.c.history)
        .where(item_rechecks.c.source_id == source_id)
        .where(item_rechecks.c.last_checked_at >= since)
    )
    return sum(
        1
        for (history,) in connection.execute(query)
        for seen in history or []
        if datetime.fromisoformat(seen["at"]) >= since
    )


@dataclass(frozen=True)
class RoundResult:
    """What a recheck round saved: each item's verdict, and whether the source was down."""

    verdicts: dict[int, Verdict]
    outage: bool


def record_round(
    connection: Connection,
    seen: Sequence[tuple[int, Item, Observation]],
    listing: ListingView | None,
    policy: RecheckPolicy,
) -> RoundResult:
    """Save a round's observations in the caller's transaction (all or none), with the
    round's outage verdict: every recheck failing is the source's problem, not withdrawals."""
    outage = source_outage([(item, observation) for _, item, observation in seen])
    verdicts = {
        item_id: record_recheck(
            connection, item, item_id, observation, listing, outage=outage, policy=policy
        )
        for item_id, item, observation in seen
    }
    return RoundResult(verdicts, outage)


@dataclass(frozen=True)
class SourceRechecks:
    """A source's rechecks for `status`."""

    watched: int  # still being rechecked (within the window, not withdrawn)
    due: int
    withdrawn: int
    unknown: int
    spent: int  # rechecks in the last 24 hours


def source_rechecks(connection: Connection, now: datetime) -> dict[str, SourceRechecks]:
    """Per source: items watched, due, withdrawn and unknown, and the last day's rechecks."""
    c = item_rechecks.c
    query = select(c.source_id, c.state, c.next_check_at)
    tallies: dict[str, dict[str, int]] = {}
    for source_id, state, next_at in connection.execute(query):
        tally = tallies.setdefault(source_id, dict.fromkeys(_TALLIES, 0))
        if next_at is not None:
            tally["watched"] += 1
            tally["due"] += next_at <= now
        if state in ("withdrawn", "unknown"):
            tally[state] += 1
    since = now - timedelta(days=1)
    return {
        source_id: SourceRechecks(**tally, spent=spent_since(connection, source_id, since))
        for source_id, tally in sorted(tallies.items())
    }


_TALLIES = ("watched", "due", "withdrawn", "unknown")


def due_items(connection: Connection, source_id: str, now: datetime) -> list[Due]:
    query = (
        select(
            item_rechecks.c.item_id,
            item_rechecks.c.next_check_at,
            item_rechecks.c.checks,
            item_rechecks.c.state,
        )
        .where(item_rechecks.c.source_id == source_id)
        .where(item_rechecks.c.next_check_at <= now)
        .where(item_rechecks.c.state != "withdrawn")
    )
    return [
        Due(int(i), at, int(checks), state == "suspect")
        for i, at, checks, state in connection.execute(query)
    ]


def record_recheck(
    connection: Connection,
    item: Item,
    item_id: int,
    seen: Observation,
    listing: ListingView | None,
    *,
    outage: bool,
    policy: RecheckPolicy,
) -> Verdict:
    """Append `seen`, classify, save the state and the next recheck; returns the verdict."""
    row = (
        connection.execute(select(item_rechecks).where(item_rechecks.c.item_id == item_id))
        .one()
        ._mapping
    )
    earlier = [_observation(h) for h in row["history"]][-(HISTORY - 1) :]
    history = [*earlier, seen]
    verdict = classify(item, history, listing, outage=outage, policy=policy)
    withdrawn = verdict.state == "withdrawn"
    values: dict[str, Any] = {
        "state": verdict.state,
        "reason": verdict.reason,
        "checks": row["checks"] + 1,
        "history": [_plain(h) for h in history],
        "last_checked_at": seen.at,
        "next_check_at": None if withdrawn else next_recheck(row["sent_at"], seen.at, policy),
    }
    if withdrawn and row["withdrawn_at"] is None:
        values["withdrawn_at"] = seen.at
    connection.execute(
        update(item_rechecks).where(item_rechecks.c.item_id == item_id).values(**values)
    )
    return verdict


@dataclass(frozen=True)
class Withdrawal:
    item_id: int
    source_id: str
    reason: str
    withdrawn_at: datetime


def pending_withdrawals(connection: Connection) -> list[Withdrawal]:
    """Withdrawn items whose notice has not been taken yet."""
    query = (
        select(item_rechecks)
        .where(item_rechecks.c.state == "withdrawn")
        .where(item_rechecks.c.notified_at.is_(None))
        .order_by(item_rechecks.c.withdrawn_at)
    )
    return [
        Withdrawal(int(m["item_id"]), m["source_id"], m["reason"], m["withdrawn_at"])
        for m in (row._mapping for row in connection.execute(query))
    ]


def withdrawals_of(connection: Connection, item_ids: Sequence[int]) -> dict[int, Withdrawal]:
    """The withdrawn items among `item_ids` (notified or not), by item id."""
    wanted = list(item_ids)
    found: dict[int, Withdrawal] = {}
    for start in range(0, len(wanted), 500):
        query = (
            select(item_rechecks)
            .where(item_rechecks.c.item_id.in_(wanted[start : start + 500]))
            .where(item_rechecks.c.state == "withdrawn")
        )
        for row in connection.execute(query):
            m = row._mapping
            found[int(m["item_id"])] = Withdrawal(
                int(m["item_id"]), m["source_id"], m["reason"], m["withdrawn_at"]
            )
    return found


def mark_withdrawal_notified(connection: Connection, item_id: int, now: datetime) -> bool:
    """Take a withdrawal notice (once: False if already taken)."""
    statement = (
        update(item_rechecks)
        .where(item_rechecks.c.item_id == item_id)
        .where(item_rechecks.c.notified_at.is_(None))
        .values(notified_at=now)
    )
    return bool(connection.execute(statement).rowcount)


def _plain(seen: Observation) -> dict[str, Any]:
    return {"at": seen.at.isoformat(), "status": seen.status, "final_url": seen.final_url}


def _observation(data: dict[str, Any]) -> Observation:
    return Observation(datetime.fromisoformat(data["at"]), data["status"], data["final_url"])
