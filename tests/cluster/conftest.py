"""Cluster tests need the machine's Redis and PostgreSQL; each gets a Redis DB and schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster.world import (
    drop_schema,
    free_redis_db,
    make_schema,
    redis_available,
    release_redis_db,
)
from tests.conftest import _postgres_available


@pytest.fixture
def redis_db() -> Iterator[int]:
    if not redis_available():
        pytest.skip("Redis on 127.0.0.1:6379 is not running")
    number = free_redis_db()
    try:
        yield number
    finally:
        release_redis_db(number)


@pytest.fixture
def pg_schema() -> Iterator[tuple[str, str]]:
    if not _postgres_available():
        pytest.skip("PostgreSQL on 127.0.0.1:5432 is not available")
    schema, url = make_schema()
    try:
        yield schema, url
    finally:
        drop_schema(schema)
