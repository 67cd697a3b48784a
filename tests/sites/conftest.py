"""Make the fixture-site fixtures available to the tests of the server itself."""

from __future__ import annotations

from tests.sites.plugin import fixture_site, shared_fixture_site

__all__ = ["fixture_site", "shared_fixture_site"]
