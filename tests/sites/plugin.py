"""Pytest fixtures of the fixture-site server (import them, or name this in pytest_plugins)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sites.server import FixtureSiteServer, Site


@pytest.fixture
def fixture_site() -> Iterator[FixtureSiteServer]:
    """A running server with an empty Site: build pages on `fixture_site.site`."""
    with FixtureSiteServer(Site()) as server:
        yield server


@pytest.fixture(scope="session")
def shared_fixture_site() -> Iterator[FixtureSiteServer]:
    """One server for the whole session; call reset_counts() and do not mutate its site."""
    from tests.sites.generators import build_feed_site, build_listing_site, build_sitemap_site
    from tests.sites.hostile import add_hostile_endpoints

    site = Site()
    build_listing_site(site)
    build_feed_site(site)
    build_sitemap_site(site)
    add_hostile_endpoints(site, slow_seconds=3.0)
    with FixtureSiteServer(site) as server:
        yield server
