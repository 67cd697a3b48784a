"""`presswatch init [DIR]`: write a commented starter configuration."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from crawler.errors import UsageError

STARTER_FILES = (
    "presswatch.yaml",
    "sources/example.yaml",
    "rules/example.yaml",
    "spiders/example.py",
)
# Spider files are code presswatch runs: writable by their owner only (check-config warns).
CODE_MODE = 0o644


@click.command("init")
@click.argument("directory", default="config", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(directory: Path, force: bool) -> None:
    """Write a starter config (settings, sources, rules, an example spider) into DIRECTORY."""
    existing = [name for name in STARTER_FILES if (directory / name).exists()]
    if existing and not force:
        listed = ", ".join(str(directory / name) for name in existing)
        raise UsageError(f"refusing to overwrite {listed} (use --force)")
    starter = files("crawler.starter")
    for name in STARTER_FILES:
        _copy(starter.joinpath(name), directory / name)
        click.echo(f"wrote {directory / name}")
    (directory / "templates").mkdir(exist_ok=True)
    click.echo(_next_steps(directory))


def _copy(source: Traversable, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    if target.suffix == ".py":
        target.chmod(CODE_MODE)


def _next_steps(directory: Path) -> str:
    flag = "" if directory == Path("config") else f" --config {directory}"
    return f"""
Next:
  1. Edit {directory / "presswatch.yaml"}: your address under recipients, your contact in
     crawl.user_agent, and (later) the smtp section.
  2. presswatch{flag} check-config          validate everything
  3. presswatch{flag} sources test pk-mofa   see what a source would store
  4. presswatch{flag} rules test strategic-stability --text "..."
  5. presswatch{flag} run --once --digest    crawl, match and write a digest to the outbox
  6. presswatch{flag} run                    the daemon
A site with an API or a JavaScript-built listing: see {directory / "spiders" / "example.py"}
and `presswatch{flag} sources kinds`."""


COMMANDS = [init]
