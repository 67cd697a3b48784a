"""The real daemon in a child process: crawl, alert, status, SIGHUP, SIGTERM, the lock, --once."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scheduler import run_once
from tests.daemon import fake_runner
from tests.daemon.fixtures import PRESSWATCH, REPO, FeedSite, left_after_exit, running, tree
from tests.daemon.helpers import feed_source, make_config, write_config
from tests.delivery.conftest import SmtpServer

PASSWORD = "s3cret-Pa55word-never-shown"
RULE = {"id": "arms", "name": "Arms control", "query": "missile", "mode": "immediate"}


def _settings(smtp: SmtpServer) -> dict[str, Any]:
    return {
        "recipients": [{"id": "desk", "address": "desk@example.org"}],
        "rules": [RULE],
        "scheduler": {"jitter": "0s", "shutdown_grace": "2s"},
        "mail": {
            "transport": "smtp",
            "from": "presswatch <pw@example.net>",
            "smtp": {
                "host": smtp.host,
                "port": smtp.port,
                "security": "none",
                "password": PASSWORD,
                "timeout": "5s",
            },
        },
    }


def _presswatch(
    config: Path, *args: str, timeout: float = 180, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [*PRESSWATCH, "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environ,
        cwd=REPO,
        check=False,
    )


@pytest.fixture
def site() -> Any:
    with FeedSite(["Statement on missile tests", "Visit of the foreign minister"]) as fixture:
        yield fixture


def test_daemon_crawls_alerts_reloads_and_stops_cleanly(
    tmp_path: Path, site: FeedSite, smtp_server: SmtpServer
) -> None:
    config = tmp_path / "config"
    settings = _settings(smtp_server)
    write_config(config, sources=[feed_source("alpha", site.base + "/feed1.xml")], **settings)
    with running(config, tmp_path / "daemon.log") as daemon:
        daemon.wait_log("crawl alpha finished", timeout=120)
        daemon.wait_for(lambda: bool(smtp_server.handler.received), 20, "an immediate alert")
        assert b"missile" in smtp_server.handler.received[0].data

        status = _presswatch(config, "status", "--json")
        assert status.returncode == 0, status.stderr
        report = json.loads(status.stdout)
        assert report["daemon"]["running"] and report["daemon"]["pid"] == daemon.pid
        assert report["sources"][0]["last_run_at"] is not None
        assert report["recipients"][0]["next_digest_at"] is not None
        text = _presswatch(config, "status")
        assert PASSWORD not in status.stdout + status.stderr + text.stdout + text.stderr

        (config / "sources" / "main.yaml").write_text("sources: [{id: Bad Id, kind: rss}]")
        os.kill(daemon.pid, signal.SIGHUP)
        daemon.wait_log("reload failed, still running on the previous configuration")
        assert daemon.process.poll() is None

        sources = [
            feed_source(n, site.base + f"/feed{i}.xml") for i, n in enumerate(["alpha", "beta"])
        ]
        write_config(config, sources=sources, **settings)
        os.kill(daemon.pid, signal.SIGHUP)
        daemon.wait_log("configuration reloaded: added ['crawl:beta']")
        daemon.wait_for(lambda: bool(tree(daemon.pid)), 10, "beta's crawl process")
        children = tree(daemon.pid)
        assert daemon.stop(timeout=10) == 0
    assert left_after_exit(children, daemon.pid) == []
    assert "presswatch daemon stopped" in daemon.log()


def test_second_daemon_on_the_same_database_exits_1(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config", scheduler={"shutdown_grace": "1s"})
    with running(config, tmp_path / "daemon.log") as daemon:
        daemon.wait_log("presswatch daemon started")
        second = _presswatch(config, "run", timeout=30)
        assert second.returncode == 1
        assert f"another presswatch daemon uses this database: pid {daemon.pid} on this host" in (
            second.stderr
        )
        assert f"Stop it first: kill -TERM {daemon.pid}" in second.stderr
        assert " wait" not in second.stderr
        assert daemon.stop() == 0
    again = _presswatch(config, "run", "--once")  # the lease was released
    assert again.returncode == 0, again.stderr


def test_run_once_crawls_and_alerts(
    tmp_path: Path, site: FeedSite, smtp_server: SmtpServer
) -> None:
    config = tmp_path / "config"
    sources = [feed_source("alpha", site.base + "/feed1.xml")]
    write_config(config, sources=sources, **_settings(smtp_server))
    done = _presswatch(config, "run", "--once", "--digest")
    assert done.returncode == 0, done.stderr
    assert len(smtp_server.handler.received) == 2  # the immediate alert and the digest


def test_run_once_exits_1_when_every_crawl_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(
        tmp_path / "config", sources=[feed_source("alpha", "http://127.0.0.1:9/feed.xml")]
    )
    with caplog.at_level(logging.INFO, logger="presswatch.daemon"):
        assert run_once(config, crawls=fake_runner.run_crawls) == 1
    assert "every crawl failed" in caplog.text
