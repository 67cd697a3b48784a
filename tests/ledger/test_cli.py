"""`presswatch digest` and `presswatch notify test`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from crawler.cli.main import cli
from crawler.store.store import Store
from tests.delivery.conftest import free_port
from tests.ledger.conftest import Server
from tests.ledger.seed import ALICE, counts, parse, seed_matches, write_config


def _run(config_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config_dir), *args])
    return result.exit_code, result.output


def _setup(tmp_path: Path, port: int | None) -> tuple[Path, Store]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    config = write_config(tmp_path, port=port, database_url=url)
    return config.directory, Store.from_url(url)


def test_digest_dry_run_and_preview_touch_nothing(tmp_path: Path) -> None:
    config_dir, store = _setup(tmp_path, None)
    seed_matches(store, 2)
    before = counts(store)
    preview = tmp_path / "out" / "preview.html"
    code, output = _run(config_dir, "digest", "--dry-run", "--preview", str(preview))
    assert code == 0, output
    assert "alice: 2 items, dry-run, -" in output
    assert counts(store) == before
    assert "arms statement 0" in preview.read_text(encoding="utf-8")
    store.close()


def test_digest_sends_and_prints_one_line_per_recipient(tmp_path: Path, server: Server) -> None:
    config_dir, store = _setup(tmp_path, server.port)
    seed_matches(store, 1)
    code, output = _run(config_dir, "digest", "--recipient", ALICE)
    assert code == 0, output
    assert "\nalice: 1 item, sent, <pw." in output
    assert len(server.handler.received) == 1
    store.close()


def test_digest_exits_1_when_a_send_fails(tmp_path: Path) -> None:
    config_dir, store = _setup(tmp_path, free_port())
    code, output = _run(config_dir, "digest")
    assert code == 1
    assert "failed" in output
    store.close()


def test_digest_unknown_recipient_is_a_usage_error(tmp_path: Path) -> None:
    config_dir, store = _setup(tmp_path, None)
    code, output = _run(config_dir, "digest", "--recipient", "nobody")
    assert code == 2 and "unknown recipient" in output
    store.close()


def test_notify_test(tmp_path: Path, server: Server) -> None:
    config_dir, store = _setup(tmp_path, server.port)
    code, output = _run(config_dir, "notify", "test", "alice")
    assert code == 0, output
    assert [r.rcpt_tos for r in server.handler.received] == [(ALICE,)]
    message = parse(server.handler.received[0].data)
    assert message["MIME-Version"] == "1.0"
    text_part, html_part = message.get_payload()
    for part in (text_part, html_part):
        assert part["MIME-Version"] is None  # only the top-level message carries it
    html = html_part.get_payload(decode=True)
    assert html.lstrip().lower().startswith(b"<!doctype html>")
    assert b"</html>" in html and b"<title>" in html
    assert 0 < html.find(b'<meta charset="utf-8">') < 1024
    assert "If you can read it, delivery works" in text_part.get_content()
    store.close()


def test_notify_test_reports_the_transport_error(tmp_path: Path) -> None:
    config_dir, store = _setup(tmp_path, free_port())
    code, output = _run(config_dir, "notify", "test", "alice")
    assert code == 1
    assert "SMTP 127.0.0.1" in output
    store.close()
