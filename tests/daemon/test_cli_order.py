"""`presswatch crawl` sends immediate alerts like the daemon; `digest` sends them first."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

from tests.daemon.fixtures import FeedSite
from tests.daemon.helpers import feed_source, write_config
from tests.daemon.test_process import _presswatch, _settings
from tests.delivery.conftest import SmtpServer


def _kinds(smtp: SmtpServer) -> list[str]:
    return [str(message_from_bytes(r.data)["X-Presswatch-Kind"]) for r in smtp.handler.received]


def test_crawl_sends_alerts_unless_told_not_to_and_digest_sends_them_first(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    config = tmp_path / "config"
    with FeedSite(["Statement on missile tests"]) as site:
        sources = [
            feed_source("alpha", site.base + "/feed1.xml"),
            feed_source("beta", site.base + "/feed2.xml"),
        ]
        write_config(config, sources=sources, **_settings(smtp_server))
        quiet = _presswatch(config, "crawl", "--no-alerts", "beta", timeout=240)
        assert quiet.returncode == 0, quiet.stderr
        assert smtp_server.handler.received == []

        crawled = _presswatch(config, "crawl", "alpha", timeout=240)
        assert crawled.returncode == 0, crawled.stderr
        # the item beta stored without alerting (alpha links to the same page: one item)
        assert "alert to desk: 1 item, sent" in crawled.stdout
        assert _kinds(smtp_server) == ["alert"]

        site.titles = ["Statement on missile tests", "Second statement on missile tests"]
        again = _presswatch(config, "crawl", "--no-alerts", timeout=240)
        assert again.returncode == 0, again.stderr
    digest = _presswatch(config, "digest", timeout=240)
    assert digest.returncode == 0, digest.stderr
    assert digest.stdout.splitlines()[0].startswith("desk: alert, 1 item, sent")
    assert _kinds(smtp_server) == ["alert", "alert", "digest"]
    text = message_from_bytes(smtp_server.handler.received[2].data).as_string()
    assert "already alerted" in text
