"""Dispatch: the entry points that enqueue, compose, render, send and record messages.

Delivery is at-least-once with the same Message-ID; see `alerts.ledger` and docs/delivery.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import Connection

from alerts import ledger
from alerts.feeds import write_feeds
from alerts.ledger import Batch, LedgerSummary
from alerts.notify import Notifier, NotifyContext, Ticket
from crawler.config import Config
from crawler.config.models import EndpointBase, RecipientConfig
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
    endpoint: str = ledger.EMAIL


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
    with _Sender(config, store, preview, dry_run=dry_run) as sender:
        if dry_run:
            return sender.dry_run_digests(targets, now)
        with store.begin() as connection:
            ledger.enqueue(connection, config, now)
        reports = sender.immediate(targets, now)
        for target in targets:
            reports.extend(sender.digest(target, now))
    write_feeds(config, store)
    return reports


def deliver_immediate(
    config: Config, store: Store, *, now: datetime | None = None
) -> list[DispatchReport]:
    """Send pending immediate alerts: one message per recipient with any, per call."""
    now = now or utcnow()
    with store.begin() as connection:
        ledger.enqueue(connection, config, now)
    with _Sender(config, store) as sender:
        reports = sender.immediate(select_recipients(config, None), now)
    write_feeds(config, store)  # after each crawl: the daemon and `crawl` call this
    return reports


def retry_due(config: Config, store: Store, *, now: datetime | None = None) -> list[DispatchReport]:
    """Re-send failed messages whose backoff has passed, and messages orphaned by a crash."""
    now = now or utcnow()
    recipients = {r.key: r for r in config.settings.recipients if r.enabled}
    with store.connect() as connection:
        due = ledger.outstanding(connection, now)
    with _Sender(config, store) as sender:
        return [r for pk in due if (r := sender.resend(pk, recipients, now, force=False))]


def last_digest_at(store: Store, recipient_key: str) -> datetime | None:
    """When the last digest for `recipient_key` was composed (sent or still being retried)."""
    with store.connect() as connection:
        return ledger.last_digest(connection, recipient_key)


def ledger_summary(store: Store) -> LedgerSummary:
    """Pending/failed deliveries and dead messages per recipient."""
    with store.connect() as connection:
        return ledger.summarize(connection)


def select_recipients(config: Config, wanted: str | None) -> list[RecipientConfig]:
    """Enabled recipients, or the one whose id, key or an email address is `wanted`."""
    enabled = [r for r in config.settings.recipients if r.enabled]
    if wanted is None:
        return enabled
    lowered = wanted.lower()
    chosen = [r for r in config.settings.recipients if lowered in {r.key.lower(), *r.addresses}]
    if not chosen:
        known = ", ".join(r.key for r in config.settings.recipients) or "none"
        raise UsageError(f'unknown recipient "{wanted}" (known: {known})')
    return chosen


class _Sender:
    """The notifiers of a whole call (built once each); sends batches and records outcomes."""

    def __init__(
        self, config: Config, store: Store, preview: Path | None = None, *, dry_run: bool = False
    ) -> None:
        self.config = config
        self.store = store
        self.preview = preview
        self.context = NotifyContext(config, dry_run=dry_run)
        self.domain = self.context.domain
        self._notifiers: dict[tuple[str, str], Notifier] = {}
        self._filter = self.context.redactor.filter()
        for handler in logging.getLogger().handlers:
            handler.addFilter(self._filter)

    def __enter__(self) -> _Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for notifier in self._notifiers.values():
            notifier.close()
        self.context.close()
        for handler in logging.getLogger().handlers:
            handler.removeFilter(self._filter)

    def notifier(self, target: RecipientConfig, endpoint: EndpointBase) -> Notifier:
        key = (target.key, endpoint.key)
        if key not in self._notifiers:
            self._notifiers[key] = Notifier.from_config(endpoint, self.context)
        return self._notifiers[key]

    def immediate(self, targets: list[RecipientConfig], now: datetime) -> list[DispatchReport]:
        """One alert per endpoint with pending immediate deliveries (enqueued before)."""
        reports: list[DispatchReport] = []
        for target in targets:
            # Every endpoint, not only those taking alerts now: alerts enqueued before a
            # cadence was changed still go out (none enqueued: no message is opened).
            for endpoint in target.resolved_endpoints:
                with self.store.begin() as connection:
                    batch = ledger.open_batch(
                        connection,
                        target.key,
                        "immediate",
                        now=now,
                        period_start=now,
                        domain=self.domain,
                        require_items=True,
                        endpoint=endpoint.key,
                    )
                if batch is not None:
                    reports.append(self.send(batch, target, now))
        return reports

    def digest(self, target: RecipientConfig, now: datetime) -> list[DispatchReport]:
        """Each endpoint taking digests: its unsent digests again, then a new one."""
        reports: list[DispatchReport] = []
        for endpoint in target.resolved_endpoints:
            if "digest" in endpoint.cadences:
                reports.extend(self._endpoint_digest(target, endpoint.key, now))
        return reports

    def _endpoint_digest(
        self, target: RecipientConfig, endpoint: str, now: datetime
    ) -> list[DispatchReport]:
        with self.store.connect() as connection:
            unsent = ledger.outstanding(
                connection,
                now,
                recipient=target.key,
                channel="digest",
                endpoint=endpoint,
                force=True,
            )
        recipients = {target.key: target}
        reports = [r for pk in unsent if (r := self.resend(pk, recipients, now, force=True))]
        with self.store.begin() as connection:
            if not ledger.has_unattached(connection, target.key, "digest", endpoint):
                if reports:
                    return reports
                if self._heartbeat_sent_lately(connection, target, endpoint, now):
                    return [DispatchReport(target.key, "digest", "", 0, "nothing", None, endpoint)]
            batch = self._open_digest(connection, target, endpoint, now)
        reports.append(self.send(batch, target, now))
        return reports

    @staticmethod
    def _heartbeat_sent_lately(
        connection: Connection, target: RecipientConfig, endpoint: str, now: datetime
    ) -> bool:
        """A digest went out less than HEARTBEAT_GAP ago: an empty one now would be noise."""
        last = ledger.last_sent_digest(connection, target.key, endpoint)
        return last is not None and now - last < HEARTBEAT_GAP

    def _open_digest(
        self, connection: Connection, target: RecipientConfig, endpoint: str, now: datetime
    ) -> Batch:
        start = ledger.last_sent_digest(connection, target.key, endpoint) or now - FIRST_PERIOD
        batch = ledger.open_batch(
            connection,
            target.key,
            "digest",
            now=now,
            period_start=min(start, now),
            domain=self.domain,
            endpoint=endpoint,
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
        if target is None or target.endpoint(batch.endpoint) is None:
            # recipient or endpoint removed or disabled: leave the message for later
            log.warning(
                "message %s: recipient %s (endpoint %s) is not configured",
                batch.message_id,
                batch.recipient,
                batch.endpoint,
            )
            return None
        return self.send(batch, target, now)

    def send(self, batch: Batch, target: RecipientConfig, now: datetime) -> DispatchReport:
        """Render and send `batch`; mark it sent only once the endpoint accepted it."""
        endpoint = target.endpoint(batch.endpoint)
        assert endpoint is not None  # callers check
        with self.store.connect() as connection:
            digest = ledger.build_digest(connection, self.config, batch, target)
        subject = ""
        try:
            notifier = self.notifier(target, endpoint)
            ticket = Ticket(batch.message_id, batch.created_at, target, batch.channel)
            rendered = notifier.render(digest, ticket)
            subject = rendered.summary
            self._write_preview(rendered.preview_html)
            notifier.send(rendered, ticket)
        except DeliveryError as exc:
            error = DeliveryError(self.context.redactor.redact(str(exc)), permanent=exc.permanent)
            with self.store.begin() as connection:
                status = ledger.mark_failed(
                    connection, batch, error, now, self.config.settings.delivery, subject
                )
            log.warning(
                "%s %s to %s (%s): %s (%s)",
                batch.channel,
                batch.message_id,
                target.key,
                batch.endpoint,
                error,
                status,
            )
            return _report(
                batch, digest.item_count + digest.notice_count, "failed", f"{error} ({status})"
            )
        with self.store.begin() as connection:
            ledger.mark_sent(connection, batch, now, subject)
        return _report(batch, digest.item_count + digest.notice_count, "sent")

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
                    for endpoint in target.resolved_endpoints:
                        if "digest" not in endpoint.cadences:
                            continue
                        batch = self._open_digest(connection, target, endpoint.key, now)
                        digest = ledger.build_digest(connection, self.config, batch, target)
                        ticket = Ticket(batch.message_id, batch.created_at, target, "digest")
                        rendered = self.notifier(target, endpoint).render(digest, ticket)
                        self._write_preview(rendered.preview_html)
                        reports.append(
                            DispatchReport(
                                target.key,
                                "digest",
                                "",
                                digest.item_count,
                                "dry-run",
                                None,
                                endpoint.key,
                            )
                        )
            finally:
                transaction.rollback()
        return reports

    def _write_preview(self, html: str) -> None:
        if self.preview is not None and html:
            self.preview.parent.mkdir(parents=True, exist_ok=True)
            self.preview.write_text(html, encoding="utf-8")
            self.preview = None  # only the first digest


def _report(batch: Batch, items: int, status: Status, error: str | None = None) -> DispatchReport:
    return DispatchReport(
        batch.recipient, batch.channel, batch.message_id, items, status, error, batch.endpoint
    )
