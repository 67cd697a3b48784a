"""The shipped example config/ loads, and its sources cover the required sites."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.config.loader import Config, load_config
from crawler.config.models import SpiderSource
from crawler.config.yamlfile import read_yaml

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
REQUIRED_DOMAINS = [
    "mofa.gov.pk",
    "mid.ru",
    "mea.gov.in",
    "fmprc.gov.cn",
    "state.gov",
    "gov.uk",
    "news.un.org",
    "mfa.gov.by",
    "kln.gov.my",
    "mfa.uz",
    "dawn.com",
    "tribune.com.pk",
    "tass.com",
    "livemint.com",
]


@pytest.fixture(scope="module")
def shipped() -> Config:
    return load_config(CONFIG_DIR, environ={})


def _hosts(config: Config) -> set[str]:
    return {urlsplit(url).hostname or "" for s in config.sources for url in s.urls}


def test_every_source_file_is_loaded(shipped: Config) -> None:
    files = sorted(p.name for p in (CONFIG_DIR / "sources").glob("*.yaml"))
    assert files, "no shipped source files"
    used = {name.removeprefix("sources/") for name in shipped.files.values()}
    assert set(files) <= used
    for name in files:
        loaded, issues = read_yaml(CONFIG_DIR / "sources" / name, name, {})
        assert not issues and loaded is not None and loaded.data["sources"]


def test_enough_unique_sources(shipped: Config) -> None:
    ids = [s.id for s in shipped.sources]
    assert len(ids) >= 15
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("domain", REQUIRED_DOMAINS)
def test_required_site_is_shipped(shipped: Config, domain: str) -> None:
    hosts = _hosts(shipped)
    assert any(h == domain or h.endswith("." + domain) for h in hosts), domain


def test_urls_are_http_and_domains_allowed(shipped: Config) -> None:
    for source in shipped.sources:
        assert source.urls or isinstance(source, SpiderSource)
        for url in source.urls:
            parts = urlsplit(url)
            assert parts.scheme in ("http", "https") and parts.hostname, url
            if source.allowed_domains:
                host = parts.hostname or ""
                allowed = source.allowed_domains
                assert any(host == d or host.endswith("." + d) for d in allowed), url


def test_sources_are_described(shipped: Config) -> None:
    for source in shipped.sources:
        assert source.languages and source.tags, source.id
        assert source.expect_new_within is not None, source.id
        assert source.notes, source.id
        assert not source.allow_private_addresses, source.id
        if source.verified:
            assert "checked" in source.notes, source.id
