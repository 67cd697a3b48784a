"""Exponential backoff before a retried request (RetryMiddleware re-schedules it at once)."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request

MAX_BACKOFF = 60.0


class BackoffMiddleware:
    """Waits base * 2**(n-1) seconds before the n-th retry; runs before the download slot."""

    def __init__(self, base: float) -> None:
        self.base = base

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffMiddleware:
        return cls(crawler.settings.getfloat("PRESSWATCH_BACKOFF_BASE", 1.0))

    async def process_request(self, request: Request) -> None:
        attempt = int(request.meta.get("retry_times", 0))
        if attempt > 0 and self.base > 0:
            await asyncio.sleep(min(MAX_BACKOFF, self.base * 2 ** (attempt - 1)))
