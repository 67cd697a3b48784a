"""Benchmark (`python -m bench.notify`): render a 500-item digest for chat (Telegram's
limits) and as webhook JSON, then POST 100 signed webhooks and 100 Apprise json:// messages
to a local receiver."""

from __future__ import annotations

import statistics
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from alerts.digest import build_environment
from alerts.notify import AppriseNotifier, NotifyContext, Ticket, WebhookNotifier
from alerts.notify.chat import ChatRenderer, Limits
from alerts.notify.payload import digest_payload
from bench.digest import make_digest
from crawler.config import Config
from crawler.config.models import (
    AppriseEndpoint,
    RecipientConfig,
    SettingsConfig,
    WebhookEndpoint,
)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
READER = RecipientConfig(id="desk", address="desk@example.org")


class _Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def timed(label: str, runs: int, action: Any) -> None:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    print(
        f"{label:<40} median {statistics.median(samples):7.1f} ms   "
        f"max {max(samples):7.1f} ms   ({runs} runs)"
    )


def main() -> None:
    digest = make_digest(500, 10)
    ticket = Ticket("<pw.bench@example.org>", datetime.now(UTC), READER)
    chat = ChatRenderer(build_environment(None))
    telegram = Limits(body=4096, title=0)
    timed("chat render, 500 items, 4,096 chars", 20, lambda: chat.render(digest, telegram))
    timed("webhook JSON, 500 items", 20, lambda: digest_payload(digest, ticket, "webhook"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    context = NotifyContext(Config(Path("."), SettingsConfig()))
    hook = WebhookNotifier(
        WebhookEndpoint(webhook=f"http://127.0.0.1:{port}/h", secret=SECRET), context
    )
    body = hook.render(digest, ticket)
    timed("webhook POST (signed, 500 items)", 100, lambda: hook.send(body, ticket))
    url = f"json://127.0.0.1:{port}/chat"
    apprise = AppriseNotifier(AppriseEndpoint(apprise=url), context)
    message = apprise.render(digest, ticket)
    timed("apprise json:// POST (chat summary)", 100, lambda: apprise.send(message, ticket))
    print(
        f"webhook body {len(body.payload):,} bytes; chat body {len(message.payload.body):,} chars"
    )
    httpd.shutdown()


if __name__ == "__main__":
    main()
