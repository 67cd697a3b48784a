"""The webhook body (the documented JSON schema) against a golden file, and its signature.

PRESSWATCH_UPDATE_GOLDEN=1 rewrites the file; review the diff before committing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

from alerts.notify.base import Ticket
from alerts.notify.payload import delivery_id, digest_payload
from alerts.notify.webhook import sign, verify
from crawler.config.models import RecipientConfig
from tests.delivery.test_chat_render import GOLDEN, check
from tests.digest.sample import full_digest

SECRET = "whsec_" + base64.b64encode(b"presswatch test key 32 bytes!!!!").decode()


def _ticket() -> Ticket:
    reader = RecipientConfig(id="desk", address="analyst@example.org")
    return Ticket("<pw.0123abcd@example.org>", datetime(2026, 11, 28, 3, tzinfo=UTC), reader)


def test_digest_payload_golden() -> None:
    body = digest_payload(full_digest(), _ticket(), "webhook")
    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    check(GOLDEN / "webhook-digest.json", text)
    assert body["id"] == delivery_id("<pw.0123abcd@example.org>") == "pw.0123abcd@example.org"
    assert body["item_count"] == 5 and len(body["sources"]["unhealthy"]) == 3


def test_signature_follows_standard_webhooks() -> None:
    body = b'{"type":"presswatch.test"}'
    signature = sign(SECRET, "msg_1", 1700000000, body)
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    expected = hmac.new(key, b"msg_1.1700000000." + body, hashlib.sha256).digest()
    assert signature == "v1," + base64.b64encode(expected).decode()
    headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000"}
    assert verify(SECRET, {**headers, "webhook-signature": f"v1,bogus {signature}"}, body)
    assert not verify(SECRET, {**headers, "webhook-signature": signature}, body + b" ")
