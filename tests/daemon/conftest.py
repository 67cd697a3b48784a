"""Daemon test fixtures: the SMTP test server of the delivery tests."""

from __future__ import annotations

from tests.delivery.conftest import smtp_server

__all__ = ["smtp_server"]
