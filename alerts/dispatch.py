"""Dispatch: the entry points that enqueue, compose, render, send and record messages.

Delivery is at-least-once with the same Message-ID; see `alerts.ledger` and docs/delivery.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

from sqlalchemy import Connection

from alerts import ledger
from alerts.delivery import Transport, build_message
from alerts.delivery.message import message_id_domain
from alerts.digest import DigestRenderer, RenderedMessage
from alerts.ledger import Batch, LedgerSummary
from crawler.config import Config
from crawler.config.models import RecipientConfig
from crawler.errors import DeliveryError, UsageError
from crawler.store.store import Store
from crawler.store.types import utcnow

log = logging.getLogger(__name__)
FIRST_PERIOD = timedelta(hours=24)
# The heartbeat ("no new matches") goes out at most once a day: a digest run again sooner
# with nothing new sends nothing.
HEARTBEAT_GAP = timedelta(hours=20)
Status = Literal["sent", "failed", "dry-run", "nothing"]


@dataclass(frozen=True)
class DispatchReport:
    """What happened to one message (or one recipient with nothing to send)."""

    recipient: str
    channel: str
    message_id: str
    items: int
    status: Status
    error: str | None = None


def deliver_digests(
    config: Config,
    store: Store,
    *,
    recipient: str | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    preview: Path | None = None,
) -> list[DispatchReport]:
    """Send each enabled recipient (or just `recipient`) the daily digest, heartbeat if empty.

    Pending immediate alerts of these recipients go out first (their reports come first in
    the result), so the digest composed next knows which of its items were already alerted.
    Unsent digests of the recipient are re-sent first (same Message-ID, ignoring backoff);
    a new digest then carries every unattached delivery, however old. `dry_run` renders in a
    rolled-back transaction and sends nothing; `preview` receives the first digest's HTML.
    """
    now = now or utcnow()
    targets = select_recipients(config, recipient)
    sender = _Sender(config, store, preview, dry_run=dry_run)
    if dry_run:
        return sender.dry_run_digests(targets, now)
    with store.begin() as connection:
        ledger.enqueue(connection, config, now)
    reports = sender.immediate(targets, now)
    for target in targets:
        reports.extend(sender.digest(target, now))
    sender.close()
    return reports


def deliver_immediate(
    config: Config, store: Store, *, now: datetime | None = None
) -> list[DispatchReport]:
    """Send pending immediate alerts: one message per recipient with any, per call."""
    now = now or utcnow()
    with store.begin() as connection:
        ledger.enqueue(connection, config, now)
    sender = _Sender(config, store)
    reports = sender.immediate(select_recipients(config, None), now)
    sender.close()
    return reports


def retry_due(config: Config, store: Store, *, now: datetime | None = None) -> list[DispatchReport]:
    """Re-send failed messages whose backoff has passed, and messages orphaned by a crash."""
    now = now or utcnow()
    sender = _Sender(config, store)
    recipients = {r.key: r for r in config.settings.recipients if r.enabled}
    with store.connect() as connection:
        due = ledger.outstanding(connection, now)
    reports = [r for pk in due if (r := sender.resend(pk, recipients, now, force=False))]
    sender.close()
    return reports


def last_digest_at(store: Store, recipient_key: str) -> datetime | None:
    """When the last digest for `recipient_key` was composed (sent or still being retried)."""
    with store.connect() as connection:
        return ledger.last_digest(connection, recipient_key)


def ledger_summary(store: Store) -> LedgerSummary:
    """Pending/failed deliveries and dead messages per recipient."""
    with store.connect() as connection:
        return ledger.summarize(connection)


def select_recipients(config: Config, wanted: str | None) -> list[RecipientConfig]:
    """Enabled recipients, or the one whose id, key or address is `wanted`."""
    enabled = [r for r in config.settings.recipients if r.enabled]
    if wanted is None:
        return enabled
    lowered = wanted.lower()
    chosen = [
        r for r in config.settings.recipients if lowered in {r.key.lower(), r.address.lower()}
    ]
    if not chosen:
        known = ", ".join(r.key for r in config.settings.recipients) or "none"
        raise UsageError(f'unknown recipient "{wanted}" (known: {known})')
    return chosen


class _Sender:
    """One transport and one renderer for a whole call; sends batches and records outcomes."""

    def __init__(
        self, config: Config, store: Store, preview: Path | None = None, *, dry_run: bool = False
    ) -> None:
        mail = config.settings.mail
        self.config = config
        self.store = store
        self.preview = preview
        self.transport = Transport.from_config(mail, config.data_dir, dry_run=dry_run)
        self.renderer = DigestRenderer.from_config(
            config.template_dir, subject_prefix=mail.subject_prefix
        )
        self.domain = message_id_domain(mail.from_address, mail.message_id_domain)

    def close(self) -> None:
        self.transport.close()

    def immediate(self, targets: list[RecipientConfig], now: datetime) -> list[DispatchReport]:
        """One alert per recipient with pending immediate deliveries (enqueued before)."""
        reports: list[DispatchReport] = []
        for target in targets:
            with self.store.begin() as connection:
                batch = ledger.open_batch(
                    connection,
                    target.key,
                    "immediate",
                    now=now,
                    period_start=now,
                    domain=self.domain,
                    require_items=True,
                )
            if batch is not None:
                reports.append(self.send(batch, target, now))
        return reports

    def digest(self, target: RecipientConfig, now: datetime) -> list[DispatchReport]:
        with self.store.connect() as connection:
            unsent = ledger.outstanding(
                connection, now, recipient=target.key, channel="digest", force=True
            )
        recipients = {target.key: target}
        reports = [r for pk in unsent if (r := self.resend(pk, recipients, now, force=True))]
        with self.store.begin() as connection:
            if not ledger.has_unattached(connection, target.key, "digest"):
                if reports:
                    return reports
                if self._heartbeat_sent_lately(connection, target, now):
                    return [DispatchReport(target.key, "digest", "", 0, "nothing")]
            batch = self._open_digest(connection, target, now)
        reports.append(self.send(batch, target, now))
        return reports

    @staticmethod
    def _heartbeat_sent_lately(
        connection: Connection, target: RecipientConfig, now: datetime
    ) -> bool:
        """A digest went out less than HEARTBEAT_GAP ago: an empty one now would be noise."""
        last = ledger.last_sent_digest(connection, target.key)
        return last is not None and now - last < HEARTBEAT_GAP

    def _open_digest(self, connection: Connection, target: RecipientConfig, now: datetime) -> Batch:
        start = ledger.last_sent_digest(connection, target.key) or now - FIRST_PERIOD
        batch = ledger.open_batch(
            connection,
            target.key,
            "digest",
            now=now,
            period_start=min(start, now),
            domain=self.domain,
        )
        assert batch is not None  # only None when require_items
        return batch

    def resend(
        self, pk: int, recipients: dict[str, RecipientConfig], now: datetime, *, force: bool
    ) -> DispatchReport | None:
        with self.store.begin() as connection:
            batch = ledger.claim(connection, pk, now, force=force)
        if batch is None:
            return None
        target = recipients.get(batch.recipient)
        if target is None:  # recipient removed or disabled: leave the message for later
            log.warning(
                "message %s: recipient %s is not configured", batch.message_id, batch.recipient
            )
            return None
        return self.send(batch, target, now)

    def send(self, batch: Batch, target: RecipientConfig, now: datetime) -> DispatchReport:
        """Render and send `batch`; mark it sent only once the transport accepted it."""
        with self.store.connect() as connection:
            digest = ledger.build_digest(connection, self.config, batch, target)
        subject = ""
        try:
            rendered = self.renderer.render(digest)
            subject = rendered.subject
            self._write_preview(rendered.html)
            message = self._message(rendered, batch, target)
            self.transport.send(message)
        except DeliveryError as exc:
            with self.store.begin() as connection:
                status = ledger.mark_failed(
                    connection, batch, exc, now, self.config.settings.delivery, subject
                )
            log.warning(
                "%s %s to %s: %s (%s)", batch.channel, batch.message_id, target.key, exc, status
            )
            return _report(batch, digest.item_count, "failed", f"{exc} ({status})")
        with self.store.begin() as connection:
            ledger.mark_sent(connection, batch, now, subject)
        return _report(batch, digest.item_count, "sent")

    def dry_run_digests(
        self, targets: list[RecipientConfig], now: datetime
    ) -> list[DispatchReport]:
        """Enqueue and compose in a transaction that is rolled back: the ledger is untouched."""
        reports: list[DispatchReport] = []
        with self.store.connect(writes=True) as connection:
            transaction = connection.begin()
            try:
                ledger.enqueue(connection, self.config, now)
                for target in targets:
                    batch = self._open_digest(connection, target, now)
                    digest = ledger.build_digest(connection, self.config, batch, target)
                    self._write_preview(self.renderer.render(digest).html)
                    reports.append(
                        DispatchReport(target.key, "digest", "", digest.item_count, "dry-run")
                    )
            finally:
                transaction.rollback()
        return reports

    def _message(
        self, rendered: RenderedMessage, batch: Batch, target: RecipientConfig
    ) -> EmailMessage:
        mail = self.config.settings.mail
        return build_message(
            rendered,
            from_address=mail.from_address,
            to_address=target.address,
            to_name=target.name,
            reply_to=mail.reply_to,
            message_id=batch.message_id,
            date=batch.created_at,
        )

    def _write_preview(self, html: str) -> None:
        if self.preview is not None:
            self.preview.parent.mkdir(parents=True, exist_ok=True)
            self.preview.write_text(html, encoding="utf-8")
            self.preview = None  # only the first digest


def _report(batch: Batch, items: int, status: Status, error: str | None = None) -> DispatchReport:
    return DispatchReport(batch.recipient, batch.channel, batch.message_id, items, status, error)
