"""Atom feeds of the latest matches, per rule and per recipient, under <data_dir>/feeds/.

Written with feedgen (valid Atom 1.0, escaping done by the library) after each crawl's
alerts and each digest run. Entry ids are `urn:uuid:` values derived from the installation
id and the item id, so they never change across runs and a reader never shows an entry
twice; a feed's `updated` is its newest entry's, so an unchanged feed is not rewritten.
Feeds are a view of the store, not deliveries: they go through no ledger.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from feedgen.feed import FeedGenerator
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from alerts.feedstate import record_feed_write
from alerts.files import write_atomically
from alerts.ledger.routing import route_rules
from alerts.notify.names import recipient_feed_name, rule_feed_name
from crawler.config import Config
from crawler.config.models import FeedsConfig
from crawler.store.installation import installation_id
from crawler.store.matches import latest_matched
from crawler.store.store import Store
from crawler.store.types import utcnow

log = logging.getLogger(__name__)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # `updated` of a feed with no entries yet
GENERATOR = "presswatch"


@dataclass(frozen=True)
class FeedEntry:
    """One matched item in a feed."""

    item_id: int
    title: str
    url: str
    source_id: str
    published: datetime
    matched: datetime
    rule_ids: tuple[str, ...]
    snippet: str


@dataclass(frozen=True)
class FeedSpec:
    """Which feed: its file, title and the rules whose matches it lists."""

    name: str
    title: str
    key: str  # identifies the feed in its id ("rule:arms", "recipient:desk")
    rule_ids: tuple[str, ...]


def write_feeds(config: Config, store: Store) -> list[Path]:
    """(Re)write every rule's and every enabled recipient's feed; return the files changed.

    A failure to write is logged and recorded (`alerts.feedstate`, shown by `status`), not
    raised: feeds must never hold up a crawl or a delivery.
    """
    feeds = config.settings.feeds
    if not feeds.enabled:
        return []
    directory = config.data_dir / "feeds"
    changed: list[Path] = []
    error: str | None = None
    try:
        with store.connect() as connection:
            installation = installation_id(connection)
            for spec in feed_specs(config):
                entries = latest_entries(connection, spec.rule_ids, feeds.entries)
                document = render_feed(spec, entries, installation, feeds, directory)
                target = directory / spec.name
                if _write_if_changed(target, document):
                    changed.append(target)
    except OSError as exc:
        error = f"cannot write: {exc.strerror or exc}" + (
            f" ({exc.filename})" if exc.filename else ""
        )
        log.warning("cannot write the Atom feeds to %s: %s", directory, exc.strerror or exc)
    except ValueError as exc:  # feedgen refused an entry: a bug to report, not a lost delivery
        error = f"cannot build: {exc}"
        log.warning("cannot build the Atom feeds: %s", exc)
    except SQLAlchemyError as exc:  # the store went away after the messages were sent
        error = f"cannot read the store: {exc.__class__.__name__}"
        log.warning("cannot read the store for the Atom feeds: %s", exc)
    record_feed_write(config.data_dir, directory, utcnow(), error)
    return changed


def feed_specs(config: Config) -> list[FeedSpec]:
    """One feed per enabled rule, one per enabled recipient (the rules routed to it)."""
    rules = [rule for rule in config.rules if rule.enabled]
    specs = [
        FeedSpec(rule_feed_name(rule.id), f"presswatch: {rule.name}", f"rule:{rule.id}", (rule.id,))
        for rule in rules
    ]
    routes = route_rules(rules, config.settings.recipients, config.settings.groups)
    for recipient in config.settings.recipients:
        if not recipient.enabled:
            continue
        own = tuple(r.id for r in rules if any(x.key == recipient.key for x in routes[r.id]))
        title = f"presswatch for {recipient.name or recipient.key}"
        specs.append(
            FeedSpec(recipient_feed_name(recipient.key), title, f"recipient:{recipient.key}", own)
        )
    return specs


def latest_entries(connection: Connection, rule_ids: Sequence[str], limit: int) -> list[FeedEntry]:
    """The newest `limit` items matched by any of `rule_ids` (duplicates of stored items
    left out), newest match first; an item matched by several rules is one entry."""
    if not rule_ids:
        return []
    rows = latest_matched(connection, rule_ids, limit * len(rule_ids))
    found: dict[int, FeedEntry] = {}
    for row in rows:
        known = found.get(row.item_id)
        if known is not None:
            found[known.item_id] = _with_rule(known, row.rule_id)
            continue
        if len(found) >= limit:
            continue
        found[row.item_id] = FeedEntry(
            item_id=row.item_id,
            title=row.title or row.url,
            url=row.url,
            source_id=row.source_id,
            published=row.published_at or row.first_seen_at,
            matched=row.matched_at,
            rule_ids=(row.rule_id,),
            snippet=_first_snippet(row.snippets),
        )
    return list(found.values())


def render_feed(
    spec: FeedSpec,
    entries: Iterable[FeedEntry],
    installation: str,
    settings: FeedsConfig,
    directory: Path,
) -> bytes:
    """The Atom document of `spec` (UTF-8, deterministic for the same entries)."""
    entries = list(entries)
    feed = FeedGenerator()
    feed.id(_urn(installation, spec.key))
    feed.title(spec.title)
    feed.author({"name": GENERATOR})
    feed.generator(GENERATOR)
    feed.updated(max((e.matched for e in entries), default=EPOCH))
    self_url = _self_url(settings, directory, spec.name)
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    # feedgen prepends each new entry: add oldest first so the newest ends up on top
    for entry in reversed(entries):
        item = feed.add_entry()
        item.id(_urn(installation, f"item:{entry.item_id}"))
        item.title(xml_text(entry.title) or "(untitled)")
        summary = xml_text(
            f"{entry.source_id}: {entry.snippet}" if entry.snippet else entry.source_id
        )
        if entry.url.lower().startswith(("https://", "http://")):
            item.link(href=xml_text(entry.url), rel="alternate")
        else:  # no link to offer (javascript:, data:): Atom then wants a content element
            item.content(summary, type="text")
        item.published(entry.published)
        item.updated(entry.matched)
        for rule_id in entry.rule_ids:
            item.category(term=rule_id)
        item.summary(summary)
    document: bytes = feed.atom_str(pretty=True)
    return document


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot carry (NUL and other C0 controls)."""
    return _NOT_XML.sub("", value)


def _with_rule(entry: FeedEntry, rule_id: str) -> FeedEntry:
    if rule_id in entry.rule_ids:
        return entry
    return FeedEntry(**{**entry.__dict__, "rule_ids": (*entry.rule_ids, rule_id)})


def _first_snippet(snippets: object) -> str:
    if isinstance(snippets, list) and snippets and isinstance(snippets[0], str):
        return " ".join(snippets[0].split())
    return ""


def _urn(installation: str, key: str) -> str:
    """A stable id: the same installation and key give the same urn:uuid forever."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"presswatch:{installation}:{key}").urn


def _self_url(settings: FeedsConfig, directory: Path, name: str) -> str:
    if settings.base_url:
        return f"{settings.base_url.rstrip('/')}/{name}"
    return (directory / name).resolve().as_uri()


def _write_if_changed(target: Path, document: bytes) -> bool:
    """Write `document` atomically unless the file already holds it."""
    with contextlib.suppress(OSError):
        if target.read_bytes() == document:
            return False
    write_atomically(target, document)
    return True
