"""`presswatch items`: list stored items, newest first."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from crawler.cli.context import AppContext, pass_app
from crawler.config.durations import parse_duration
from crawler.errors import UsageError
from crawler.store.queries import ItemRow
from crawler.store.types import utcnow


@click.command("items")
@click.option("--source", "source_id", metavar="ID", help="Only items of this source.")
@click.option("--since", metavar="DURATION", help="Only items first seen within e.g. 7d.")
@click.option("--search", metavar="TEXT", help="Only items whose title or body contains TEXT.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000))
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per item (see docs).")
@click.option("--body", "with_body", is_flag=True, help="Include each item's full text.")
@pass_app
def items(
    app: AppContext,
    source_id: str | None,
    since: str | None,
    search: str | None,
    limit: int,
    as_json: bool,
    with_body: bool,
) -> None:
    """List stored items, newest first.

    With --json, one JSON object per line: id, source_id, title, url, canonical_url,
    published_at, first_seen_at (ISO 8601), language, summary, article ({"state":
    "fetched" | "unavailable" | "baseline" | "not_fetched", and for unavailable its
    reason, attempts, retry_at}), and body with --body.
    """
    cutoff = _since(since)
    from crawler.store.queries import search_items

    store = app.open_store()
    with store.connect() as connection:
        rows = search_items(
            connection,
            source_id=source_id,
            since=cutoff,
            text=search,
            limit=limit,
            with_body=with_body,
        )
    if as_json:
        for row in rows:
            click.echo(json.dumps(row.to_json(), ensure_ascii=False))
        return
    if not rows:
        click.echo("no items")
        return
    reader = ZoneInfo(app.config().settings.timezone)
    click.echo(f"{'id':>7}  {'published (or first seen)':<25}  {'source':<20} title / url")
    for row in rows:
        stamp, source_day = _stamp(row, reader)
        click.echo(f"{row.id:>7}  {stamp:<25}  {row.source_id:<20} {row.title[:90]}")
        click.echo(f"{'':>7}  {'':<25}  {'':<20} {row.url}")
        if source_day:
            click.echo(f"{'':>7}  {'':<25}  {'':<20} published {source_day} at the source")
        article = row.article or {}
        if article.get("state") == "unavailable":
            note = f"article: unavailable ({article.get('reason')}), from the listing"
            click.echo(f"{'':>7}  {'':<25}  {'':<20} {note}")
        if with_body and row.body:
            click.echo(f"{'':>7}  {'':<25}  {'':<20} {' '.join(row.body.split())}")


def _stamp(row: ItemRow, reader: ZoneInfo) -> tuple[str, str | None]:
    """The date column: a date-only publication as a date, a timed one in the reader's
    timezone (settings.timezone), plus the source's own day when it differs from it."""
    if row.date_only and row.published_date is not None:
        return row.published_date.isoformat(), None
    when = row.published_at or row.first_seen_at
    shown = when.astimezone(reader)
    source_day = row.published_date if row.published_at is not None else None
    differs = source_day is not None and source_day != shown.date()
    return shown.strftime(
        "%Y-%m-%d %H:%M"
    ), source_day.isoformat() if differs and source_day else None


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return utcnow() - parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from exc
