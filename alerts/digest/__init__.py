"""Digest and alert content: typed context, formatting filters and the Jinja renderer."""

from __future__ import annotations

from alerts.digest.model import (
    ChangeNotice,
    Digest,
    DigestItem,
    DigestKind,
    DigestSection,
    Health,
    Recipient,
    Snippet,
    SourceHealthLine,
    WithdrawalNotice,
)
from alerts.digest.render import DigestRenderer, RenderedMessage, build_environment

__all__ = [
    "ChangeNotice",
    "Digest",
    "DigestItem",
    "DigestKind",
    "DigestRenderer",
    "DigestSection",
    "Health",
    "Recipient",
    "RenderedMessage",
    "Snippet",
    "SourceHealthLine",
    "WithdrawalNotice",
    "build_environment",
]
