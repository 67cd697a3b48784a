"""`presswatch sources list|test`: the configured sources, their health, and a dry run."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from crawler.cli.context import AppContext, pass_app
from crawler.cli.crawl_cmd import dropped_text
from crawler.crawl.runner import run_child
from crawler.errors import CrawlError, UsageError
from crawler.formatting import format_schedule, format_time
from crawler.store.queries import item_counts
from crawler.store.sources import source_states


@click.group("sources")
def sources_group() -> None:
    """Inspect configured sources."""


@sources_group.command("list")
@pass_app
def list_sources(app: AppContext) -> None:
    """Id, kind, schedule, health, last run and stored items of every source."""
    config = app.config()
    state = _state(app)
    table = Table()
    for name in ("id", "kind", "schedule", "health", "last run", "items"):
        table.add_column(name, justify="right" if name == "items" else "left")
    for source in config.sources:
        health, last_run, count = state.get(source.id, ("new", None, 0))
        schedule = format_schedule(source.schedule.every, source.schedule.cron)
        health = health if source.enabled else f"{health} (disabled)"
        when = format_time(last_run, config.settings.timezone)
        table.add_row(source.id, source.kind, schedule, health, when, str(count))
    Console(file=sys.stdout, width=140).print(table)


def _state(app: AppContext) -> dict[str, tuple[str, Any, int]]:
    store = app.open_store()
    try:
        with store.connect() as connection:
            counts = item_counts(connection)
            states = source_states(connection).values()
            return {s.id: (s.health, s.last_run_at, counts.get(s.id, 0)) for s in states}
    finally:
        store.close()


@sources_group.command("test")
@click.argument("source_id")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per item.")
@pass_app
def test_source(app: AppContext, source_id: str, limit: int, as_json: bool) -> None:
    """Fetch a source live and show what would be stored; nothing is written to the store."""
    config = app.config()
    try:
        config.source(source_id)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    with tempfile.TemporaryDirectory(prefix="presswatch-test-") as tmp:
        output, summary_file = Path(tmp) / "items.jsonl", Path(tmp) / "summary.json"
        args = ["--dry-run", str(output), "--limit", str(limit), "--summary", str(summary_file)]
        failure = run_child(config, source_id, args)
        if failure:
            raise CrawlError(f"{source_id}: {failure}")
        lines = output.read_text(encoding="utf-8").splitlines() if output.exists() else []
        summary = _read_json(summary_file)
    found = [json.loads(line) for line in lines][:limit]
    if as_json:
        for entry in found:
            click.echo(json.dumps(entry, ensure_ascii=False))
        return
    if not found:
        _explain_nothing(source_id, summary)
    for entry in found:
        words = " ".join((entry["body"] or entry["summary"]).split()[:30])
        click.echo(f"{entry['published_at'] or '-'}  {entry['title']}")
        click.echo(f"    {entry['url']}")
        article = entry.get("extra", {}).get("article") or {}
        if article.get("state") == "unavailable":
            click.echo(f"    article: unavailable ({article.get('reason', '?')}), from the listing")
        click.echo(f"    {words}…" if words else "    (no body)")
    dropped = dropped_text(summary.get("dropped") or {})
    if dropped:
        click.echo(f"entries dropped: {dropped} (see allowed_domains in docs/configuration.md)")
    for message in summary.get("messages", [])[:10]:  # e.g. what a feed had to mend or drop
        click.echo(f"note: {message}")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _explain_nothing(source_id: str, summary: dict[str, Any]) -> None:
    """Say why a test found nothing; exit 1 when no listing or feed page could be read."""
    for message in summary.get("messages", [])[:10]:
        click.echo(f"  {message}")
    if summary.get("index_ok", 0) or summary.get("index_empty", 0):
        click.echo("nothing found: the pages answered, but no items matched the selectors")
        return
    raise CrawlError(f"{source_id}: nothing could be fetched (see the messages above)")


@sources_group.command("kinds")
@pass_app
def list_kinds(app: AppContext) -> None:
    """Every spider a source can use: kind or name, where it comes from, and its params."""
    from crawler.cli.kinds import render_kinds
    from spiders.registry import load_plugins

    app.config()  # loads spiders/*.py; one with errors is a config error (exit 2) here
    for issue in load_plugins():  # reported by check-config only when a source needs spiders
        click.echo(f"warning: {issue}", err=True)
    Console(file=sys.stdout, width=160).print(render_kinds())


COMMANDS = [sources_group]
