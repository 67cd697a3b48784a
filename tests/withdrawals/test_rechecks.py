"""The recheck state of sent items in the store (SQLite and PostgreSQL): watched once,
due on schedule, withdrawn after a confirmed 404 and notified once."""

from __future__ import annotations

from datetime import timedelta

from crawler.store.items import insert_items
from crawler.store.rechecks import (
    due_items,
    mark_withdrawal_notified,
    pending_withdrawals,
    record_recheck,
    watch,
)
from crawler.store.store import Store
from crawler.store.types import utcnow
from crawler.store.withdrawal import Item, Observation, RecheckPolicy
from tests.store.helpers import record

POLICY = RecheckPolicy()
URL = "https://mfa.example/en/press/0042.html"


def test_a_confirmed_404_withdraws_once_and_an_outage_does_not(store: Store) -> None:
    sent = utcnow() - timedelta(hours=12)
    item = Item(URL, None, ["https://mfa.example/en/press/"])
    with store.begin() as connection:
        [stored] = insert_items(connection, [record(URL, source="mfa")]).new
        assert watch(connection, stored.id, "mfa", sent, POLICY)
        assert not watch(connection, stored.id, "mfa", sent, POLICY)
        assert [d.item_id for d in due_items(connection, "mfa", utcnow())] == [stored.id]
        outage = record_recheck(
            connection,
            item,
            stored.id,
            Observation(sent + timedelta(hours=6), 404),
            None,
            outage=True,
            policy=POLICY,
        )
        assert outage.state == "unknown"
        first = record_recheck(
            connection,
            item,
            stored.id,
            Observation(sent + timedelta(hours=13), 404),
            None,
            outage=False,
            policy=POLICY,
        )
        assert first.state == "withdrawn"  # the 404 seen during the outage, 7h before, counts
        assert due_items(connection, "mfa", utcnow() + timedelta(days=5)) == []
        [withdrawal] = pending_withdrawals(connection)
        assert withdrawal.item_id == stored.id and "HTTP 404" in withdrawal.reason
        assert mark_withdrawal_notified(connection, stored.id, utcnow())
        assert not mark_withdrawal_notified(connection, stored.id, utcnow())
        assert pending_withdrawals(connection) == []
