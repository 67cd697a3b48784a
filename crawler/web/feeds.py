"""Atom feed links on the console's pages, and the feed files they point at.

The crawl and digest jobs write one Atom feed per rule and per recipient under
`<data_dir>/feeds/` (alerts.feeds). `published_feeds` lists those written so far; every page
advertises them in <head> (`<link rel="alternate" type="application/atom+xml">`, which feed
readers discover), the rules page links each rule's feed, and `/feeds/NAME` serves the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from alerts.feeds import feed_specs
from crawler.config import Config


@dataclass(frozen=True)
class FeedLink:
    """One published Atom feed: of one rule's matches, or (rule_id None) of all of them."""

    title: str
    href: str
    rule_id: str | None = None


FeedLinks = Callable[[Config], Sequence[FeedLink]]


def no_feeds(config: Config) -> Sequence[FeedLink]:
    """Link no feed (a console that must not advertise any)."""
    return ()


def published_feeds(config: Config) -> Sequence[FeedLink]:
    """The feeds of `config` written so far, each linked at /feeds/NAME."""
    if not config.settings.feeds.enabled:
        return ()
    links = []
    for spec in feed_specs(config):
        if (feed_directory(config) / spec.name).is_file():
            rule_id = spec.rule_ids[0] if spec.key.startswith("rule:") else None
            links.append(FeedLink(spec.title, f"/feeds/{spec.name}", rule_id))
    return links


def feed_directory(config: Config) -> Path:
    return config.data_dir / "feeds"


def feed_file(config: Config, name: str) -> Path | None:
    """The file of the feed called `name`, if it is one of config's feeds and written;
    only names feed_specs gives are served (never a path a request makes up)."""
    if name not in {spec.name for spec in feed_specs(config)}:
        return None
    path = feed_directory(config) / name
    return path if path.is_file() else None
