"""`presswatch digest` (send or preview daily digests) and `presswatch notify test`."""

from __future__ import annotations

import uuid
from pathlib import Path

import click

from crawler.cli.context import AppContext, pass_app
from crawler.errors import DeliveryError


@click.command("digest")
@click.option("--recipient", metavar="R", help="Only this recipient (id or address).")
@click.option("--dry-run", is_flag=True, help="Render and report; send nothing, record nothing.")
@click.option(
    "--preview",
    metavar="FILE.html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the HTML of the (first) digest to this file.",
)
@pass_app
def digest(app: AppContext, recipient: str | None, dry_run: bool, preview: Path | None) -> None:
    """Send each recipient the daily digest now (a heartbeat when nothing matched).

    Pending immediate alerts go out first, so the digest marks their items "already alerted".
    The heartbeat goes out at most once a day: run again with nothing new, this sends nothing.

    Exit 1 if any message could not be sent (it stays queued and is retried).
    """
    from alerts.dispatch import deliver_digests

    config = app.config()
    store = app.open_store()
    try:
        reports = deliver_digests(
            config, store, recipient=recipient, dry_run=dry_run, preview=preview
        )
    finally:
        store.close()
    for report in reports:
        if report.status == "nothing":
            click.echo(f"{report.recipient}: nothing new since today's digest; nothing sent")
            continue
        noun = "item" if report.items == 1 else "items"
        kind = "alert, " if report.channel == "immediate" else ""
        line = f"{report.recipient}: {kind}{report.items} {noun}, {report.status}"
        line += f", {report.message_id or '-'}"
        click.echo(line + (f": {report.error}" if report.error else ""))
    if preview is not None and reports:
        click.echo(f"preview written to {preview}")
    if any(report.status == "failed" for report in reports):
        raise click.exceptions.Exit(1)


@click.group("notify")
def notify() -> None:
    """Check that notifications reach their readers."""


@notify.command("test")
@click.argument("recipient")
@pass_app
def notify_test(app: AppContext, recipient: str) -> None:
    """Send a test message to RECIPIENT (id or address) through the configured transport."""
    from alerts.delivery import Transport, build_message, make_message_id
    from alerts.delivery.message import message_id_domain
    from alerts.digest import DigestRenderer
    from alerts.dispatch import select_recipients

    config = app.config()
    mail = config.settings.mail
    target = select_recipients(config, recipient)[0]
    renderer = DigestRenderer.from_config(config.template_dir, subject_prefix=mail.subject_prefix)
    rendered = renderer.render_test(target.name or target.address)
    message_id = make_message_id(
        f"test:{target.key}:{uuid.uuid4().hex}",
        message_id_domain(mail.from_address, mail.message_id_domain),
    )
    message = build_message(
        rendered,
        from_address=mail.from_address,
        to_address=target.address,
        to_name=target.name,
        reply_to=mail.reply_to,
        message_id=message_id,
    )
    transport = Transport.from_config(mail, config.data_dir)
    try:
        result = transport.send(message)
    except DeliveryError as exc:
        click.echo(f"error: {exc}", err=True)
        raise click.exceptions.Exit(1) from exc
    finally:
        transport.close()
    click.echo(f"sent {result.message_id} to {target.address}: {result.detail}")


COMMANDS = [digest, notify]
