"""`presswatch demo` end to end in a subprocess, and `presswatch init` then `check-config`."""

from __future__ import annotations

import email
import email.policy
import re
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
    # the summary counts items as the digest does: each once, under the rule it is listed under
    assert "4 sources crawled, 11 items stored, 6 items in the digest:" in out
    assert "  Strategic stability      3\n  Arms control             3\n" in out
    assert "1 immediate alert (3 items), 1 digest (6 items)" in out
    database = tmp_path / "config" / "data" / "presswatch.db"
    with sqlite3.connect(database) as db:
        stored = db.execute("select count(*) from items").fetchone()[0]
        per_rule = dict(db.execute("select rule_id, count(*) from rule_matches group by rule_id"))
        runs = db.execute("select source_id, health, errors, detail from crawl_runs").fetchall()
    assert stored == 11
    assert per_rule == {"strategic-stability": 4, "arms-control": 6, "nuclear-tests": 1}
    # the demo's own sources crawl cleanly: every page exists (ruritania's ?page=2 too)
    assert len(runs) == 4
    for source_id, health, errors, detail in runs:
        assert (health, errors) == ("ok", 0), (source_id, detail)
        assert "HTTP 404" not in detail
    # the kept config points at a port that is gone: the output says how to serve it again
    port = re.search(r"on port (\d+), which closes when", out)
    assert port, out
    assert f"presswatch demo --serve --port {port.group(1)}" in out
    assert f"presswatch --config {tmp_path / 'config'} run --once --digest" in out
    config_text = (tmp_path / "config" / "sources" / "demo.yaml").read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{port.group(1)}/" in config_text
    preview = (tmp_path / "digest-preview.html").read_text(encoding="utf-8")
    assert "Strategic stability" in preview and "Брифинг" in preview
    assert "Also published by" in preview
    messages = sorted((tmp_path / "config" / "data" / "outbox").glob("*.eml"))
    assert len(messages) == 2  # one immediate alert, one digest
    kinds = {_check_multipart(path) for path in messages}
    assert kinds == {"alert", "digest"}


def test_demo_without_keep_prints_no_paths_that_are_deleted(tmp_path: Path) -> None:
    result = presswatch("demo")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "presswatch-demo-" not in result.stdout  # the temporary directory's paths
    assert "outbox (.eml):" not in result.stdout and "digest preview:" not in result.stdout
    assert "run presswatch demo --keep DIR" in result.stdout


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
