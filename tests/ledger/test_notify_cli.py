"""`presswatch notify test RECIPIENT [--via KIND]` and `presswatch notify list`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from alerts.dispatch import deliver_digests
from alerts.notify.webhook import verify
from crawler.cli.main import cli
from crawler.config import load_config
from crawler.store.store import Store
from tests.delivery.receiver import Receiver
from tests.ledger.conftest import Server
from tests.ledger.seed import ALICE, NOW, parse, seed_matches, write_config

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
TOKEN = "tok-9f8e7d6c5b4a"


def _setup(tmp_path: Path, server: Server, hook: Receiver) -> Path:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    recipients = [
        {
            "id": "desk",
            "name": "Desk",
            "endpoints": [
                {"email": ALICE},
                {"apprise": hook.url("/chat/TOKEN", "json") + "?rto=3&cto=3"},
                {"webhook": hook.url("/hook"), "secret": SECRET},
            ],
        }
    ]
    config = write_config(tmp_path, port=server.port, database_url=url, recipients=recipients)
    settings = config.directory / "presswatch.yaml"
    settings.write_text(settings.read_text().replace("TOKEN", "${CHAT_TOKEN}"))
    Store.from_url(url).close()
    return config.directory


def _run(config_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config_dir), *args])
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_TOKEN", TOKEN)


def test_notify_test_tries_every_endpoint(tmp_path: Path, server: Server, hook: Receiver) -> None:
    config_dir = _setup(tmp_path, server, hook)
    code, output = _run(config_dir, "notify", "test", "desk")
    assert code == 0, output
    assert [r.rcpt_tos for r in server.handler.received] == [(ALICE,)]
    assert "If you can read it" in str(parse(server.handler.received[0].data))
    chat, webhook = hook.requests
    assert chat.path == f"/chat/{TOKEN}" and "Desk" in chat.json()["message"]
    assert verify(SECRET, webhook.headers, webhook.body)
    assert webhook.json()["type"] == "presswatch.test"
    sent = [line for line in output.splitlines() if line.startswith("sent <pw.")]
    assert [line.split()[2] for line in sent] == ["to", "via", "via"]
    assert f"to {ALICE}" in sent[0] and "via apprise: JSON: json://127.0.0.1:" in sent[1]
    assert "via webhook: POST http://127.0.0.1:" in sent[2] and "200 OK" in sent[2]
    assert TOKEN not in output


def test_notify_test_via_one_kind(tmp_path: Path, server: Server, hook: Receiver) -> None:
    config_dir = _setup(tmp_path, server, hook)
    code, output = _run(config_dir, "notify", "test", "desk", "--via", "webhook")
    assert code == 0, output
    assert [r.path for r in hook.requests] == ["/hook"] and not server.handler.received
    code, output = _run(config_dir, "notify", "test", "desk", "--via", "sms")
    assert code == 2 and 'no endpoint "sms"' in output
    assert "apprise (apprise)" in output


def test_a_failing_endpoint_exits_1_with_the_token_redacted(
    tmp_path: Path, server: Server, hook: Receiver
) -> None:
    config_dir = _setup(tmp_path, server, hook)
    hook.statuses = [403]
    code, output = _run(config_dir, "notify", "test", "desk", "--via", "apprise")
    assert code == 1
    assert "error: apprise: JSON: json://127.0.0.1:" in output and "403" in output
    assert TOKEN not in output


def test_notify_list_shows_endpoints_and_backlog(
    tmp_path: Path, server: Server, hook: Receiver
) -> None:
    config_dir = _setup(tmp_path, server, hook)
    config = load_config(config_dir, environ={"CHAT_TOKEN": TOKEN})
    store = Store.from_config(config)
    seed_matches(store, 2)
    hook.statuses = [500]  # the chat post of the digest
    deliver_digests(config, store, now=NOW)
    store.close()
    code, output = _run(config_dir, "notify", "list")
    assert code == 0, output
    for text in ("desk", "email", "apprise", "webhook", "digest, immediate", ALICE):
        assert text in output
    assert "POST http://127.0.0.1:" in output and "(signed)" in output
    assert "2 pending" not in output.split("webhook")[-1]  # the webhook got through
    assert "0 pending, 2 failed, 0 given up" in output
    assert "Internal Server Error" in output or "500" in output
    assert TOKEN not in output
