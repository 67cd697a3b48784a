"""`presswatch status` says why mail is not getting through, and never calls a failed digest
the last one; with a broken config on disk it still reports the store's state."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import insert

from alerts.dispatch import deliver_digests
from crawler.cli.main import cli
from crawler.daemon.render import to_text
from crawler.daemon.status import collect_status
from crawler.store.schema import sources
from crawler.store.store import Store
from tests.ledger.conftest import Server
from tests.ledger.seed import ALICE, NOW, seed_matches, write_config


def test_failed_digest_shows_its_error_and_is_not_the_last_digest(
    store: Store, database_url: str, tmp_path: Path, down_server: Server
) -> None:
    config = write_config(
        tmp_path, port=down_server.port, recipients=[{"address": ALICE}], database_url=database_url
    )
    seed_matches(store, 2)
    [failed] = deliver_digests(config, store, now=NOW)
    assert failed.status == "failed"

    report = collect_status(config, store, NOW + timedelta(seconds=5))
    [backlog] = report.backlog
    assert backlog.recipient == ALICE
    assert "Connection refused" in (backlog.last_error or "")
    assert backlog.last_error_channel == "digest"
    assert backlog.next_attempt_at is not None
    [recipient] = report.recipients
    assert recipient.last_digest_at is None
    assert recipient.undelivered_digest is not None
    assert recipient.undelivered_digest.status == "failed"
    assert "Connection refused" in (recipient.undelivered_digest.last_error or "")

    text = to_text(report)
    assert f"last error (digest): {backlog.last_error}; next try" in text
    assert "undelivered digests:" in text
    recipient_line = next(line for line in text.splitlines() if line.startswith(ALICE + " "))
    assert recipient_line.split()[3] == "-"  # the "last digest" column

    down_server.start()
    [sent] = deliver_digests(config, store, now=NOW + timedelta(minutes=5))
    assert sent.status == "sent"
    report = collect_status(config, store, NOW + timedelta(minutes=6))
    assert report.backlog == []
    assert report.recipients[0].last_digest_at is not None
    assert report.recipients[0].undelivered_digest is None


def test_status_json_carries_last_error(
    store: Store, database_url: str, tmp_path: Path, down_server: Server
) -> None:
    config = write_config(
        tmp_path, port=down_server.port, recipients=[{"address": ALICE}], database_url=database_url
    )
    seed_matches(store, 1)
    deliver_digests(config, store, now=NOW)
    result = CliRunner().invoke(cli, ["--config", str(config.directory), "status", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "Connection refused" in report["backlog"][0]["last_error"]
    assert report["config_errors"] == []


def test_status_with_a_broken_config_warns_and_reports_the_store(
    store: Store, database_url: str, tmp_path: Path, down_server: Server
) -> None:
    config = write_config(
        tmp_path, port=down_server.port, recipients=[{"address": ALICE}], database_url=database_url
    )
    seed_matches(store, 1)
    deliver_digests(config, store, now=NOW)
    with store.begin() as connection:
        row = {"id": "mofa", "kind": "feed", "health": "error", "created_at": NOW}
        row.update(health_detail="HTTP 503", health_since=NOW, last_run_at=NOW)
        connection.execute(insert(sources).values(row))
    # the config on disk breaks: a rule file no longer parses, a setting has a typo
    (config.directory / "rules" / "rules.yaml").write_text("rules: [", encoding="utf-8")
    settings = json.loads((config.directory / "presswatch.yaml").read_text(encoding="utf-8"))
    settings["timezon"] = "UTC"
    (config.directory / "presswatch.yaml").write_text(json.dumps(settings), encoding="utf-8")

    result = CliRunner().invoke(cli, ["--config", str(config.directory), "status", "--json"])
    assert result.exit_code == 0, result.output
    assert "warning: the configuration on disk is invalid" in result.stderr
    assert 'unknown key "timezon"' in result.stderr
    report = json.loads(result.stdout)
    assert any("rules/rules.yaml" in issue for issue in report["config_errors"])
    assert "Connection refused" in report["backlog"][0]["last_error"]
    # the store's sources are listed although no source file validates
    assert [s["id"] for s in report["sources"]] == ["mofa"]
    assert report["sources"][0]["in_config"] is False

    text = CliRunner().invoke(cli, ["--config", str(config.directory), "status"])
    assert text.exit_code == 0
    assert "not in the config on disk" in text.stdout
    assert "mofa: error since 2026-11-28 03:00 UTC: HTTP 503" in text.stdout


def test_status_with_unreadable_database_settings_is_still_an_error(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, database_url=database_url)
    (config.directory / "presswatch.yaml").write_text("database: {url: 3, bogus: 1}\n", "utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config.directory), "status"])
    assert result.exit_code == 2
    assert "presswatch.yaml:1: database.bogus" in result.stderr
