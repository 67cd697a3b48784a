"""`presswatch crawl [SOURCE_ID ...]`: crawl sources now, each in its own process."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from crawler.cli.context import AppContext, pass_app
from crawler.config import Config
from crawler.crawl import RunSummary, run_crawls
from crawler.errors import UsageError


@click.command("crawl")
@click.argument("source_ids", nargs=-1, metavar="[SOURCE_ID]...")
@pass_app
def crawl(app: AppContext, source_ids: tuple[str, ...]) -> None:
    """Crawl the named sources (all enabled sources when none is named).

    Exit 1 when every source failed, else 0.
    """
    config = app.config()
    ids = resolve_sources(config, source_ids)
    if not ids:
        click.echo("no enabled sources")
        return
    console = Console(stderr=True)
    with console.status(f"crawling {len(ids)} source(s)") as status:
        done: list[str] = []

        def progress(source_id: str, run: RunSummary | None) -> None:
            if run is not None:
                done.append(source_id)
                console.log(f"{source_id}: {run.health} ({run.items_new} new)")
                status.update(f"crawled {len(done)}/{len(ids)} source(s)")

        runs = run_crawls(config, ids, progress=progress if console.is_terminal else None)
    Console(file=sys.stdout, width=140).print(summary_table(runs))
    if all(run.failed for run in runs):
        raise SystemExit(1)


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
    """Per source: requests, new, updated, errors, dropped entries, health, duration."""
    table = Table(title="crawl summary")
    columns = ("source", "requests", "new", "updated", "errors", "dropped", "health", "seconds")
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
            f"{run.duration:.1f}",
        )
    return table


def dropped_text(dropped: dict[str, int]) -> str:
    """ "3 offsite, 1 no_link": the entries a run left out, by reason."""
    return ", ".join(f"{count} {reason}" for reason, count in dropped.items() if count)


COMMANDS = [crawl]
