"""A recipient with several endpoints: each gets the same matches and is retried on its own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from alerts import ledger
from alerts.dispatch import deliver_digests, deliver_immediate, retry_due
from alerts.notify.webhook import verify
from crawler.daemon.render import to_text
from crawler.daemon.status import collect_status
from crawler.store.schema import deliveries, messages
from crawler.store.store import Store
from tests.delivery.receiver import Receiver
from tests.ledger.conftest import Server
from tests.ledger.seed import ALICE, NOW, parse, seed_matches, text_of, write_config

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _desk(hook: Receiver, **webhook: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": "desk",
            "name": "Desk",
            "endpoints": [
                {"email": ALICE},
                {"webhook": hook.url(), "secret": SECRET, "timeout": "2s", **webhook},
            ],
        }
    ]


def _by_endpoint(store: Store, column: str = "status") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with store.connect() as connection:
        for endpoint, value in connection.execute(
            select(messages.c.endpoint, messages.c[column]).order_by(messages.c.id)
        ):
            out.setdefault(endpoint, []).append(value)
    return out


def test_email_and_webhook_receive_the_same_matches(
    store: Store, tmp_path: Path, server: Server, hook: Receiver
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=_desk(hook))
    ids = seed_matches(store, 3)
    reports = deliver_digests(config, store, now=NOW)
    assert sorted((r.endpoint, r.status, r.items) for r in reports) == [
        ("email", "sent", 3),
        ("webhook", "sent", 3),
    ]
    [mail] = server.handler.received
    [post] = hook.requests
    assert verify(SECRET, post.headers, post.body)
    body = post.json()
    assert body["type"] == "presswatch.digest" and body["item_count"] == 3
    assert post.headers["webhook-id"] == body["id"]
    posted = sorted(int(item["id"]) for s in body["sections"] for item in s["items"])
    assert posted == sorted(ids)
    assert body["sections"][0]["items"][0]["snippets"][0]["highlights"] == [[4, 8]]
    assert "sources" in body and body["sources"]["unhealthy"] == []
    assert str(parse(mail.data)["Message-ID"]).strip("<>") != body["id"]  # one id per endpoint
    with store.connect() as connection:
        rows = connection.execute(select(deliveries.c.endpoint, deliveries.c.status)).all()
    assert sorted(rows) == [("email", "sent")] * 3 + [("webhook", "sent")] * 3


def test_a_503_is_retried_without_resending_the_email(
    store: Store, tmp_path: Path, server: Server, hook: Receiver
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=_desk(hook))
    seed_matches(store, 2)
    hook.statuses = [503]
    reports = {r.endpoint: r for r in deliver_digests(config, store, now=NOW)}
    assert reports["email"].status == "sent"
    assert reports["webhook"].status == "failed" and "HTTP 503" in (reports["webhook"].error or "")
    assert retry_due(config, store, now=NOW + timedelta(seconds=30)) == []  # backoff: 1 min
    [retried] = retry_due(config, store, now=NOW + timedelta(minutes=2))
    assert (retried.endpoint, retried.status) == ("webhook", "sent")
    assert len(server.handler.received) == 1  # the email went once
    first, second = hook.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert verify(SECRET, second.headers, second.body)
    assert _by_endpoint(store) == {"email": ["sent"], "webhook": ["sent"]}


def test_a_400_is_permanent_and_not_retried(
    store: Store, tmp_path: Path, server: Server, hook: Receiver
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=_desk(hook))
    seed_matches(store, 1)
    hook.statuses = [400]
    reports = {r.endpoint: r for r in deliver_digests(config, store, now=NOW)}
    assert reports["webhook"].status == "failed"
    assert "(dead)" in (reports["webhook"].error or "")
    assert retry_due(config, store, now=NOW + timedelta(days=1)) == []
    assert len(hook.requests) == 1
    assert _by_endpoint(store) == {"email": ["sent"], "webhook": ["dead"]}
    with store.connect() as connection:
        [entry] = [e for e in ledger.summarize_endpoints(connection) if e.endpoint == "webhook"]
    assert entry.dead == 1 and entry.last_error is not None
    assert entry.last_error.startswith("permanent: POST http://127.0.0.1:")
    assert "HTTP 400" in entry.last_error


def test_a_timeout_is_temporary(store: Store, tmp_path: Path, hook: Receiver) -> None:
    recipients = [{"id": "desk", "endpoints": [{"webhook": hook.url(), "timeout": "1s"}]}]
    config = write_config(tmp_path, recipients=recipients)
    seed_matches(store, 1)
    hook.delay = 2.0
    [report] = deliver_digests(config, store, now=NOW)
    assert report.status == "failed" and "no answer within 1s" in (report.error or "")
    assert "(failed)" in (report.error or "")
    hook.delay = 0.0
    [retried] = retry_due(config, store, now=NOW + timedelta(minutes=2))
    assert retried.status == "sent"
    assert "webhook-signature" not in hook.requests[-1].headers  # no secret: unsigned


def test_cadences_per_endpoint(
    store: Store, tmp_path: Path, server: Server, hook: Receiver
) -> None:
    """The webhook takes immediate alerts only; the email only digests."""
    recipients = [
        {
            "id": "desk",
            "endpoints": [
                {"email": ALICE, "cadences": ["digest"]},
                {"webhook": hook.url(), "cadences": ["immediate"]},
            ],
        }
    ]
    config = write_config(tmp_path, port=server.port, recipients=recipients)
    seed_matches(store, 1, rule_id="nuclear")
    [alert] = deliver_immediate(config, store, now=NOW)
    assert (alert.endpoint, alert.channel, alert.status) == ("webhook", "immediate", "sent")
    assert hook.requests[0].json()["type"] == "presswatch.alert"
    [digest] = deliver_digests(config, store, now=NOW + timedelta(minutes=5))
    assert (digest.endpoint, digest.channel, digest.status) == ("email", "digest", "sent")
    assert len(hook.requests) == 1 and len(server.handler.received) == 1


def test_the_short_form_is_one_email_endpoint(store: Store, tmp_path: Path, server: Server) -> None:
    config = write_config(tmp_path, port=server.port, recipients=[{"address": ALICE}])
    seed_matches(store, 1, rule_id="nuclear")
    reports = deliver_digests(config, store, now=NOW)
    assert [(r.endpoint, r.channel) for r in reports] == [
        ("email", "immediate"),
        ("email", "digest"),
    ]


def test_status_shows_the_backlog_per_endpoint(
    store: Store, database_url: str, tmp_path: Path, server: Server, hook: Receiver
) -> None:
    config = write_config(
        tmp_path, port=server.port, recipients=_desk(hook), database_url=database_url
    )
    seed_matches(store, 2)
    hook.statuses = [503]
    deliver_digests(config, store, now=NOW)
    report = collect_status(config, store, NOW + timedelta(seconds=5))
    [backlog] = report.backlog
    assert backlog.last_error_channel == "digest via webhook"
    assert "HTTP 503" in (backlog.last_error or "")
    [endpoint] = backlog.endpoints
    assert (endpoint.endpoint, endpoint.failed, endpoint.pending) == ("webhook", 2, 0)
    text = to_text(report)
    assert "last error (digest via webhook): POST http://127.0.0.1:" in text
    assert "  desk via webhook: 0 pending, 2 failed, 0 given up" in text
    with store.connect() as connection:
        lines = ledger.endpoint_backlog_lines(ledger.summarize_endpoints(connection), str)
    assert lines[1:3] == [
        "backlog per endpoint:",
        "  desk via webhook: 0 pending, 2 failed, 0 given up",
    ]
    assert lines[3].startswith("    last error (digest): POST http://127.0.0.1:")


def test_tokens_in_a_webhook_url_are_redacted(store: Store, tmp_path: Path, hook: Receiver) -> None:
    token = "T0K3Nabcdef0123456789"
    url = hook.url(f"/hooks/{token}") + "?key=qs-secret-value"
    config = write_config(tmp_path, recipients=[{"id": "desk", "endpoints": [{"webhook": url}]}])
    seed_matches(store, 1)
    hook.statuses = [404]
    [report] = deliver_digests(config, store, now=NOW)
    assert "HTTP 404" in (report.error or "") and "/hooks/***" in (report.error or "")
    assert token not in (report.error or "") and "qs-secret-value" not in (report.error or "")
    assert hook.requests[0].path == f"/hooks/{token}?key=qs-secret-value"
    with store.connect() as connection:
        stored = connection.execute(select(messages.c.last_error)).scalar_one()
    assert token not in stored


def test_a_reader_without_address_is_found_by_its_endpoint_email(
    store: Store, tmp_path: Path, server: Server, hook: Receiver
) -> None:
    rules = [{"id": "arms", "name": "Arms control", "query": "arms", "recipients": [ALICE]}]
    recipients = [*_desk(hook), {"address": "other@example.org"}]
    config = write_config(tmp_path, port=server.port, recipients=recipients, rules=rules)
    seed_matches(store, 1)
    reports = deliver_digests(config, store, recipient=ALICE.upper(), now=NOW)
    assert sorted((r.recipient, r.endpoint, r.items) for r in reports) == [
        ("desk", "email", 1),
        ("desk", "webhook", 1),
    ]
    [mail] = server.handler.received
    message = parse(mail.data)
    assert str(message["To"]) == f"Desk <{ALICE}>"
    assert "Daily digest for Desk," in text_of(message)


def test_dry_run_renders_every_endpoint_and_records_nothing(
    store: Store, tmp_path: Path, server: Server, hook: Receiver
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=_desk(hook))
    seed_matches(store, 2)
    preview = tmp_path / "preview.html"
    reports = deliver_digests(config, store, now=NOW, dry_run=True, preview=preview)
    assert sorted((r.endpoint, r.status, r.items) for r in reports) == [
        ("email", "dry-run", 2),
        ("webhook", "dry-run", 2),
    ]
    assert "arms statement 0" in preview.read_text(encoding="utf-8")
    assert not hook.requests and not server.handler.received
    assert _by_endpoint(store) == {}


def test_a_disabled_endpoint_keeps_its_messages_for_later(
    store: Store, tmp_path: Path, server: Server, hook: Receiver
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=_desk(hook))
    seed_matches(store, 1)
    hook.statuses = [503]
    deliver_digests(config, store, now=NOW)
    paused = _desk(hook)
    paused[0]["endpoints"][1]["enabled"] = False
    config = write_config(tmp_path, port=server.port, recipients=paused)
    assert retry_due(config, store, now=NOW + timedelta(minutes=2)) == []
    assert _by_endpoint(store)["webhook"] == ["pending"]  # claimed, left for later
    config = write_config(tmp_path, port=server.port, recipients=_desk(hook))
    later = NOW + timedelta(minutes=2) + ledger.LEASE + timedelta(minutes=1)
    [sent] = retry_due(config, store, now=later)
    assert (sent.endpoint, sent.status) == ("webhook", "sent")
