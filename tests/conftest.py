"""Shared pytest fixtures: the real-world corpus location and temporary config dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.store.store import Store

REPO_ROOT = Path(__file__).resolve().parents[1]
# The shared real-world corpus: $PRESSWATCH_CORPUS, else ../shared/corpus next to the clone.
CORPUS_DIR = Path(os.environ.get("PRESSWATCH_CORPUS") or REPO_ROOT.parent / "shared" / "corpus")

# Fixture sites (a local HTTP server with generated and hostile sites) for every test.
pytest_plugins = ["tests.sites.plugin"]


def require_corpus(path: Path) -> Path:
    """`path` in the corpus; a test without it skips, except in CI (CI=true) where it fails:
    a corpus missing there would silently drop the tests against real pages."""
    if not path.exists():
        why = f"real-world corpus not found at {path} (set PRESSWATCH_CORPUS)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why}: required in CI")
        pytest.skip(why)
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared real-world corpus (skips when absent, fails in CI)."""
    return require_corpus(CORPUS_DIR)


POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_available() -> bool:
    import os

    if os.environ.get("PRESSWATCH_SKIP_POSTGRES") == "1":
        return False
    try:
        import psycopg

        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3
        ):
            return True
    except Exception:
        return False


def make_postgres_schema(prefix: str = "pwtest") -> tuple[str, str]:
    """Create a fresh schema; return (schema name, a URL whose search_path is that schema)."""
    import uuid

    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True
    ) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    return schema, f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


def drop_postgres_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True
    ) as c:
        c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: SQLite in tmp_path, or a new PostgreSQL schema.

    In CI (CI=true) PostgreSQL must be reachable: the tests fail instead of skipping.
    """
    import os

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'presswatch.db'}"
        return
    if not _postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 (required in CI)")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema, url = make_postgres_schema()
    try:
        yield url
    finally:
        drop_postgres_schema(schema)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """An open, migrated Store on a fresh database (both dialects)."""
    opened = Store.from_url(database_url)
    try:
        yield opened
    finally:
        opened.close()
