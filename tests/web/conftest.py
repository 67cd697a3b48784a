"""Fixtures of the console tests: an archive on both databases and an app over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from crawler.web.app import create_app
from crawler.web.auth import Guard
from tests.web.fixtures import Archive, build_archive


@pytest.fixture
def archive(tmp_path: Path, database_url: str) -> Iterator[Archive]:
    built = build_archive(tmp_path, database_url)
    try:
        yield built
    finally:
        built.store.close()


@pytest.fixture
def client(archive: Archive) -> Iterator[TestClient]:
    """The console as served on 127.0.0.1: no login."""
    guard = Guard.from_config(archive.config.settings.web, "127.0.0.1")
    with TestClient(create_app(archive.config, archive.store, guard)) as test_client:
        yield test_client


@pytest.fixture
def remote_client(archive: Archive) -> Iterator[TestClient]:
    """The console as served on 127.0.0.2 (not 127.0.0.1/::1/localhost): login required."""
    guard = Guard.from_config(archive.config.settings.web, "127.0.0.2")
    app = create_app(archive.config, archive.store, guard)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client
