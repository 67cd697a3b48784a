"""presswatch crawler package: config, store, Scrapy plumbing and the CLI."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("presswatch")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0+unknown"
