"""The `presswatch` command: global options, error handling and the command list."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from typing import Any

import click

from crawler import __version__
from crawler.cli.context import AppContext
from crawler.errors import PresswatchError
from crawler.logs import configure_logging

log = logging.getLogger("presswatch")


class PresswatchGroup(click.Group):
    """Turns PresswatchError into a message and an exit code; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PresswatchError as exc:
            _report(ctx, exc)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # The reader went away (`presswatch items | head`): not our failure.
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            _report(ctx, exc, internal=True)
            ctx.exit(1)


def _report(ctx: click.Context, exc: BaseException, *, internal: bool = False) -> None:
    app = ctx.find_object(AppContext)
    if app is not None and app.debug:
        traceback.print_exception(exc, file=sys.stderr)
    prefix = "internal error" if internal else "error"
    click.echo(f"{prefix}: {exc}", err=True)
    if internal and not (app and app.debug):
        click.echo("run again with --debug for the traceback", err=True)


@click.group(cls=PresswatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="presswatch")
@click.option(
    "--config",
    "config_dir",
    metavar="DIR",
    envvar="PRESSWATCH_CONFIG",
    help="Config directory (default ./config, or $PRESSWATCH_CONFIG).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Log line format (default: logging.format in presswatch.yaml, else text).",
)
@click.pass_context
def cli(ctx: click.Context, config_dir: str | None, debug: bool, log_format: str | None) -> None:
    """presswatch: watch official statements, match keyword rules, email digests.

    Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
    """
    ctx.obj = AppContext(config_option=config_dir, debug=debug, log_format=log_format)
    configure_logging("DEBUG" if debug else "INFO", log_format or "text")


def _register() -> None:
    from crawler.cli import (
        config_cmd,
        crawl_cmd,
        db_cmd,
        demo_cmd,
        digest_cmd,
        evidence_cmd,
        init_cmd,
        items_cmd,
        notify_cmd,
        rules_cmd,
        run_cmd,
        serve_cmd,
        sources_cmd,
        worker_cmd,
    )

    cli.add_command(config_cmd.check_config)
    cli.add_command(items_cmd.items)
    cli.add_command(db_cmd.db)
    for module in (
        crawl_cmd,
        sources_cmd,
        rules_cmd,
        digest_cmd,
        notify_cmd,
        run_cmd,
        serve_cmd,
        demo_cmd,
        init_cmd,
        evidence_cmd,
        worker_cmd,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="presswatch")
