"""Crawl orchestration: one child process per source, run records and source health."""

from __future__ import annotations

from crawler.crawl.runner import run_crawls
from crawler.crawl.summary import RunSummary

__all__ = ["RunSummary", "run_crawls"]
