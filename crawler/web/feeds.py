"""Atom feed links on the console's pages: the seam where published feeds plug in.

presswatch publishes no feeds yet (issue 17 adds channels, an Atom feed among them). When it
does, it hands create_app a FeedLinks that lists them; every page then advertises them in
<head> (`<link rel="alternate" type="application/atom+xml">`, which feed readers discover)
and the rules page links each rule's feed. Until then no page shows a feed link.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crawler.config import Config


@dataclass(frozen=True)
class FeedLink:
    """One published Atom feed: of one rule's matches, or (rule_id None) of all of them."""

    title: str
    href: str
    rule_id: str | None = None


FeedLinks = Callable[[Config], Sequence[FeedLink]]


def no_feeds(config: Config) -> Sequence[FeedLink]:
    """The default until feeds exist: nothing to link."""
    return ()
