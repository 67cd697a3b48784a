"""Owner of `http_validators`: the ETag / Last-Modified last seen for each index URL
(listing, feed, sitemap), for conditional GETs. Retention: crawler.store.gc."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from crawler.store.schema import http_validators
from crawler.store.urls import url_fingerprint


@dataclass(frozen=True)
class Validators:
    """What a 200 answer for `url` said about its version."""

    url: str
    etag: str | None
    last_modified: str | None
    status: int | None = None


def read_validators(connection: Connection, url: str) -> Validators | None:
    query = select(http_validators.c.etag, http_validators.c.last_modified).where(
        http_validators.c.url_fp == url_fingerprint(url)
    )
    row = connection.execute(query).first()
    return None if row is None else Validators(url, row.etag, row.last_modified)


def save_validators(connection: Connection, fresh: Iterable[Validators], now: datetime) -> None:
    """Replace the validators kept for these URLs."""
    rows = {
        url_fingerprint(v.url): {
            "url": v.url,
            "etag": v.etag,
            "last_modified": v.last_modified,
            "status": v.status,
            "checked_at": now,
        }
        for v in fresh
    }
    if not rows:
        return
    connection.execute(delete(http_validators).where(http_validators.c.url_fp.in_(list(rows))))
    connection.execute(insert(http_validators), [{"url_fp": fp, **row} for fp, row in rows.items()])
