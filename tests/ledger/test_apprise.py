"""Apprise endpoints through json:// and form:// against a local receiver, next to email and a
webhook for the same reader: the same matches through each, each retried on its own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from alerts.dispatch import deliver_digests, deliver_immediate, retry_due
from alerts.notify.webhook import verify
from crawler.store.schema import items
from crawler.store.store import Store
from tests.delivery.receiver import Receiver
from tests.ledger.conftest import Server
from tests.ledger.seed import ALICE, NOW, parse, seed_matches, text_of, write_config

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _chat_url(hook: Receiver, scheme: str, path: str) -> str:
    return hook.url(path, scheme) + "?rto=3&cto=3"


def _everything(hook: Receiver) -> list[dict[str, Any]]:
    return [
        {
            "id": "desk",
            "name": "Desk",
            "endpoints": [
                {"email": ALICE},
                {"name": "chat", "apprise": _chat_url(hook, "json", "/chat")},
                {"webhook": hook.url("/hook"), "secret": SECRET},
            ],
        }
    ]


def _urls(store: Store, ids: list[int]) -> set[str]:
    with store.connect() as connection:
        query = select(items.c.url).where(items.c.id.in_(ids))
        return set(connection.execute(query).scalars())


def test_email_chat_and_webhook_receive_the_same_matches(
    store: Store, tmp_path: Path, server: Server, hook: Receiver
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=_everything(hook))
    ids = seed_matches(store, 3)
    reports = deliver_digests(config, store, now=NOW)
    assert sorted((r.endpoint, r.status, r.items) for r in reports) == [
        ("chat", "sent", 3),
        ("email", "sent", 3),
        ("webhook", "sent", 3),
    ]
    urls = _urls(store, ids)
    chat = next(r for r in hook.requests if r.path.startswith("/chat")).json()
    webhook = next(r for r in hook.requests if r.path == "/hook")
    mail = text_of(parse(server.handler.received[0].data))
    assert verify(SECRET, webhook.headers, webhook.body)
    posted = {i["url"] for s in webhook.json()["sections"] for i in s["items"]}
    assert posted == urls
    assert all(f"]({url})" in chat["message"] for url in urls)
    assert all(url in mail for url in urls)
    assert "3 new" in chat["title"] and "Arms control" in chat["message"]


def test_form_urls_and_immediate_alerts(store: Store, tmp_path: Path, hook: Receiver) -> None:
    recipients = [
        {
            "id": "desk",
            "endpoints": [
                {"apprise": _chat_url(hook, "form", "/form"), "cadences": ["immediate"]},
            ],
        }
    ]
    config = write_config(tmp_path, recipients=recipients)
    seed_matches(store, 1, rule_id="nuclear")
    [alert] = deliver_immediate(config, store, now=NOW)
    assert (alert.endpoint, alert.channel, alert.status) == ("apprise", "immediate", "sent")
    form = hook.requests[0].form()
    assert form["title"].startswith("presswatch alert: Nuclear")
    assert "**Nuclear**" in form["message"] and "> the **arms** control talks" in form["message"]


def test_a_chat_outage_is_retried_without_resending_email_or_webhook(
    store: Store, tmp_path: Path, server: Server, hook: Receiver
) -> None:
    config = write_config(tmp_path, port=server.port, recipients=_everything(hook))
    seed_matches(store, 2)
    hook.statuses = [503]  # the first request: endpoints go in order email, chat, webhook
    reports = {r.endpoint: r for r in deliver_digests(config, store, now=NOW)}
    assert reports["chat"].status == "failed", reports
    assert reports["email"].status == reports["webhook"].status == "sent"
    assert "(failed)" in (reports["chat"].error or "")
    [retried] = retry_due(config, store, now=NOW + timedelta(minutes=2))
    assert (retried.endpoint, retried.status) == ("chat", "sent")
    assert len(server.handler.received) == 1
    assert [r.path.split("?")[0] for r in hook.requests] == ["/chat", "/hook", "/chat"]


def test_a_chat_400_is_permanent_and_the_url_token_is_redacted(
    store: Store, tmp_path: Path, hook: Receiver
) -> None:
    token = "s3cr3t-t0ken-4711"
    url = hook.url(f"/chat/{token}", "json") + "?rto=3&cto=3"
    config = write_config(tmp_path, recipients=[{"id": "desk", "endpoints": [{"apprise": url}]}])
    seed_matches(store, 1)
    hook.statuses = [400]
    [report] = deliver_digests(config, store, now=NOW)
    assert report.status == "failed" and "(dead)" in (report.error or ""), report
    assert token not in (report.error or "")
    assert retry_due(config, store, now=NOW + timedelta(days=1)) == []


def test_an_url_apprise_does_not_understand_is_permanent(store: Store, tmp_path: Path) -> None:
    recipients = [{"id": "desk", "endpoints": [{"apprise": "nosuchservice://token-123456"}]}]
    config = write_config(tmp_path, recipients=recipients)
    seed_matches(store, 1)
    [report] = deliver_digests(config, store, now=NOW)
    assert report.status == "failed" and "(dead)" in (report.error or "")
    assert "not understood by Apprise" in (report.error or "")
    assert "token-123456" not in (report.error or "")
