"""Evidence end to end: a crawl of the fixture site writes WARC records for matched items
only (article response and request, the listing that led to it, metadata), indexed by
item; warcio reads them back with digests that hold."""

from __future__ import annotations

from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.store.evidence import EvidenceSettings, records_of
from crawler.store.schema import rule_matches
from crawler.store.store import Store
from tests.crawl.conftest import crawl, rows
from tests.sites import (
    LISTING_PATH,
    FixtureSiteServer,
    build_listing_site,
    listing_source,
    write_config,
)


def test_a_crawl_keeps_warc_evidence_of_matched_items_only(
    fixture_site: FixtureSiteServer, tmp_path: Path
) -> None:
    build_listing_site(fixture_site.site, articles=6, per_page=10)
    rules = [{"id": "any", "name": "any", "query": "the"}]
    config, runs = crawl(write_config(tmp_path, [listing_source(fixture_site)], rules=rules))
    assert runs["fixture-listing"].items_new == 6
    matched = {int(m.item_id) for m in rows(config, rule_matches)}
    assert matched
    settings = EvidenceSettings.from_config(config)
    store = Store.from_config(config)
    with store.connect() as connection:
        indexed = {item_id: records_of(connection, item_id) for item_id in range(1, 7)}
    store.close()
    assert {i for i, refs in indexed.items() if refs} == matched
    some = next(refs for refs in indexed.values() if refs)
    types = [(r.ref.record_type, r.ref.target_uri) for r in some]
    article, listing = types[0][1], types[2][1]
    assert [t for t, _ in types] == ["response", "request", "response", "request", "metadata"]
    assert listing == fixture_site.url(LISTING_PATH) and article != listing
    for entry in some:
        with (settings.root / entry.ref.file).open("rb") as handle:
            handle.seek(entry.ref.offset)
            record = next(iter(ArchiveIterator(handle, check_digests=True)))
            record.content_stream().read()
            assert record.rec_type == entry.ref.record_type
            assert record.rec_headers.get_header("WARC-Target-URI") == entry.ref.target_uri
            assert record.digest_checker.passed is not False
