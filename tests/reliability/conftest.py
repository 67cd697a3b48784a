"""Fixtures of the reliability tests: SMTP sink, PostgreSQL schemas with a known app name."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import _postgres_available
from tests.reliability.world import SmtpSink, drop_pg_schema, make_pg_schema


@dataclass(frozen=True)
class PgSchema:
    """A throw-away schema; `application_name` finds (only) its backends."""

    schema: str
    application_name: str
    url: str


@pytest.fixture
def pg_schema() -> Iterator[PgSchema]:
    """A fresh PostgreSQL schema (skips when the server is unreachable, fails in CI)."""
    if not _postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 (required in CI)")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema, name, url = make_pg_schema()
    try:
        yield PgSchema(schema, name, url)
    finally:
        drop_pg_schema(schema)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """A recording aiosmtpd server on 127.0.0.1."""
    server = SmtpSink.start()
    try:
        yield server
    finally:
        server.stop()
