"""`presswatch db upgrade|gc|status`: schema migrations and retention."""

from __future__ import annotations

import click

from crawler.cli.context import AppContext, pass_app
from crawler.config.durations import Duration, parse_duration
from crawler.errors import UsageError
from crawler.formatting import format_duration
from crawler.store import migrate


@click.group("db")
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@pass_app
def upgrade(app: AppContext) -> None:
    """Apply pending schema migrations (also done automatically at start-up)."""
    store = app.open_store(migrate=False)
    before = migrate.current_revision(store.engine)
    store.upgrade()
    after = migrate.current_revision(store.engine)
    click.echo(f"database at revision {after}" + ("" if before == after else f" (was {before})"))


@db.command("gc")
@click.option(
    "--older-than", default=None, metavar="DURATION", help="e.g. 180d (default: retention.items)."
)
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@pass_app
def gc(app: AppContext, older_than: str | None, dry_run: bool) -> None:
    """Delete items older than DURATION that no undelivered match needs."""
    from crawler.store import evidence
    from crawler.store.gc import collect_garbage

    age = _duration(older_than) if older_than else app.config().settings.retention.items
    kept = evidence.EvidenceSettings.from_config(app.config())
    store = app.open_store()
    with store.begin() as connection:
        result = collect_garbage(connection, age)
        pruned = evidence.prune(connection, kept)
        if dry_run:
            connection.rollback()
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {result.items_deleted} items older than {format_duration(age)}")
    files = len(pruned.files_unneeded)
    if not dry_run:  # after the commit: a file goes once no committed row needs it
        settled = evidence.settled_before()
        files = evidence.delete_files(kept, pruned.files_unneeded, older_than=settled)
        if cut := evidence.trim_files(kept, pruned.indexed_ends, older_than=settled):
            click.echo(f"cut {cut} WARC files back to their last indexed record")
    click.echo(f"{verb} {pruned.records_deleted} evidence records and {files} WARC files")


def _duration(text: str) -> Duration:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
