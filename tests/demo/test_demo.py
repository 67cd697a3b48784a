"""`presswatch demo` end to end in a subprocess, and `presswatch init` then `check-config`."""

from __future__ import annotations

import email
import email.policy
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from crawler.cli.main import cli


def presswatch(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    code = "from crawler.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_demo_crawls_matches_and_writes_a_digest(tmp_path: Path) -> None:
    result = presswatch("demo", "--keep", str(tmp_path))
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert "sources crawled: 4" in out
    assert "items stored: 11" in out
    database = tmp_path / "config" / "data" / "presswatch.db"
    with sqlite3.connect(database) as db:
        stored = db.execute("select count(*) from items").fetchone()[0]
        per_rule = dict(db.execute("select rule_id, count(*) from rule_matches group by rule_id"))
    assert stored == 11
    assert per_rule == {"strategic-stability": 4, "arms-control": 6, "nuclear-tests": 1}
    preview = (tmp_path / "digest-preview.html").read_text(encoding="utf-8")
    assert "Strategic stability" in preview and "Брифинг" in preview
    assert "Also published by" in preview
    messages = sorted((tmp_path / "config" / "data" / "outbox").glob("*.eml"))
    assert len(messages) == 2  # one immediate alert, one digest
    kinds = {_check_multipart(path) for path in messages}
    assert kinds == {"alert", "digest"}


def _check_multipart(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert message["To"] and message["Message-ID"] and message["Subject"]
    return str(message["X-Presswatch-Kind"])


def test_init_writes_a_valid_config(tmp_path: Path) -> None:
    target = tmp_path / "cfg"
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert "Next:" in result.output
    checked = runner.invoke(cli, ["--config", str(target), "check-config"])
    assert checked.exit_code == 0, checked.output
    assert "sources: 2" in checked.output and "rules: 2" in checked.output
    assert "custom spiders: 1" in checked.output and "example-json-api" in checked.output
    assert "warning" not in checked.output
    assert (target / "spiders" / "example.py").stat().st_mode & 0o777 == 0o644
    again = runner.invoke(cli, ["init", str(target)])
    assert again.exit_code == 2 and "--force" in again.output
    forced = runner.invoke(cli, ["init", str(target), "--force"])
    assert forced.exit_code == 0
