"""The redactor: secrets (and their URL-quoted forms) never reach logs or error texts."""

from __future__ import annotations

import logging

import pytest

from alerts.notify.secrets import REDACTED, Redactor


def test_redacts_plain_and_quoted_forms_longest_first() -> None:
    redactor = Redactor()
    redactor.add("tok/en 1234", "abc", "tok/en")
    text = "url json://h/tok/en 1234 and tok%2Fen%201234 and tok/en; abc stays"
    assert (
        redactor.redact(text) == f"url json://h/{REDACTED} and {REDACTED} and {REDACTED}; abc stays"
    )


def test_log_records_are_redacted_through_the_filter(caplog: pytest.LogCaptureFixture) -> None:
    redactor = Redactor()
    redactor.add("s3cr3t-token")
    caplog.handler.addFilter(redactor.filter())
    logging.getLogger("apprise").warning("posting to %s failed", "json://h/s3cr3t-token")
    assert caplog.messages == [f"posting to json://h/{REDACTED} failed"]
