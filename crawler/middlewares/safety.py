"""Refuse non-http(s) URLs and, unless the source allows it, loopback/private addresses."""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from crawler.crawl.runtime import runtime_of


@lru_cache(maxsize=1024)
def is_private_host(host: str) -> bool:
    """True when the host is, or resolves to, a loopback, private, link-local or reserved IP."""
    if not host:
        return True
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False  # unresolvable: the download fails on its own
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    return any(
        a.is_private or a.is_loopback or a.is_link_local or a.is_reserved or a.is_unspecified
        for a in addresses
    )


class SafetyMiddleware:
    """Runs first, so redirects (rescheduled as new requests) are checked as well."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats
        self.allow_private = runtime_of(crawler).allow_private

    @classmethod
    def from_crawler(cls, crawler: Any) -> SafetyMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            self.stats.inc_value("presswatch/refused/scheme")
            raise IgnoreRequest(f"not an http(s) URL: {request.url}")
        if not self.allow_private and is_private_host(parts.hostname or ""):
            self.stats.inc_value("presswatch/refused/private_address")
            raise IgnoreRequest(f"refusing a private address: {request.url}")
