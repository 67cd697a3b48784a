"""`presswatch demo`: crawl a bundled offline site, match rules, write a digest, in a minute."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from crawler.config import Config
from crawler.demo.config import write_demo_config
from crawler.demo.server import DemoServer
from crawler.formatting import format_seconds, plural
from crawler.store.queries import item_counts
from crawler.store.store import Store
from spiders.catalog import load_config


@click.command("demo")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo's config, store and outbox in DIR (default: a temporary directory).",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Only serve the demo site until Ctrl-C (with --keep DIR: and write DIR/config for it).",
)
@click.option(
    "--port",
    default=0,
    type=click.IntRange(0, 65535),
    show_default="a free port",
    help="Port of the demo site (--serve --port N serves a kept demo's site again).",
)
def demo(keep: Path | None, serve: bool, port: int) -> None:
    """Show presswatch end to end, offline: crawl a bundled site, match, write a digest."""
    with DemoServer(port) as server:
        if serve:
            _serve(server, keep)
            return
        if keep is not None:
            _run_demo(server, keep.absolute(), kept=True)
            return
        with tempfile.TemporaryDirectory(prefix="presswatch-demo-") as tmp:
            _run_demo(server, Path(tmp), kept=False)


def _serve(server: DemoServer, keep: Path | None) -> None:
    click.echo(f"demo site at {server.base_url}/ (Ctrl-C to stop)")
    for path in (
        "/freedonia/press-releases",
        "/ruritania/news",
        "/sylvania/feed.xml",
        "/wire/feed.xml",
    ):
        click.echo(f"  {server.base_url}{path}")
    if keep is not None:
        config_dir = write_demo_config(keep.absolute() / "config", server.base_url)
        click.echo(f"a config using it is in {config_dir}:")
        click.echo(f"  presswatch --config {config_dir} run --once --digest")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped")


def _run_demo(server: DemoServer, workdir: Path, *, kept: bool) -> None:
    from alerts.dispatch import deliver_digests, deliver_immediate
    from crawler.crawl.runner import run_crawls

    started = time.monotonic()
    config_dir = write_demo_config(workdir / "config", server.base_url)
    config = load_config(config_dir)
    store = Store.from_config(config)
    source_ids = [s.id for s in config.enabled_sources]
    click.echo(f"[1/3] crawling {len(source_ids)} demo sources at {server.base_url} ...")
    runs = run_crawls(config, source_ids, progress=_progress)
    click.echo("[2/3] sending immediate alerts ...")
    alerts = deliver_immediate(config, store)
    click.echo("[3/3] writing the digest ...")
    preview = workdir / "digest-preview.html"
    digests = deliver_digests(config, store, preview=preview)
    sent = Sent(len(runs), _items(alerts), _items(digests), len(alerts), len(digests))
    click.echo(_summary(config, store, sent))
    click.echo(_kept(config, preview, server) if kept else _not_kept())
    click.echo(f"done in {format_seconds(time.monotonic() - started)}")
    store.close()


@dataclass(frozen=True)
class Sent:
    """What the demo crawled and sent: the item counts are those the messages show."""

    sources: int
    alerted_items: int
    digest_items: int
    alerts: int
    digests: int


def _items(reports: list[Any]) -> int:
    return sum(int(report.items) for report in reports if report.status == "sent")


def _progress(source_id: str, run: object | None) -> None:
    if run is None:
        return
    new = getattr(run, "items_new", 0)
    health = getattr(run, "health", "")
    click.echo(f"      {source_id:<16} {new:>3} new   {health}")


def _summary(config: Config, store: Store, sent: Sent) -> str:
    """Counts in the digest's own terms: items, each under the one rule the digest lists it
    under (an item several rules match, or a copy on another site, is not counted again)."""
    from alerts.ledger.summary import digest_items_per_rule

    with store.connect() as connection:
        stored = sum(item_counts(connection).values())
        per_rule = digest_items_per_rule(connection)
    return "\n".join(
        [
            "",
            f"{plural(sent.sources, 'source')} crawled, {plural(stored, 'item')} stored, "
            f"{plural(sent.digest_items, 'item')} in the digest:",
            *(f"  {rule.name:<24} {per_rule.get(rule.id, 0)}" for rule in config.rules),
            f"{plural(sent.alerts, 'immediate alert')} ({plural(sent.alerted_items, 'item')}), "
            f"{plural(sent.digests, 'digest')} ({plural(sent.digest_items, 'item')})",
        ]
    )


def _kept(config: Config, preview: Path, server: DemoServer) -> str:
    port = server.base_url.rsplit(":", 1)[1]
    return "\n".join(
        [
            f"outbox (.eml):   {config.data_dir / 'outbox'}",
            f"digest preview:  {preview}",
            f"config:          {config.directory}",
            "",
            f"The config's sources point at the demo site on port {port}, which closes when",
            "this command exits. To crawl them again, serve the site on the same port:",
            f"  presswatch demo --serve --port {port}",
            f"  presswatch --config {config.directory} run --once --digest   (in another shell)",
            "",
            "next:",
            *_NEXT,
        ]
    )


def _not_kept() -> str:
    return "\n".join(
        [
            "",
            "The demo's files were temporary and are removed now: run presswatch demo --keep DIR",
            "to keep its config, store, outbox (.eml) and digest preview.",
            "",
            "next:",
            *_NEXT,
        ]
    )


_NEXT = [
    "  presswatch init myconfig                 a starter config to edit",
    "  presswatch --config myconfig check-config",
    "  presswatch --config myconfig sources test <id>",
]


COMMANDS = [demo]
