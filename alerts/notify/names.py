"""File names of the Atom feeds under <data_dir>/feeds/ (shared by the feed writer and the
links that chat messages give for "and N more")."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def safe_part(value: str) -> str:
    """A lower-case file-name-safe form of an id or address ("a@b.org" -> "a_b.org")."""
    return _UNSAFE.sub("_", value.lower()).strip("._") or "feed"


def rule_feed_name(rule_id: str) -> str:
    return f"rule-{safe_part(rule_id)}.atom"


def recipient_feed_name(recipient_key: str) -> str:
    return f"recipient-{safe_part(recipient_key)}.atom"
