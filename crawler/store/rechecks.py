"""Owner of `item_rechecks`: a sent item's withdrawal state (issue 18).

`watch` starts rechecking an item once it was sent to a reader; `due_items` lists a
source's items due for a recheck; `record_recheck` appends an observation, classifies it
(crawler.store.withdrawal) and schedules the next one. A `withdrawn` item is rechecked no
more and waits for its one notice (`pending_withdrawals`, `mark_withdrawal_notified`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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


def due_items(connection: Connection, source_id: str, now: datetime) -> list[Due]:
    query = (
        select(item_rechecks.c.item_id, item_rechecks.c.next_check_at)
        .where(item_rechecks.c.source_id == source_id)
        .where(item_rechecks.c.next_check_at <= now)
        .where(item_rechecks.c.state != "withdrawn")
    )
    return [Due(int(i), at) for i, at in connection.execute(query)]


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
