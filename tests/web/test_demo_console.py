"""The issue's "done": after `presswatch demo --keep DIR`, `presswatch serve --config DIR/config`
finds the demo's statements by searching "стратегическая стабильность"."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.web.browser import free_port

CODE = "from crawler.cli.main import main; main()"


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return int(response.status), response.read().decode("utf-8")


def _wait_until_up(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("presswatch serve did not come up")


def test_serve_finds_the_demo_statements(tmp_path: Path) -> None:
    demo = subprocess.run(
        [sys.executable, "-c", CODE, "demo", "--keep", str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert demo.returncode == 0, demo.stderr + demo.stdout
    port = free_port("127.0.0.1")
    config = str(tmp_path / "config")
    server = subprocess.Popen(
        [sys.executable, "-c", CODE, "--config", config, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/api", server)
        query = urllib.parse.quote('"стратегическая стабильность"')
        status, html = _get(f"{base}/search?q={query}")
        assert status == 200
        assert "Брифинг официального представителя МИД Руритании" in html
        assert "<mark>" in html
        status, body = _get(f"{base}/api/search?q={query}")
        found = json.loads(body)
        assert found["index"] == "fts5" and found["index_query"]
        assert [r["source_id"] for r in found["results"]] == ["ruritania-mfa"]
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
