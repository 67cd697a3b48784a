"""The store's tables (SQLAlchemy Core); Alembic migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)

from crawler.store.types import BigId, UtcDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)
# Leading hex digits of content_fp that ix_items_content_prefix indexes.
CONTENT_PREFIX = 16

sources = Table(
    "sources",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", Text, nullable=False, default=""),
    Column("health", String(16), nullable=False, default="new"),
    Column("health_since", UtcDateTime),
    Column("health_detail", Text),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("last_run_at", UtcDateTime),
    Column("last_success_at", UtcDateTime),
    Column("last_new_item_at", UtcDateTime),
    Column("backfilled", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source_id", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("canonical_url", Text, nullable=False),
    Column("url_fp", String(40), nullable=False, unique=True),
    Column("content_fp", String(40), nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("summary", Text, nullable=False, default=""),
    Column("body", Text, nullable=False, default=""),
    Column("language", String(16)),
    Column("published_at", UtcDateTime),
    # The source's own calendar day and "day"/"minute"/"second" (migration 0008).
    Column("published_date", Date),
    Column("published_precision", String(8)),
    Column("first_seen_at", UtcDateTime, nullable=False, index=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("revision", Integer, nullable=False, default=0),
    Column("duplicate_of", BigId, ForeignKey("items.id", ondelete="SET NULL")),
    Column("cluster_id", BigId),
    Column("extra", JSON, nullable=False, default=dict),
    # Partial: most items never join a cluster, and lookups are by a given cluster id.
    Index(
        "ix_items_cluster_id",
        "cluster_id",
        sqlite_where=text("cluster_id IS NOT NULL"),
        postgresql_where=text("cluster_id IS NOT NULL"),
    ),
    # Per-source reads (`items --source`, counts, the newest item after a crawl); each
    # source appends at the end of its own range, so inserts touch few pages.
    Index("ix_items_source_seen", "source_id", "first_seen_at"),
    # Deleting an item sets duplicate_of to NULL on its duplicates (ON DELETE SET NULL);
    # without an index each deleted item scanned the whole table. Partial: only
    # duplicates have entries, so the insert path pays nothing for originals.
    Index(
        "ix_items_duplicate_of",
        "duplicate_of",
        sqlite_where=text("duplicate_of IS NOT NULL"),
        postgresql_where=text("duplicate_of IS NOT NULL"),
    ),
)

# Duplicate lookups by content: 16 hex digits (64 bits) find the one or two rows to
# compare in full, in an index a third the size of one on (source_id, content_fp).
Index("ix_items_content_prefix", func.substr(items.c.content_fp, 1, CONTENT_PREFIX))

item_revisions = Table(
    "item_revisions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("content_fp", String(40), nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("changed_at", UtcDateTime, nullable=False),
)

item_bands = Table(
    "item_bands",
    metadata,
    Column("band", String(40), nullable=False, index=True),
    Column(
        "item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, index=True
    ),
)

rule_matches = Table(
    "rule_matches",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("rule_id", String(64), nullable=False, index=True),
    Column("matched_at", UtcDateTime, nullable=False, index=True),
    Column("snippets", JSON, nullable=False, default=list),
    Column("spans", JSON, nullable=False, default=list),
    Column("enqueued_at", UtcDateTime, index=True),  # set once the delivery ledger saw it
    # "crawl" or "rematch" (crawler.store.matches); NULL for rows saved before 0013.
    Column("origin", String(16)),
    UniqueConstraint("item_id", "rule_id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("recipient", String(320), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    # The recipient's endpoint (notifier) this message goes to (migration 0010).
    Column("endpoint", String(64), nullable=False, server_default="email"),
    Column("message_id", String(255), nullable=False, unique=True),
    Column("subject", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False, default="pending", index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("next_attempt_at", UtcDateTime),
    Column("period_start", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("recipient", String(320), nullable=False),
    Column(
        "item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("rule_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("status", String(16), nullable=False, default="pending", index=True),
    Column("message", BigId, ForeignKey("messages.id", ondelete="SET NULL"), index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("next_attempt_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("endpoint", String(64), nullable=False, server_default="email"),
    # What the row delivers (0012): "match" (a rule matched the item), "edit" (an edit
    # event of it, `notice` = item_edits.id) or "withdrawal" (it was withdrawn). `notice` is
    # 0 for the others: a NULL would make every row distinct to the unique key.
    Column("kind", String(16), nullable=False, server_default="match"),
    Column("notice", BigId, nullable=False, server_default="0"),
    UniqueConstraint("recipient", "endpoint", "item_id", "channel", "kind", "notice"),
)

crawl_runs = Table(
    "crawl_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source_id", String(64), nullable=False, index=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("finish_reason", String(64)),
    Column("requests", Integer, nullable=False, default=0),
    Column("responses", JSON, nullable=False, default=dict),
    Column("items_seen", Integer, nullable=False, default=0),
    Column("items_new", Integer, nullable=False, default=0),
    Column("items_updated", Integer, nullable=False, default=0),
    Column("items_duplicate", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("duration", Float, nullable=False, default=0.0),
    Column("health", String(16)),
    Column("detail", JSON, nullable=False, default=dict),
)

http_validators = Table(
    "http_validators",
    metadata,
    Column("url_fp", String(40), primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("status", Integer),
    Column("checked_at", UtcDateTime, nullable=False),
)

# A URL as a listing or feed gave it, when the item it led to is stored under another
# (its rel=canonical, a redirect): the next run knows the listed link without fetching it.
url_aliases = Table(
    "url_aliases",
    metadata,
    Column("url_fp", String(40), primary_key=True),
    Column("item_fp", String(40), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Items stored from their listing because the article page could not be fetched: later
# runs try the page again at next_attempt_at (NULL once the attempts are used up).
article_retries = Table(
    "article_retries",
    metadata,
    Column("url_fp", String(40), primary_key=True),
    Column("source_id", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("reason", Text, nullable=False, default=""),
    Column("next_attempt_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_article_retries_source_next", "source_id", "next_attempt_at"),
)

daemon_lock = Table(
    "daemon_lock",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("acquired_at", UtcDateTime, nullable=False),
    Column("heartbeat_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

installation = Table(
    "installation",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
)

# Evidence (issue 18): where the WARC records of a matched item's fetches sit, one row per
# record (crawler.store.evidence). `file` is relative to the evidence directory.
evidence_records = Table(
    "evidence_records",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("revision", Integer, nullable=False, default=0),
    Column("file", Text, nullable=False, index=True),
    Column("offset", BigId, nullable=False),
    Column("length", Integer, nullable=False),
    Column("record_type", String(16), nullable=False),
    Column("target_uri", Text, nullable=False),
    Column("record_id", String(80), nullable=False),
    Column("digest", String(80), nullable=False),
    Column("fetched_at", UtcDateTime, nullable=False),
    Column("stored_at", UtcDateTime, nullable=False, index=True),
)

# Edits (issue 18, crawler.store.edits): what an item looked like when last compared (its
# title, date and the passage each rule matched), and the edit events of its revisions.
edit_baselines = Table(
    "edit_baselines",
    metadata,
    Column("item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("title", Text, nullable=False, default=""),
    Column("published_at", UtcDateTime),
    Column("passages", JSON, nullable=False, default=dict),  # rule id -> matched passage
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

item_edits = Table(
    "item_edits",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("rule_id", String(64), nullable=False),
    # new_match | passage_changed | passage_vanished | title_changed | date_changed
    Column("kind", String(24), nullable=False),
    Column("delivery", String(16), nullable=False),  # notify | digest (rule's on_edit)
    Column("content_fp", String(40), nullable=False),  # the revision this event is about
    Column("before", Text, nullable=False, default=""),
    Column("after", Text, nullable=False, default=""),
    Column("diff_text", Text, nullable=False, default=""),
    Column("diff_html", Text, nullable=False, default=""),
    Column("first_seen_at", UtcDateTime),
    Column("changed_at", UtcDateTime, nullable=False, index=True),
    Column("notified_at", UtcDateTime, index=True),  # set by the ledger once it took it
    UniqueConstraint("item_id", "rule_id", "kind", "content_fp"),
)

# Withdrawals (issue 18, crawler.store.rechecks): a sent item's recheck state.
item_rechecks = Table(
    "item_rechecks",
    metadata,
    Column("item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("source_id", String(64), nullable=False),
    Column("state", String(16), nullable=False, default="live"),  # live|suspect|withdrawn|unknown
    Column("reason", Text, nullable=False, default=""),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("checks", Integer, nullable=False, default=0),
    Column("history", JSON, nullable=False, default=list),  # recent observations
    Column("last_checked_at", UtcDateTime),
    Column("next_check_at", UtcDateTime),
    Column("withdrawn_at", UtcDateTime),
    Column("notified_at", UtcDateTime),  # the withdrawal notice, once
    Index("ix_item_rechecks_source_next", "source_id", "next_check_at"),
)
