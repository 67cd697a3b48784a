"""MIME structure, encoded headers, stable Message-IDs and header-injection safety."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from alerts.delivery import build_message, make_message_id, sanitize_header
from crawler.errors import DeliveryError

from .helpers import CHINESE, RUSSIAN, URDU, message, rendered


def reparse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_multipart_alternative_text_first_then_html() -> None:
    parsed = reparse(message())
    assert parsed.get_content_type() == "multipart/alternative"
    parts = list(parsed.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert RUSSIAN in parts[0].get_content() and CHINESE in parts[1].get_content()


def test_raw_message_is_seven_bit_with_crlf() -> None:
    raw = message().as_bytes()
    assert raw.isascii()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_headers() -> None:
    parsed = reparse(message())
    assert parsed["From"] == "presswatch <presswatch@example.net>"
    assert parsed["To"] == "Ayesha Khan <analyst@example.org>"
    assert parsed["Reply-To"] == "desk@example.net"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["X-Presswatch-Kind"] == "digest"
    assert parsed["List-Id"] == "presswatch digests <digest.presswatch.example.net>"
    assert parsed["Date"] == "Sat, 28 Nov 2026 03:00:00 +0000"
    assert parsed["Message-ID"] == make_message_id("digest:analyst:1", "example.net")


@pytest.mark.parametrize("title", [RUSSIAN, URDU, CHINESE, f"{RUSSIAN} {URDU} {CHINESE} " * 3])
def test_subject_is_rfc2047_encoded_and_decodes_back(title: str) -> None:
    subject = f"presswatch alert: Strategic stability - {title}".strip()
    raw = message(subject=subject).as_bytes()
    assert b"=?utf-8?" in raw
    assert reparse(message(subject=subject))["Subject"] == subject


@pytest.mark.parametrize("name", [RUSSIAN[:19], URDU[:19], CHINESE[:8]])
def test_display_name_is_encoded_and_decodes_back(name: str) -> None:
    parsed = reparse(message(to_name=name))
    assert parsed["To"].addresses[0].display_name == name
    assert parsed["To"].addresses[0].addr_spec == "analyst@example.org"


def test_long_ascii_subject_is_folded_not_cut() -> None:
    subject = "presswatch: 12 new on " + ", ".join(["Strategic stability"] * 8)
    raw = message(subject=subject).as_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    assert reparse(message(subject=subject))["Subject"] == subject


def test_title_cannot_inject_headers() -> None:
    hostile = "Statement\r\nBcc: victim@example.org\r\nX-Evil: 1"
    parsed = reparse(message(subject=hostile, to_name="Eve\r\nCc: victim@example.org"))
    assert parsed["Bcc"] is None and parsed["Cc"] is None and parsed["X-Evil"] is None
    assert parsed["Subject"] == "Statement Bcc: victim@example.org X-Evil: 1"
    assert b"victim" not in b"".join(k.encode() for k in parsed)


def test_sanitize_header_collapses_controls_and_separators() -> None:
    assert sanitize_header(" a\r\n\tb\x00c\u2028d\u0085e ") == "a b c d e"
    assert sanitize_header("x" * 1000, max_chars=10) == "x" * 10
    assert sanitize_header("خارجہ\u200c") == "خارجہ\u200c"  # ZWNJ kept: it is part of words


def test_message_id_is_stable_and_distinct() -> None:
    first = make_message_id("digest:ayesha:42", "example.net")
    assert first == make_message_id("digest:ayesha:42", "Example.NET.")
    assert first != make_message_id("digest:ayesha:43", "example.net")
    assert first.startswith("<pw.") and first.endswith("@example.net>")


@pytest.mark.parametrize("domain", ["", "exa mple.org", "a\r\nb", "a..b"])
def test_message_id_rejects_bad_domains(domain: str) -> None:
    with pytest.raises(ValueError, match="domain"):
        make_message_id("k", domain)


def test_invalid_address_is_a_permanent_delivery_error() -> None:
    with pytest.raises(DeliveryError) as info:
        build_message(
            rendered(),
            from_address="presswatch@example.net",
            to_address="not an address",
            to_name=None,
            reply_to=None,
            message_id="<x@example.net>",
        )
    assert info.value.permanent
