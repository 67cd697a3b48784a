"""A small ministry site whose statements change and disappear, and the helpers that crawl
it at an injected time (the crawl child's `--now`) and read the recheck state back."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from crawler.config import Config
from crawler.crawl.runner import run_child
from crawler.crawl.summary import RunSummary
from crawler.store.edits import pending_edit_notices
from crawler.store.schema import deliveries, item_rechecks, items
from crawler.store.store import Store
from spiders.catalog import load_config
from tests.sites import LISTING_PATH, FixtureSiteServer, Site, listing_source, write_config

# The time the items were sent to a reader; rechecks run hours after it (never real time).
SENT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
FIRST_DAY = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
RULES = [
    {"id": "stability", "name": "Strategic stability", "query": '"strategic stability"'},
    {"id": "sanctions", "name": "Sanctions", "query": "sanctions"},
]
FILLER = (
    "The Foreign Minister met his counterpart on Monday in the capital. "
    "They agreed to meet again in May."
)


@dataclass
class Statement:
    slug: str
    title: str
    day: int  # days after FIRST_DAY: its publication date
    body: str

    @property
    def path(self) -> str:
        return f"/en/press/{self.slug}.html"

    @property
    def published_at(self) -> datetime:
        return FIRST_DAY + timedelta(days=self.day)


def article_html(statement: Statement) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in statement.body.split("\n\n"))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(statement.title)}</title></head><body><main>"
        f'<h1 class="article-title">{escape(statement.title)}</h1>'
        f'<div class="article-date"><time datetime="{statement.published_at.isoformat()}">'
        f"{statement.published_at:%d %B %Y}</time></div>"
        f'<div class="article-body">{paragraphs}</div></main>'
        '<aside class="related"><a href="/news">More news</a></aside></body></html>'
    )


def listing_html(statements: list[Statement]) -> str:
    rows = "".join(
        '<div class="news-item">'
        f'<span class="news-date">{s.published_at:%d.%m.%Y}</span>'
        f'<h3 class="news-title"><a href="{s.path}">{escape(s.title)}</a></h3></div>'
        for s in sorted(statements, key=lambda s: s.day, reverse=True)
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Press releases'
        f'</title></head><body><main><h1>Press releases</h1><div class="news-list">{rows}'
        "</div></main></body></html>"
    )


class ChangingSite:
    """Statements served as article pages, and a listing of those still listed."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.statements: dict[str, Statement] = {}
        self.listed: list[str] = []

    def publish(self, statement: Statement, *, listed: bool = True) -> None:
        self.statements[statement.slug] = statement
        self.site.add(statement.path, article_html(statement))
        if listed:
            self.listed.append(statement.slug)
        self.render_listing()

    def edit(self, slug: str, body: str) -> None:
        statement = self.statements[slug]
        statement.body = body
        self.site.add(statement.path, article_html(statement))

    def unlist(self, slug: str) -> None:
        self.listed.remove(slug)
        self.render_listing()

    def answer(self, slug: str, status: int, **options: Any) -> None:
        """Serve the statement's page with another status (404, 410, 503, a redirect)."""
        self.site.add(self.statements[slug].path, b"<h1>Gone</h1>", status=status, **options)

    def render_listing(self) -> None:
        self.site.add(LISTING_PATH, listing_html([self.statements[s] for s in self.listed]))


def config_dir(
    server: FixtureSiteServer,
    tmp_path: Path,
    settings: dict[str, Any] | None = None,
    **source: Any,
) -> Path:
    return write_config(tmp_path, [listing_source(server, **source)], RULES, settings)


def crawl_at(config_dir: Path, now: datetime | None, source_id: str = "fixture-listing") -> Any:
    """Crawl the source in its own process, the recheck round at `now`; the run's summary."""
    config = load_config(config_dir)
    Store.from_config(config).close()  # migrate, as every command does before crawling
    with tempfile.TemporaryDirectory() as tmp:
        summary = Path(tmp) / "summary.json"
        extra = ["--summary", str(summary)] + (["--now", now.isoformat()] if now else [])
        failure = run_child(config, source_id, extra)
        assert not failure, failure
        return RunSummary.from_json(json.loads(summary.read_text("utf-8")))


def with_store(config_dir: Path) -> tuple[Config, Store]:
    config = load_config(config_dir)
    return config, Store.from_config(config)


def item_ids(store: Store) -> dict[str, int]:
    """Item id by statement slug."""
    with store.connect() as connection:
        rows = connection.execute(select(items.c.id, items.c.url))
        return {url.rsplit("/", 1)[-1].removesuffix(".html"): int(i) for i, url in rows}


def send(store: Store, ids: list[int], at: datetime = SENT) -> None:
    """Deliveries a reader got (what the ledger writes when a message was accepted)."""
    rows = [
        {
            "recipient": "analyst@example.org",
            "item_id": item_id,
            "rule_id": "stability",
            "channel": "digest",
            "status": "sent",
            "created_at": at,
            "sent_at": at,
            "endpoint": "email",
        }
        for item_id in ids
    ]
    with store.begin() as connection:
        connection.execute(insert(deliveries), rows)


def states(store: Store) -> dict[int, tuple[str, int]]:
    """item id -> (state, checks)."""
    with store.connect() as connection:
        rows = connection.execute(
            select(item_rechecks.c.item_id, item_rechecks.c.state, item_rechecks.c.checks)
        )
        return {int(i): (state, checks) for i, state, checks in rows}


def edit_events(store: Store) -> list[tuple[int, str, str]]:
    with store.connect() as connection:
        return sorted((n.item_id, n.rule_id, n.kind) for n in pending_edit_notices(connection))
