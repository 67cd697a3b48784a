"""`presswatch crawl [SOURCE_ID ...]`: crawl sources now, each in its own process."""

from __future__ import annotations

import sys
import time

import click
from rich.console import Console
from rich.table import Table

from crawler.cli.context import AppContext, pass_app
from crawler.config import Config
from crawler.crawl import RunSummary, run_crawls
from crawler.errors import UsageError
from crawler.formatting import format_seconds, plural
from crawler.store.store import Store


@click.command("crawl")
@click.argument("source_ids", nargs=-1, metavar="[SOURCE_ID]...")
@click.option(
    "--no-alerts", is_flag=True, help="Do not send the immediate alerts of what was found."
)
@pass_app
def crawl(app: AppContext, source_ids: tuple[str, ...], no_alerts: bool) -> None:
    """Crawl the named sources (all enabled sources when none is named), then send the
    immediate alerts of what they found, as the daemon does (unless --no-alerts).

    Exit 1 when every source failed or an alert could not be sent (it stays queued), else 0.
    """
    config = app.config()
    ids = resolve_sources(config, source_ids)
    if not ids:
        click.echo("no enabled sources")
        return
    store = app.open_store()  # migrates once, before the crawl processes open the database
    try:
        runs = _crawl(config, ids)
        alerts_ok = no_alerts or send_alerts(config, store)
    finally:
        store.close()
    if all(run.failed for run in runs) or not alerts_ok:
        raise SystemExit(1)


def _crawl(config: Config, ids: list[str]) -> list[RunSummary]:
    console = Console(stderr=True)
    clock = time.monotonic()
    with console.status(f"crawling {plural(len(ids), 'source')}") as status:
        done: list[str] = []

        def progress(source_id: str, run: RunSummary | None) -> None:
            if run is not None:
                done.append(source_id)
                # print, not log: Console.log appends the caller's file:line to every line
                console.print(progress_line(run), highlight=False)
                status.update(f"crawled {len(done)}/{len(ids)} sources")

        runs = run_crawls(config, ids, progress=progress if console.is_terminal else None)
    out = Console(file=sys.stdout, width=140)
    out.print(summary_table(runs))
    out.print(total_line(runs, time.monotonic() - clock), highlight=False)
    return runs


def send_alerts(config: Config, store: Store) -> bool:
    """Send pending immediate alerts; False when one could not be sent (it stays queued)."""
    from alerts.dispatch import deliver_immediate

    reports = deliver_immediate(config, store)
    for report in reports:
        via = "" if report.endpoint == "email" else f" via {report.endpoint}"
        line = f"alert to {report.recipient}{via}: {plural(report.items, 'item')}, {report.status}"
        click.echo(line + (f": {report.error}" if report.error else ""))
    return not any(report.status == "failed" for report in reports)


def progress_line(run: RunSummary) -> str:
    """One line per finished source while the others still run."""
    return (
        f"{run.source_id}: {run.health} ({plural(run.items_new, 'new item')}, "
        f"{format_seconds(run.elapsed)})"
    )


def total_line(runs: list[RunSummary], seconds: float) -> str:
    """The whole command: sources, new items, failures and wall time."""
    failed = sum(1 for run in runs if run.failed)
    new = sum(run.items_new for run in runs)
    return (
        f"{plural(len(runs), 'source')} crawled in {format_seconds(seconds)}: "
        f"{plural(new, 'new item')}, {failed} failed"
    )


def resolve_sources(config: Config, source_ids: tuple[str, ...]) -> list[str]:
    """The named ids (UsageError naming the known ones), else every enabled source."""
    if not source_ids:
        return [source.id for source in config.enabled_sources]
    known = {source.id for source in config.sources}
    unknown = [s for s in source_ids if s not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(f"unknown source(s): {', '.join(unknown)} (known: {listed})")
    return list(dict.fromkeys(source_ids))


def summary_table(runs: list[RunSummary]) -> Table:
    """Per source: requests, new, updated, errors, dropped entries, health, wall time."""
    table = Table(title="crawl summary")
    columns = ("source", "requests", "new", "updated", "errors", "dropped", "health", "time")
    for name in columns:
        table.add_column(name, justify="left" if name in ("source", "health") else "right")
    for run in runs:
        table.add_row(
            run.source_id,
            str(run.requests),
            str(run.items_new),
            str(run.items_updated),
            str(run.errors),
            dropped_text(run.dropped) or "0",
            run.health,
            format_seconds(run.elapsed),
        )
    return table


def dropped_text(dropped: dict[str, int]) -> str:
    """ "3 offsite, 1 no_link": the entries a run left out, by reason."""
    return ", ".join(f"{count} {reason}" for reason, count in dropped.items() if count)


COMMANDS = [crawl]
