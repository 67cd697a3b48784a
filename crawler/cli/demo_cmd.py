"""`presswatch demo`: crawl a bundled offline site, match rules, write a digest, in a minute."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click
from sqlalchemy import func, select

from crawler.config import Config, load_config
from crawler.demo.config import write_demo_config
from crawler.demo.server import DemoServer
from crawler.store.schema import items, rule_matches
from crawler.store.store import Store


@click.command("demo")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo's config, store and outbox in DIR (default: a temporary directory).",
)
@click.option("--serve", is_flag=True, help="Only serve the demo site until Ctrl-C.")
@click.option("--port", default=0, show_default="a free port", help="Port of the demo site.")
def demo(keep: Path | None, serve: bool, port: int) -> None:
    """Show presswatch end to end, offline: crawl a bundled site, match, write a digest."""
    with DemoServer(port) as server:
        if serve:
            _serve(server, keep)
            return
        if keep is not None:
            _run_demo(server, keep)
            return
        with tempfile.TemporaryDirectory(prefix="presswatch-demo-") as tmp:
            _run_demo(server, Path(tmp))


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
        write_demo_config(keep, server.base_url)
        click.echo(f"a config using it is in {keep}: presswatch --config {keep} run --once")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped")


def _run_demo(server: DemoServer, workdir: Path) -> None:
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
    click.echo(_summary(config, store, workdir, preview, len(runs), len(alerts), len(digests)))
    click.echo(f"done in {time.monotonic() - started:.1f}s")
    store.close()


def _progress(source_id: str, run: object | None) -> None:
    if run is None:
        return
    new = getattr(run, "items_new", 0)
    health = getattr(run, "health", "")
    click.echo(f"      {source_id:<16} {new:>3} new   {health}")


def _summary(
    config: Config,
    store: Store,
    workdir: Path,
    preview: Path,
    crawled: int,
    alerts: int,
    digests: int,
) -> str:
    with store.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(items)) or 0
        per_rule: dict[str, int] = dict(
            connection.execute(
                select(rule_matches.c.rule_id, func.count()).group_by(rule_matches.c.rule_id)
            ).all()
        )
    outbox = config.data_dir / "outbox"
    lines = [
        "",
        f"sources crawled: {crawled}    items stored: {stored}",
        "matches per rule:",
        *(f"  {rule.name:<24} {per_rule.get(rule.id, 0)}" for rule in config.rules),
        f"immediate alerts: {alerts}    digests: {digests}",
        f"outbox (.eml):   {outbox}",
        f"digest preview:  {preview}",
        "",
        "next:",
        "  presswatch init myconfig                 a starter config to edit",
        "  presswatch --config myconfig check-config",
        "  presswatch --config myconfig sources test <id>",
    ]
    if workdir.name.startswith("presswatch-demo-"):
        lines.insert(-4, "(temporary files are removed on exit: use --keep DIR to keep them)")
    return "\n".join(lines)


COMMANDS = [demo]
