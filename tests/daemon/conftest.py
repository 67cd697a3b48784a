"""Daemon test fixtures: the SMTP test servers of the delivery and ledger tests."""

from __future__ import annotations

from tests.delivery.conftest import smtp_server
from tests.ledger.conftest import down_server

__all__ = ["down_server", "smtp_server"]
