"""Migration 0010: ledger rows from before endpoints belong to the email endpoint."""

from __future__ import annotations

from sqlalchemy import text

from crawler.store import migrate
from crawler.store.store import Store


def test_existing_rows_become_the_email_endpoint(database_url: str) -> None:
    store = Store.from_url(database_url, migrate_schema=False)
    try:
        migrate.upgrade(store.engine, "0009")
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO items (id, source_id, url, canonical_url, url_fp, content_fp,"
                    " title, summary, body, first_seen_at, updated_at, revision, extra)"
                    " VALUES (1, 's', 'https://s.example/1', 'https://s.example/1', 'fp1',"
                    " 'c1', 't', '', 'b', '2026-11-28 01:00:00+00', '2026-11-28 01:00:00+00',"
                    " 0, '{}')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO messages (id, recipient, channel, message_id, subject, status,"
                    " attempts, created_at) VALUES (1, 'alice', 'digest', '<m1@x.org>', 's',"
                    " 'failed', 1, '2026-11-28 02:00:00+00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO deliveries (recipient, item_id, rule_id, channel, status,"
                    " message, attempts, created_at) VALUES ('alice', 1, 'arms', 'digest',"
                    " 'failed', 1, 1, '2026-11-28 02:00:00+00')"
                )
            )
        migrate.upgrade(store.engine)
        with store.engine.begin() as connection:
            assert connection.execute(text("SELECT endpoint FROM messages")).scalars().all() == [
                "email"
            ]
            row = connection.execute(text("SELECT endpoint, message, status FROM deliveries"))
            assert row.one() == ("email", 1, "failed")
            # the same item may now wait for a second endpoint of the same reader
            connection.execute(
                text(
                    "INSERT INTO deliveries (recipient, endpoint, item_id, rule_id, channel,"
                    " status, attempts, created_at) VALUES ('alice', 'webhook', 1, 'arms',"
                    " 'digest', 'pending', 0, '2026-11-28 02:00:00+00')"
                )
            )
    finally:
        store.close()
