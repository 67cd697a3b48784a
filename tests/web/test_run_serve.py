"""`presswatch run --serve`: the daemon with the console beside it, stopped by SIGTERM."""

from __future__ import annotations

import json
import socket
import urllib.parse
from pathlib import Path

from tests.web.browser import free_port
from tests.web.fixtures import SMTP_SECRET, build_archive, environment
from tests.web.process import get, served


def test_the_console_is_up_under_the_daemon_and_stops_with_it(tmp_path: Path) -> None:
    archive = build_archive(tmp_path, f"sqlite:///{tmp_path / 'presswatch.db'}")
    archive.store.close()
    port = free_port("127.0.0.1")
    settings = tmp_path / "config" / "presswatch.yaml"
    settings.write_text(settings.read_text() + f"  port: {port}\n", encoding="utf-8")
    args = ["--config", str(tmp_path / "config"), "run", "--serve"]
    with served(args, port, environment()) as daemon:
        query = urllib.parse.quote('"стратегическая стабильность"')
        status, html = get(f"{daemon.base}/search?q={query}")
        assert status == 200
        for url in ("https://ruritania.example/1", "https://ruritania.example/2"):
            assert f'href="/items/{archive.ids[url]}?q=' in html
        status, body = get(f"{daemon.base}/api/sources")
        assert status == 200
        assert [s["id"] for s in json.loads(body)["sources"]] == [
            "ruritania-mfa",
            "freedonia-mfa",
            "wire",
        ]
        assert SMTP_SECRET not in body
        assert daemon.stop() == 0, daemon.output
    assert "Traceback" not in daemon.output, daemon.output
    with socket.socket() as probe:  # the console went with the daemon
        assert probe.connect_ex(("127.0.0.1", port)) != 0
