"""Digest and alert content: typed context, formatting filters and the Jinja renderer."""

from __future__ import annotations

from alerts.digest.model import (
    Digest,
    DigestItem,
    DigestKind,
    DigestSection,
    Health,
    Recipient,
    Snippet,
    SourceHealthLine,
)
from alerts.digest.render import DigestRenderer, RenderedMessage, build_environment

__all__ = [
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
    "build_environment",
]
