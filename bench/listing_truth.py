"""Listing truth on real pages and feeds: is every listed entry stored with its title and date?

`python -m bench.listing_truth [CORPUS_DIR]` (default ../shared/corpus).

Serves the corpus's saved foreign-ministry listing pages (their article pages are not saved,
so nearly every article answers 404) and every feed of the corpus on a local server, crawls
each twice through the real crawler and prints, per listing or feed: the entries it lists,
the items stored, the share stored with exactly the title and date the listing shows, and
the requests of the second crawl.

What the listing shows is read independently of presswatch's extraction: the listing pages
by the item/link/title/date XPaths a public research crawler (DiplomaticPulse) used for those
sites (`site_config` in expected.json), the feeds with xml.etree / json as in
tests/crawl/test_corpus.py.  Listings are crawled twice over: with those selectors as a user
would configure them, and with none (presswatch's heuristics).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import dateparser
from parsel import Selector

from crawler.config import load_config
from crawler.crawl import run_crawls
from crawler.store.urls import canonicalize_url, fragment_identity
from tests.crawl.conftest import rows
from tests.crawl.test_corpus import _plain, feed_truth
from tests.sites import FixtureSiteServer, Site, write_config

MINISTRIES = Path("foreign_ministries") / "diplomaticpulse_fixtures"
VERBOSE = bool(os.environ.get("VERBOSE"))
FEED_TYPES = {".json": "application/feed+json", ".rdf": "application/rdf+xml"}


@dataclass(frozen=True)
class Truth:
    """What a listing or feed shows: url -> (title, date or None)."""

    source_id: str
    entries: dict[str, tuple[str, datetime | None]]


def main(corpus: Path) -> None:
    site = Site()
    truths: list[Truth] = []
    sources: list[dict[str, Any]] = []
    with FixtureSiteServer(site) as server:
        for truth, variants in listing_cases(corpus, site, server):
            truths.append(truth)
            sources.extend(variants)
        for truth, source in feed_cases(corpus, site, server):
            truths.append(truth)
            sources.append(source)
        stored: list[Any] = []
        first: dict[str, Any] = {}
        second: dict[str, int] = {}
        # Items are unique by URL across sources: sources listing the same URLs (the same
        # feed as RSS and Atom, a listing with and without selectors) get stores of their own.
        for bucket in buckets(sources):
            with tempfile.TemporaryDirectory() as tmp:
                settings = {"crawl": {"parallel_sources": 2}}
                config = load_config(write_config(Path(tmp), bucket, settings=settings))
                ids = [s["id"] for s in bucket]
                first.update({r.source_id: r for r in run_crawls(config, ids)})
                for source_id in ids:  # one at a time: the server counts per source
                    server.reset_counts()
                    run_crawls(config, [source_id])
                    second[source_id] = len([p for p in server.paths() if p != "/robots.txt"])
                stored.extend(rows(config))
        report(stored, truths, first, second)


def buckets(sources: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Sources split so that no two of one family (same site) share a bucket."""
    out: list[list[dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for source in sources:
        family = source["family"]
        index = seen.get(family, 0)
        seen[family] = index + 1
        while len(out) <= index:
            out.append([])
        out[index].append({k: v for k, v in source.items() if k != "family"})
    return out


def listing_cases(
    corpus: Path, site: Site, server: FixtureSiteServer
) -> Iterable[tuple[Truth, list[dict[str, Any]]]]:
    facts = json.loads((corpus / MINISTRIES / "expected.json").read_text("utf-8"))
    for key, fact in sorted(facts.items()):
        configs = [c for c in fact.get("site_config") or [] if _xpath(c, "global")]
        if not configs or not key.endswith(".html"):
            continue  # no XPaths to read the truth with
        origin = fact.get("listing_url_from_repo_config") or configs[0]["url"]
        parts = urlsplit(origin)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = (corpus / key).read_bytes()
        for host in (f"{parts.scheme}://{parts.netloc}", "http://localhost"):
            body = body.replace(host.encode(), b"__BASE__")
        site.add(path, body)
        listing_url = server.url(path)
        cfg = configs[0]
        name = Path(key).parent.name.replace("_", "-")
        truth = listing_truth(body.replace(b"__BASE__", server.base_url.encode()), listing_url, cfg)
        selectors = {
            "item": cfg["global"],
            "link": cfg["link"],
            "title": cfg["title"],
        }
        if _xpath(cfg, "posted_date"):
            selectors["date"] = cfg["posted_date"]
        common = {"kind": "listing", "urls": [listing_url], "languages": ["en"], "family": name}
        yield (
            Truth(f"{name}-selectors", truth),
            [
                {"id": f"{name}-selectors", "name": name, "selectors": selectors, **common},
                {"id": f"{name}-heuristic", "name": name, **common},
            ],
        )
        yield Truth(f"{name}-heuristic", truth), []


def listing_truth(
    body: bytes, url: str, cfg: dict[str, Any]
) -> dict[str, tuple[str, datetime | None]]:
    """url -> (title, date) by the site config's XPaths, read with parsel."""
    page = Selector(text=body.decode("utf-8", "replace"))
    found: dict[str, tuple[str, datetime | None]] = {}
    for node in page.xpath(cfg["global"]):
        href = node.xpath("." + cfg["link"]).get()
        if not href or href.strip().startswith(("#", "javascript:", "mailto:")):
            continue
        title = " ".join(" ".join(node.xpath("." + cfg["title"]).getall()).split())
        raw = (
            " ".join(node.xpath("." + dated).getall())
            if (dated := _xpath(cfg, "posted_date"))
            else ""
        )
        date = (
            dateparser.parse(raw.strip(), settings={"DATE_ORDER": "DMY"}) if raw.strip() else None
        )
        absolute = canonicalize_url(urljoin(url, href.strip()))
        found.setdefault(absolute, (title, date))
    return found


def _xpath(cfg: dict[str, Any], key: str) -> str | None:
    value = cfg.get(key)
    return value if isinstance(value, str) and value.startswith(("/", "(")) else None


def feed_cases(
    corpus: Path, site: Site, server: FixtureSiteServer
) -> Iterable[tuple[Truth, dict[str, Any]]]:
    for file in sorted((corpus / "feeds").rglob("*")):
        if not file.is_file() or file.suffix in (".md", ".txt") or "sitemap" in file.name:
            continue
        path = f"/feeds/{file.parent.name}/{file.name}"
        body = file.read_bytes()
        try:
            truth = feed_truth(body, server.url(path))
        except Exception:
            continue  # xml.etree cannot read it (an encoding it lacks): no independent truth
        content_type = FEED_TYPES.get(file.suffix, "application/xml")
        site.add(path, body, content_type=content_type, templated=False)
        source_id = f"feed-{file.parent.name}-{file.name}".lower().replace("_", "-")[:60]
        source_id = "".join(c if c.isalnum() or c == "-" else "-" for c in source_id)
        entries = {fragment_identity(u): (_plain(t), d) for u, t, d in truth if u.strip()}
        yield (
            Truth(source_id, entries),
            {
                "id": source_id,
                "name": file.name,
                "kind": "feed",
                "urls": [server.url(path)],
                "family": f"{file.parent.name}-{file.stem}",
            },
        )


def report(
    stored_all: list[Any], truths: list[Truth], first: dict[str, Any], second: dict[str, int]
) -> None:
    totals = [0, 0, 0, 0, 0, 0]
    print(f"{'source':<48} {'listed':>6} {'stored':>6} {'title=':>7} {'date=':>7} {'2nd req':>7}")
    for truth in truths:
        mine = [r for r in stored_all if r.source_id == truth.source_id]
        stored = {r.canonical_url: r for r in mine}
        by_title = {r.title: r for r in mine}
        for url, (title, _) in truth.entries.items():  # a link-less entry: by its title
            if url not in stored and title in by_title:
                stored[url] = by_title[title]
        listed = len(truth.entries)
        hit = [stored[u] for u in truth.entries if u in stored]
        titled = [(u, t) for u, (t, _) in truth.entries.items() if t]  # '': nothing to compare
        titles = sum(1 for u, t in titled if u in stored and stored[u].title == t)
        dated = [(u, d) for u, (_, d) in truth.entries.items() if d is not None]
        dates = sum(1 for u, d in dated if u in stored and same_day(stored[u].published_at, d))
        run = first.get(truth.source_id)
        print(
            f"{truth.source_id:<48} {listed:>6} {len(hit):>6} {pct(titles, len(titled)):>7}"
            f" {pct(dates, len(dated)):>7} {second.get(truth.source_id, 0):>7}"
            f"  {run.health if run else '?'}"
        )
        if VERBOSE:
            shown = 0
            for u, (t, _) in truth.entries.items():
                row = stored.get(u)
                if row is None or (t and row.title != t):
                    print(f"    listed {t!r} {u}\n    stored {row.title if row else None!r}")
                    shown += 1
                if shown >= 3:
                    break
        figures = (listed, len(hit), titles, dates, len(dated), len(titled))
        for index, value in enumerate(figures):
            totals[index] += value
    print(
        f"total listed {totals[0]}, stored {totals[1]} ({pct(totals[1], totals[0], 1)}),"
        f" title exact {totals[2]}/{totals[5]} ({pct(totals[2], totals[5], 1)}),"
        f" date exact {totals[3]}/{totals[4]} ({pct(totals[3], totals[4], 1)})"
    )


def same_day(stored: datetime | None, shown: datetime) -> bool:
    if stored is None:
        return False
    if shown.tzinfo is not None:
        return stored.astimezone(UTC).date() == shown.astimezone(UTC).date()
    return stored.date() == shown.date()


def pct(part: int, whole: int, digits: int = 0) -> str:
    return f"{100 * part / whole:.{digits}f}%" if whole else "-"


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
