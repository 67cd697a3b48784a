"""Hostile servers are bounded and isolated; hostile text escaped; the SMTP password secret."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import insert, update

from alerts.dispatch import deliver_digests, deliver_immediate
from crawler.store.schema import items, sources
from crawler.store.store import Store
from tests.conftest import REPO_ROOT
from tests.crawl.conftest import crawl, source_row
from tests.ledger.seed import add_item, add_match, write_config
from tests.sites import HOSTILE, FixtureSiteServer, Site, build_listing_site, listing_source
from tests.sites import write_config as write_site_config
from tests.sites.hostile import add_hostile_endpoints, huge_stream

FIVE_GB = 5 * 1024**3
SECRET = "S3cr3t-pw-7f1c9e"
HOSTILE_TITLES = [
    "<script>alert(1)</script> arms",
    '"><img src=x onerror=alert(1)> arms',
    "arms talks\r\nBcc: victim@example.net\r\nX-Evil: 1",
]


def _endless() -> Iterator[bytes]:
    yield from huge_stream(FIVE_GB)  # lazily, 64 KiB at a time: never allocated


def test_hostile_sources_are_bounded_marked_and_isolated(tmp_path: Path) -> None:
    site = build_listing_site(Site())
    add_hostile_endpoints(site, drip_interval=0.5)
    site.add("/hostile/5gb.html", stream=_endless, length=FIVE_GB)
    with FixtureSiteServer(site) as server:
        bad = {
            "slowloris": HOSTILE["slowloris"],
            "five-gb": "/hostile/5gb.html",
            "loop": HOSTILE["loop"],
        }
        srcs = [listing_source(server, k, urls=[server.url(v)]) for k, v in bad.items()]
        srcs += [
            listing_source(server, "good"),
            listing_source(server, "private", allow_private_addresses=False),
        ]
        settings = {
            "crawl": {
                "parallel_sources": 5,
                "timeout": "3s",
                "retries": 0,
                "max_download_size": "1MB",
                "allow_private_addresses": False,
                "source_timeout": "60s",
            }
        }
        started = time.monotonic()
        config, runs = crawl(write_site_config(tmp_path, srcs, settings=settings))
        elapsed = time.monotonic() - started
    assert elapsed < 60, elapsed
    assert runs["good"].health == "ok" and runs["good"].items_new == 10
    for source_id in (*bad, "private"):
        assert runs[source_id].health == "error", runs[source_id]
        assert source_row(config, source_id).health == "error"
        assert runs[source_id].items_new == 0
    detail = (source_row(config, "private").health_detail or "").lower()
    assert "private" in detail or "127.0.0.1" in detail, detail


def _hostile_store(config_root: Path, port: int | None) -> tuple[object, Store]:
    rules = [
        {"id": "arms", "name": "Arms <b>control</b>", "query": "arms", "mode": "immediate"},
    ]
    config = write_config(config_root, port=port, rules=rules)
    store = Store.from_config(config)
    with store.begin() as connection:
        connection.execute(
            insert(sources).values(
                id="mofa",
                kind="feed",
                name="Evil\r\nBcc: x@example.net",
                health="ok",
                created_at=__import__("datetime").datetime.now(__import__("datetime").UTC),
            )
        )
        for title in HOSTILE_TITLES:
            item_id = add_item(connection, title)
            add_match(connection, item_id, "arms")
        js = add_item(connection, "arms link")
        connection.execute(update(items).where(items.c.id == js).values(url="javascript:alert(1)"))
        add_match(connection, js, "arms")
    return config, store


def test_hostile_titles_are_escaped_and_cannot_inject_headers(tmp_path: Path) -> None:
    config, store = _hostile_store(tmp_path, None)
    try:
        deliver_immediate(config, store)  # type: ignore[arg-type]
        deliver_digests(config, store)  # type: ignore[arg-type]
    finally:
        store.close()
    files = sorted((tmp_path / "data" / "outbox").glob("*.eml"))
    assert files
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message["Bcc"] is None and message["X-Evil"] is None
        for name, value in message.items():
            assert "\r" not in str(value) and "\n" not in str(value).strip(), (name, value)
        html_part = message.get_body(preferencelist=("html",))
        assert html_part is not None
        html = str(html_part.get_content())
        assert "<script>" not in html and "<img" not in html
        assert "onerror=alert" not in html.replace("&#34;", '"') or "&lt;img" in html
        assert 'href="javascript:' not in html.lower()
        assert "<b>control</b>" not in html


def _cli(config_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRESSWATCH_SMTP_PASSWORD": SECRET, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [str(Path(sys.executable).parent / "presswatch"), "--debug", "--log-format", "json",
         "--config", str(config_dir), *args],
        capture_output=True, text=True, env=env, timeout=120, cwd=REPO_ROOT, check=False,
    )  # fmt: skip


def test_smtp_password_never_appears_anywhere(tmp_path: Path) -> None:
    config = write_config(tmp_path, port=1)  # nothing listens on port 1: the send fails
    settings_file = config.directory / "presswatch.yaml"
    settings = json.loads(settings_file.read_text(encoding="utf-8"))
    settings["mail"]["smtp"].update(username="pw", password="${PRESSWATCH_SMTP_PASSWORD}")
    settings_file.write_text(json.dumps(settings), encoding="utf-8")
    outputs = [
        _cli(config.directory, *args)
        for args in (
            ["check-config"],
            ["digest"],
            ["notify", "test", "alice"],
            ["run", "--once", "--digest"],
            ["status"],
            ["status", "--json"],
        )
    ]
    assert outputs[0].returncode == 0, outputs[0].stderr
    assert outputs[1].returncode == 1  # the send failed, and said so
    for result in outputs:
        assert SECRET not in result.stdout + result.stderr, result.args
