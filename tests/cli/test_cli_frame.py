"""The CLI frame: help everywhere, version, exit codes, no traceback for user mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler import __version__
from crawler.cli.main import cli


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess."""
    code = "from crawler.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("check-config", "items", "db", "init"):
        assert command in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2


def test_bad_option_value_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path), "items", "--since", "soon"])
    assert result.exit_code == 2
    assert "invalid duration" in result.output


def test_items_on_an_empty_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path), "items"])
    assert result.exit_code == 0, result.output
    assert "no items" in result.output
    as_json = CliRunner().invoke(cli, ["--config", str(tmp_path), "items", "--json"])
    assert as_json.exit_code == 0 and as_json.output == ""


def test_db_upgrade_and_gc(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "database at revision" in result.output
    result = CliRunner().invoke(
        cli, ["--config", str(tmp_path), "db", "gc", "--older-than", "180d"]
    )
    assert result.exit_code == 0, result.output
    assert "deleted 0 items" in result.output


def test_config_error_has_no_traceback_but_debug_shows_one(tmp_path: Path) -> None:
    (tmp_path / "presswatch.yaml").write_text("timezone: Nowhere/Land\n")
    plain = run("--config", str(tmp_path), "check-config")
    assert plain.returncode == 2
    assert "Traceback" not in plain.stderr
    assert "presswatch.yaml:1: timezone:" in plain.stderr
    debug = run("--debug", "--config", str(tmp_path), "check-config")
    assert debug.returncode == 2
    assert "Traceback" in debug.stderr


def test_runtime_failure_exits_1(tmp_path: Path) -> None:
    (tmp_path / "presswatch.yaml").write_text("database:\n  url: mysql://nobody@localhost/x\n")
    result = run("--config", str(tmp_path), "items")
    assert result.returncode == 1
    assert "unsupported database" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_log_format(tmp_path: Path) -> None:
    result = run("--log-format", "json", "--config", str(tmp_path), "db", "upgrade")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    for line in lines:
        assert "message" in json.loads(line)
