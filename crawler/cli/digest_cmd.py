"""`presswatch digest`: send or preview daily digests (`notify` is in notify_cmd)."""

from __future__ import annotations

from pathlib import Path

import click

from crawler.cli.context import AppContext, pass_app


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
        who = (
            report.recipient
            if report.endpoint == "email"
            else (f"{report.recipient} ({report.endpoint})")
        )
        line = f"{who}: {kind}{report.items} {noun}, {report.status}"
        line += f", {report.message_id or '-'}"
        click.echo(line + (f": {report.error}" if report.error else ""))
    if preview is not None and reports:
        click.echo(f"preview written to {preview}")
    if any(report.status == "failed" for report in reports):
        raise click.exceptions.Exit(1)


COMMANDS = [digest]
