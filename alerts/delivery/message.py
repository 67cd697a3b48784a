"""Turn a rendered digest or alert into a MIME message with safe, RFC 2047-encoded headers."""

from __future__ import annotations

import email.policy
import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from alerts.digest.render import RenderedMessage
from crawler.errors import DeliveryError

# 7-bit transfer encodings for bodies (qp or base64), CRLF lines, RFC 2047 for headers.
POLICY = email.policy.SMTP.clone(cte_type="7bit")
MAX_HEADER_CHARS = 400
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$")
_WHITESPACE = re.compile(r"\s+")


def sanitize_header(value: str, max_chars: int = MAX_HEADER_CHARS) -> str:
    """One line of text: control and line-separator characters (CR, LF, NUL, U+2028...)
    become spaces, whitespace runs collapse, and the result is cut to `max_chars`."""
    cleaned = "".join(" " if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} else ch for ch in value)
    return _WHITESPACE.sub(" ", cleaned).strip()[:max_chars]


def make_message_id(key: str, domain: str) -> str:
    """A Message-ID that depends only on `key` (e.g. "digest:<installation>:<recipient>:<batch
    id>"), so a retry of the same batch reuses it and receivers can de-duplicate."""
    host = domain.strip().lower().rstrip(".")
    if not _DOMAIN.match(host) or ".." in host:
        raise ValueError(f"invalid Message-ID domain {domain!r}")
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<pw.{digest}@{host}>"


def parse_address(value: str, name: str | None = None) -> Address:
    """An `Address` from "Name <a@b>" or "a@b"; `name` wins over a name in `value`."""
    display, addr = parseaddr(sanitize_header(value))
    if "@" not in addr:
        raise DeliveryError(f"invalid email address {sanitize_header(value)!r}", permanent=True)
    display = sanitize_header(name) if name else display
    try:
        return Address(display_name=display, addr_spec=addr)
    except (ValueError, IndexError) as exc:
        raise DeliveryError(f"invalid email address {addr!r}: {exc}", permanent=True) from exc


def address_domain(value: str) -> str:
    """The domain of an address, e.g. for Message-IDs and List-Id."""
    return parse_address(value).domain.lower() or "localhost"


def message_id_domain(from_address: str, configured: str | None = None) -> str:
    """The right-hand side of Message-IDs: `mail.message_id_domain`, else the From domain."""
    return configured or address_domain(from_address)


def encode_subject(subject: str) -> str:
    """RFC 2047 encoded words for a non-ASCII subject, each word's spaces kept inside it.

    The modern folder of Python 3.11 can move a space between two encoded words into the
    folding whitespace, where decoders drop it ("استحکام پر" came back as "استحکامپر"), so
    non-ASCII subjects are encoded with the legacy `Header` class instead.
    """
    if subject.isascii():
        return subject
    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")


def build_message(
    rendered: RenderedMessage,
    *,
    from_address: str,
    to_address: str,
    to_name: str | None,
    reply_to: str | None,
    message_id: str,
    date: datetime | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) ready for any `Transport`."""
    msg = EmailMessage(policy=POLICY)
    sender = parse_address(from_address)
    msg["From"] = sender
    msg["To"] = parse_address(to_address, to_name)
    if reply_to:
        msg["Reply-To"] = parse_address(reply_to)
    msg.set_raw("Subject", encode_subject(sanitize_header(rendered.subject)))
    msg["Date"] = format_datetime(date or datetime.now(UTC))
    msg["Message-ID"] = sanitize_header(message_id)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg["List-Id"] = f"presswatch {rendered.kind}s <{rendered.kind}.presswatch.{sender.domain}>"
    msg["X-Presswatch-Kind"] = rendered.kind
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    # base64 for HTML: as compact as quoted-printable for inlined markup, and 10x faster to encode
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="base64")
    for part in msg.iter_parts():
        del part["MIME-Version"]  # add_alternative copies it into the part; it belongs on top
    return msg


def envelope(msg: EmailMessage) -> tuple[str, list[str]]:
    """The SMTP envelope of `msg`: the From address and every To/Cc address."""
    sender = msg["From"].addresses[0].addr_spec
    rcpts = [a.addr_spec for field in ("To", "Cc") if msg[field] for a in msg[field].addresses]
    if not rcpts:
        raise DeliveryError("message has no recipients", permanent=True)
    return sender, rcpts
