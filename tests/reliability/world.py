"""A small world for fault trials: a fixture site, an SMTP server and a config per trial."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from crawler.config import Config, load_config
from tests.delivery.conftest import RecordingHandler, free_port
from tests.sites import FixtureSiteServer, Site, add_article, build_listing_site, listing_source
from tests.sites.config import write_config
from tests.sites.generators import NEWEST

ARTICLES = 12
RULES: list[dict[str, Any]] = [
    {"id": "arms", "name": "Arms control", "query": "arms"},
    {"id": "urgent", "name": "Urgent", "query": "urgent", "mode": "immediate"},
]
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


def build_site(articles: int = ARTICLES) -> Site:
    """Small English articles; every title matches `arms`, every third also `urgent`."""
    site = Site(name="Reliability Ministry")
    for n in range(1, articles + 1):
        flag = " urgent" if n % 3 == 0 else ""
        add_article(
            site,
            render=False,
            title=f"Statement {n:03d} on arms control{flag}",
            language="en",
            published_at=NEWEST - timedelta(days=articles - n),
            paragraphs=[f"The ministry comments on arms control, item {n:03d}."] * 3,
            size=2_000,
        )
    return build_listing_site(site, articles=articles, per_page=articles)


@dataclass
class SmtpSink:
    """A running aiosmtpd server shared by trials (each trial has its own recipients)."""

    port: int
    handler: RecordingHandler
    controller: Controller

    @classmethod
    def start(cls) -> SmtpSink:
        handler = RecordingHandler()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        return cls(port, handler, controller)

    def stop(self) -> None:
        self.controller.stop()


@dataclass(frozen=True)
class Trial:
    """One trial's directory, database, recipients and config."""

    root: Path
    tag: str
    database_url: str
    config_dir: Path
    recipients: tuple[str, ...]

    def config(self) -> Config:
        return load_config(self.config_dir, environ={})


def addresses(tag: str) -> tuple[str, ...]:
    return (f"{tag}-alice@example.org", f"{tag}-bob@example.org")


def make_trial(
    root: Path,
    server: FixtureSiteServer,
    smtp_port: int,
    *,
    database_url: str | None = None,
    extra_settings: dict[str, Any] | None = None,
) -> Trial:
    """Write a config: one listing source, two recipients, SMTP to the sink."""
    tag = f"t{uuid.uuid4().hex[:8]}"
    url = database_url or f"sqlite:///{root / 'presswatch.db'}"
    recipients = addresses(tag)
    settings: dict[str, Any] = {
        "database": {"url": url},
        "recipients": [{"id": "alice", "address": recipients[0]}, {"address": recipients[1]}],
        "mail": {
            "transport": "smtp",
            "from": "presswatch <pw@example.org>",
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none", "timeout": "5s"},
        },
        **(extra_settings or {}),
    }
    source = listing_source(server, "ministry", backfill=100)
    config_dir = write_config(root, [source], RULES, settings)
    return Trial(root, tag, url, config_dir, recipients)


def make_pg_schema(prefix: str = "pwfault") -> tuple[str, str, str]:
    """A fresh schema: (schema, application_name, URL tagged with that application_name)."""
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = (
        "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        f"?options=-csearch_path%3D{schema}&application_name={schema}"
    )
    return schema, schema, url


def drop_pg_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def kill_pg_backends(application_name: str) -> int:
    """pg_terminate_backend on the backends of one application_name only; how many."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = %s AND pid <> pg_backend_pid()",
            (application_name,),
        ).fetchall()
    return len(rows)
