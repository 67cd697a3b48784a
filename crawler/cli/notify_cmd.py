"""`presswatch notify test RECIPIENT [--via KIND]` and `presswatch notify list`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from crawler.cli.context import AppContext, pass_app
from crawler.config.models import EndpointBase, RecipientConfig
from crawler.errors import DeliveryError, UsageError

if TYPE_CHECKING:  # the alerts package is imported when a command runs (fast --help)
    from alerts.ledger import EndpointLedger
    from alerts.notify import NotifyContext


@click.group("notify")
def notify() -> None:
    """Check that notifications reach their readers, through each endpoint."""


@notify.command("test")
@click.argument("recipient")
@click.option(
    "--via",
    metavar="KIND",
    help="Only endpoints of this kind (email, apprise, webhook) or with this name.",
)
@pass_app
def notify_test(app: AppContext, recipient: str, via: str | None) -> None:
    """Send a test message to RECIPIENT (id or address) through each of its endpoints.

    Exit 1 if any endpoint refused it (the error says why, secrets redacted).
    """
    from alerts.dispatch import select_recipients
    from alerts.notify import NotifyContext

    config = app.config()
    target = select_recipients(config, recipient)[0]
    endpoints = _chosen(target, via)
    context = NotifyContext(config)
    failed = False
    with _redacting(context):
        for endpoint in endpoints:
            failed |= not _send_test(context, target, endpoint)
    context.close()
    if failed:
        raise click.exceptions.Exit(1)


@notify.command("list")
@pass_app
def notify_list(app: AppContext) -> None:
    """Every recipient's endpoints: kind, cadences, where they go, backlog and last error."""
    from alerts import ledger
    from alerts.notify import Notifier, NotifyContext

    config = app.config()
    store = app.open_store()
    try:
        with store.connect() as connection:
            backlog = {(e.recipient, e.endpoint): e for e in ledger.summarize_endpoints(connection)}
    finally:
        store.close()
    context = NotifyContext(config)
    table = Table()
    for name in ("recipient", "endpoint", "kind", "cadences", "target", "backlog"):
        table.add_column(name, overflow="fold")
    for recipient in config.settings.recipients:
        for endpoint in _all_endpoints(recipient):
            notifier = Notifier.from_config(endpoint, context)
            entry = backlog.get((recipient.key, endpoint.key))
            table.add_row(
                recipient.key + ("" if recipient.enabled else " (disabled)"),
                endpoint.key + ("" if endpoint.enabled else " (disabled)"),
                endpoint.kind,
                ", ".join(endpoint.cadences),
                notifier.describe(),
                _backlog_text(entry, context.redactor.redact),
            )
    Console(width=160).print(table)


def _send_test(context: NotifyContext, target: RecipientConfig, endpoint: EndpointBase) -> bool:
    """Send one test message; print what happened; False when it failed."""
    from alerts.delivery import make_message_id
    from alerts.notify import Notifier, Ticket

    message_id = make_message_id(f"test:{target.key}:{uuid.uuid4().hex}", context.domain)
    ticket = Ticket(message_id, datetime.now(UTC), target, "test")
    try:
        notifier = Notifier.from_config(endpoint, context)
        result = notifier.send(notifier.render_test(ticket), ticket)
    except DeliveryError as exc:
        click.echo(f"error: {endpoint.key}: {context.redactor.redact(str(exc))}", err=True)
        return False
    address = getattr(endpoint, "email", None)
    where = f"to {address}" if address else f"via {endpoint.key}"
    click.echo(f"sent {result.message_id} {where}: {context.redactor.redact(result.detail)}")
    return True


def _chosen(target: RecipientConfig, via: str | None) -> list[EndpointBase]:
    endpoints = list(target.resolved_endpoints)
    if via is None:
        return endpoints
    chosen = [e for e in endpoints if via in (e.kind, e.key)]
    if not chosen:
        known = ", ".join(f"{e.key} ({e.kind})" for e in endpoints) or "none"
        raise UsageError(f'{target.key} has no endpoint "{via}" (its endpoints: {known})')
    return chosen


def _all_endpoints(recipient: RecipientConfig) -> list[EndpointBase]:
    """Every endpoint, disabled ones too (`resolved_endpoints` leaves those out)."""
    return list(recipient.endpoints) if recipient.endpoints else list(recipient.resolved_endpoints)


def _backlog_text(entry: EndpointLedger | None, redact: Callable[[str], str]) -> str:
    if entry is None or not entry.has_backlog:
        return "-"
    text = f"{entry.pending} pending, {entry.failed} failed, {entry.dead} given up"
    if entry.last_error:
        text += f"\nlast error: {redact(entry.last_error)}"
    return text


@contextmanager
def _redacting(context: NotifyContext) -> Iterator[None]:
    """Log records (Apprise logs URLs) with the endpoints' secrets redacted."""
    log_filter = context.redactor.filter()
    handlers = logging.getLogger().handlers
    for handler in handlers:
        handler.addFilter(log_filter)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(log_filter)


COMMANDS = [notify]
