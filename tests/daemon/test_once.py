"""`run --once` (cron mode): retry due deliveries, crawl, send; exit 1 while mail is stuck."""

from __future__ import annotations

import time
from email import message_from_bytes
from pathlib import Path
from typing import Any

from tests.daemon.fixtures import FeedSite
from tests.daemon.helpers import feed_source, write_config
from tests.daemon.test_process import RULE, _presswatch
from tests.ledger.conftest import Server


def _settings(port: int) -> dict[str, Any]:
    return {
        "recipients": [{"id": "desk", "address": "desk@example.org"}],
        "rules": [RULE],
        "delivery": {"backoff_initial": "1s", "backoff_max": "1s"},
        "mail": {
            "transport": "smtp",
            "from": "presswatch <pw@example.net>",
            "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": "5s"},
        },
    }


def _kinds(server: Server) -> list[str]:
    return [str(message_from_bytes(r.data)["X-Presswatch-Kind"]) for r in server.handler.received]


def test_run_once_exits_1_while_the_mta_is_down_and_retries_once_it_is_up(
    tmp_path: Path, down_server: Server
) -> None:
    config = tmp_path / "config"
    with FeedSite(["Statement on missile tests"]) as site:
        sources = [feed_source("alpha", site.base + "/feed1.xml")]
        write_config(config, sources=sources, **_settings(down_server.port))

        down = _presswatch(config, "run", "--once", "--digest", timeout=240)
        assert down.returncode == 1, down.stderr  # cron mails the operator
        assert "still undelivered" in down.stderr
        assert "Traceback" not in down.stderr

        down_server.start()
        time.sleep(1.5)  # the 1 s backoff of both messages has passed
        site.titles = ["Visit of the foreign minister"]  # nothing new to alert about
        # no --digest: only the retry of due deliveries can send the digest
        up = _presswatch(config, "run", "--once", timeout=240)
        assert up.returncode == 0, up.stderr
        assert sorted(_kinds(down_server)) == ["alert", "digest"]

        again = _presswatch(config, "run", "--once", timeout=240)
        assert again.returncode == 0, again.stderr
    assert len(down_server.handler.received) == 2  # nothing sent twice
