"""Redaction of secrets (Apprise URL tokens, webhook keys, ${VAR} values) from any text."""

from __future__ import annotations

import logging

REDACTED = "***"
# Shorter values would blank out ordinary words ("on", "443") wherever they appear.
MIN_SECRET = 4


class Redactor:
    """Replaces every registered secret (and its URL-quoted form) with `***`."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, *secrets: str) -> None:
        from urllib.parse import quote

        for secret in secrets:
            if len(secret) >= MIN_SECRET:
                self._secrets.update({secret, quote(secret, safe=""), quote(secret)})

    def redact(self, text: str) -> str:
        """`text` with each secret replaced, longest first (a token inside a URL)."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def filter(self) -> RedactingFilter:
        """A logging filter that redacts records (Apprise logs the URLs it posts to)."""
        return RedactingFilter(self)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with its secrets redacted."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redactor.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
