"""Run Alembic migrations programmatically (at start-up and by `presswatch db upgrade`)."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from crawler.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
# Alembic keeps the running migration's context in module globals (alembic.context, op):
# two upgrades in one process at once break each other ("'NoneType' object has no attribute
# 'configure'", KeyError: 'config'). Upgrades run at start-up only; the lock is a safety net.
_UPGRADE_LOCK = threading.Lock()


def alembic_config(engine: Engine) -> AlembicConfig:
    """An Alembic config bound to `engine` (env.py reads it from attributes)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`."""
    try:
        with _UPGRADE_LOCK:
            command.upgrade(alembic_config(engine), revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"database migration failed: {exc}") from exc


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    """The newest revision this version of presswatch knows."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def is_current(engine: Engine) -> bool:
    """Whether the database is at head."""
    return current_revision(engine) == head_revision(engine)
