"""The webhook notifier: a signed JSON POST following the Standard Webhooks convention.

Headers (https://www.standardwebhooks.com/): `webhook-id` (the delivery id, the same on
every retry, so a receiver de-duplicates on it), `webhook-timestamp` (Unix seconds of this
attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed
with the base64 part of the `whsec_...` secret.

Classification: 2xx accepted; 5xx, 408, 429, timeouts and connection errors are temporary
(the ledger retries with backoff); any other status (4xx, a redirect) is permanent. A reply
lost after the receiver took the body is temporary: the retry carries the same webhook-id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time
from urllib.parse import parse_qsl, unquote, urlsplit

from alerts.delivery import SendResult
from alerts.digest import Digest
from alerts.notify.base import Notifier, Rendered, Ticket, accepted
from alerts.notify.payload import delivery_id, digest_payload, test_payload
from alerts.notify.secrets import MIN_SECRET
from crawler.config.models import WebhookEndpoint
from crawler.errors import DeliveryError

TEMPORARY_STATUS = frozenset({408, 425, 429})
USER_AGENT = "presswatch-webhook/1"
MAX_REPLY = 2048
# A path segment this long is taken for a token (hook ids are 24-64 random characters).
TOKEN_LENGTH = 16


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for `body` under `secret` ("whsec_" + base64 key)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Whether one of the `v1,` signatures in `headers` matches (what a receiver does)."""
    expected = sign(secret, headers["webhook-id"], int(headers["webhook-timestamp"]), body)
    offered = headers.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


class WebhookNotifier(Notifier, kind="webhook"):
    """POSTs the digest or alert as JSON to one URL."""

    @property
    def settings(self) -> WebhookEndpoint:
        assert isinstance(self.endpoint, WebhookEndpoint)
        return self.endpoint

    def secrets(self) -> list[str]:
        """The signing secret, and what in the URL looks like a token: user and password,
        query values and long path segments (https://hooks.example/T0K3N...)."""
        secret = self.settings.secret
        found = [secret.get_secret_value()] if secret else []
        parts = urlsplit(self.settings.webhook)
        found += [parts.username or "", parts.password or ""]
        found += [value for _, value in parse_qsl(parts.query)]
        found += [segment for segment in parts.path.split("/") if len(segment) >= TOKEN_LENGTH]
        return [piece for piece in found if len(piece) >= MIN_SECRET]

    def describe(self) -> str:
        parts = urlsplit(self.settings.webhook)
        signed = "signed" if self.settings.secret else "unsigned"
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        where = f"{parts.scheme}://{host}{port}{parts.path or '/'}"
        return f"POST {self.context.redactor.redact(where)} ({signed})"

    def render(self, digest: Digest, ticket: Ticket) -> Rendered:
        body = digest_payload(digest, ticket, self.endpoint.key)
        summary = f"{digest.kind} with {digest.item_count} items"
        return Rendered(summary, _encode(body))

    def render_test(self, ticket: Ticket) -> Rendered:
        return Rendered("test", _encode(test_payload(ticket, self.endpoint.key)))

    def send(self, rendered: Rendered, ticket: Ticket) -> SendResult:
        assert isinstance(rendered.payload, bytes)
        webhook_id = delivery_id(ticket.message_id)
        headers = self._headers(webhook_id, rendered.payload)
        try:
            status, reason, reply = self._post(rendered.payload, headers)
        except (OSError, http.client.HTTPException) as exc:
            raise self.classify(exc) from exc
        where = self.describe()
        if 200 <= status < 300:
            return accepted(ticket.message_id, f"{where}: {status} {reason}")
        text = f"{where}: HTTP {status} {reason}{': ' + reply if reply else ''}"
        permanent = status < 500 and status not in TEMPORARY_STATUS
        raise DeliveryError(self.context.redactor.redact(text), permanent=permanent)

    def classify(self, exc: BaseException) -> DeliveryError:
        where = self.describe()
        if isinstance(exc, TimeoutError | socket.timeout):
            seconds = self.settings.timeout.total_seconds()
            return DeliveryError(f"{where}: no answer within {seconds:g}s")
        if isinstance(exc, ssl.SSLCertVerificationError):
            return DeliveryError(f"{where}: TLS certificate rejected: {exc.verify_message}")
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return DeliveryError(self.context.redactor.redact(f"{where}: {reason}"))

    def _headers(self, webhook_id: str, body: bytes) -> dict[str, str]:
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
        }
        if self.settings.secret is not None:
            secret = self.settings.secret.get_secret_value()
            headers["webhook-signature"] = sign(secret, webhook_id, timestamp, body)
        parts = urlsplit(self.settings.webhook)
        if parts.username:  # https://user:password@host/...: HTTP basic authentication
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        return headers

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, str]:
        """One POST (no redirects followed): status, reason and the start of the reply."""
        parts = urlsplit(self.settings.webhook)
        timeout = self.settings.timeout.total_seconds()
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            context = ssl.create_default_context()
            connection = http.client.HTTPSConnection(
                parts.netloc.rpartition("@")[2], timeout=timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(
                parts.netloc.rpartition("@")[2], timeout=timeout
            )
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            reply = response.read(MAX_REPLY).decode("utf-8", "replace")
            return response.status, response.reason, " ".join(reply.split())[:200]
        finally:
            connection.close()


def _encode(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
