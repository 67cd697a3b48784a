"""The issue's "done": after `presswatch demo --keep DIR`, `presswatch serve --config DIR/config`
finds the demo's statements by searching "стратегическая стабильность"."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

from tests.web.browser import free_port
from tests.web.process import get, presswatch, served


def test_serve_finds_the_demo_statements(tmp_path: Path) -> None:
    demo = presswatch("demo", "--keep", str(tmp_path))
    assert demo.returncode == 0, demo.stderr + demo.stdout
    port = free_port("127.0.0.1")
    config = str(tmp_path / "config")
    # As the issue spells it: --config after `serve` (the global --config works too).
    with served(["serve", "--config", config, "--port", str(port)], port) as server:
        query = urllib.parse.quote('"стратегическая стабильность"')
        status, html = get(f"{server.base}/search?q={query}")
        assert status == 200
        assert "Брифинг официального представителя МИД Руритании" in html
        assert "<mark>" in html
        status, body = get(f"{server.base}/api/search?q={query}")
        found = json.loads(body)
        assert found["index"] == "fts5" and found["index_query"]
        assert [r["source_id"] for r in found["results"]] == ["ruritania-mfa"]
        assert server.stop() == 0, server.output
