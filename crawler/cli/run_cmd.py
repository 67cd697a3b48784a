"""`presswatch run` (the daemon, or one cycle with --once) and `presswatch status`."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import click

from crawler.cli.context import AppContext, pass_app
from crawler.config.durations import parse_duration
from crawler.errors import UsageError

log = logging.getLogger("presswatch.daemon")
INTERVAL_OVERRIDE_ENV = "PRESSWATCH_INTERVAL_OVERRIDE"


@click.command("run")
@click.option(
    "--once", is_flag=True, help="One cycle: retry due mail, crawl every source, send alerts, exit."
)
@click.option("--digest", is_flag=True, help="With --once: also send every recipient's digest.")
@click.option("--serve", is_flag=True, help="Also serve the web console (web.host, web.port).")
@click.option(
    "--standby",
    is_flag=True,
    help="If another daemon holds the lease, wait and take over when it expires (PostgreSQL).",
)
@pass_app
def run(app: AppContext, once: bool, digest: bool, serve: bool, standby: bool) -> None:
    """Run the daemon until SIGTERM/SIGINT (SIGHUP reloads the configuration).

    Only one daemon may use a database: a second one exits 1 at once, unless --standby (or
    scheduler.standby) makes it wait and take over when the active one's lease expires.
    With --once (cron mode): retry due deliveries, crawl, send what is due, exit.
    Exit codes: 0 clean stop, 1 runtime failure (lock held, every crawl failed, or with --once
    something it tried to send is still undelivered), 2 config error.
    """
    if digest and not once:
        raise UsageError("--digest only goes with --once (the daemon sends digests on schedule)")
    config = app.config()
    import scheduler

    with _console(app, serve):
        if once:
            sys.exit(scheduler.run_once(config, digest=digest))
        sys.exit(
            scheduler.run_daemon(
                config, interval_override=_interval_override(), standby=standby or None
            )
        )


@contextmanager
def _console(app: AppContext, serve: bool) -> Iterator[None]:
    """With --serve, the web console runs in a thread for as long as the daemon does."""
    if not serve:
        yield
        return
    from crawler.web.server import BackgroundServer

    config = app.config()
    store = app.open_store()
    web = config.settings.web
    server = BackgroundServer(config, store, web.host, web.port)
    server.start()
    log.info("console at http://%s:%d/", web.host, web.port)
    try:
        yield
    finally:
        server.stop()
        store.close()


def _interval_override() -> timedelta | None:
    """PRESSWATCH_INTERVAL_OVERRIDE (tests and benchmarks): run every interval source this often."""
    text = os.environ.get(INTERVAL_OVERRIDE_ENV)
    if not text:
        return None
    try:
        every = parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"{INTERVAL_OVERRIDE_ENV}: {exc}") from exc
    if every.total_seconds() < 1:
        raise UsageError(f"{INTERVAL_OVERRIDE_ENV} must be at least 1s")
    log.warning("%s=%s: every interval source runs every %s", INTERVAL_OVERRIDE_ENV, text, every)
    return every


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Sources (health, last run, last new item, next run), deliveries and next digests.

    A broken config on disk (the daemon keeps running on its old one) is a warning, not an
    error: the store's state is still shown, from the parts of the config that are valid.
    """
    from crawler.daemon.render import to_json, to_text
    from crawler.daemon.status import collect_status
    from crawler.store.store import Store
    from crawler.store.types import utcnow
    from spiders.catalog import load_config_or_parts

    config, error = load_config_or_parts(app.config_dir)
    if error is not None:
        click.echo(f"warning: the configuration on disk is invalid; {error}", err=True)
        click.echo(
            "warning: showing the store's state (a running daemon keeps its old config)",
            err=True,
        )
    store = Store.from_config(config)
    try:
        report = collect_status(config, store, utcnow(), config_error=error)
    finally:
        store.close()
    click.echo(to_json(report) if as_json else to_text(report))


COMMANDS = [run, status]
