"""`presswatch serve`: the web console (archive search, sources, rules, deliveries, JSON API)."""

from __future__ import annotations

import click

from crawler.cli.context import AppContext, pass_app


@click.command("serve")
@click.option(
    "--config",
    "config_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Config directory (the same as `presswatch --config DIR serve`).",
)
@click.option("--host", default=None, help="Address to bind (default web.host, 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port (default web.port, 8080)."
)
@pass_app
def serve(app: AppContext, config_dir: str | None, host: str | None, port: int | None) -> None:
    """Serve the web console until Ctrl-C; read-only.

    Any bind other than 127.0.0.1, ::1 or localhost requires web.password (a login page).
    Exit codes: 0 stopped, 1 runtime failure, 2 configuration error or no password.
    """
    from crawler.web.server import serve as run_server

    if config_dir is not None:
        app.config_option = config_dir
    config = app.config()
    web = config.settings.web
    host = host or web.host
    port = port or web.port
    store = app.open_store()
    try:
        click.echo(f"presswatch console at http://{_url_host(host)}:{port}/ (Ctrl-C to stop)")
        run_server(config, store, host, port)
    finally:
        store.close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


COMMANDS = [serve]
