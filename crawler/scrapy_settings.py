"""Scrapy settings built from presswatch config: politeness, limits and our components."""

from __future__ import annotations

from typing import Any

from crawler.config import Config
from crawler.config.models import SourceConfig

RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
STORE_PIPELINES = {
    "crawler.pipelines.validate.ValidatePipeline": 100,
    "crawler.pipelines.store.StorePipeline": 300,
}
DRY_RUN_PIPELINES = {
    "crawler.pipelines.validate.ValidatePipeline": 100,
    "crawler.pipelines.collect.CollectPipeline": 300,
}
# Scrapy components presswatch never uses: not even imported (see crawler.crawl.preload).
DISABLED_COMPONENTS: dict[str, dict[str, Any]] = {
    "DOWNLOAD_HANDLERS": {"data": None, "file": None, "s3": None, "ftp": None},
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
        "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
        "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    },
    "EXTENSIONS": {
        "scrapy.extensions.telnet.TelnetConsole": None,
        "scrapy.extensions.memusage.MemoryUsage": None,
        "scrapy.extensions.memdebug.MemoryDebugger": None,
        "scrapy.extensions.feedexport.FeedExporter": None,
        "scrapy.extensions.logstats.LogStats": None,
        "scrapy.extensions.spiderstate.SpiderState": None,
        "scrapy.extensions.remote_control.RemoteControl": None,
    },
    "SPIDER_MIDDLEWARES": {},
}
DOWNLOADER_MIDDLEWARES = {
    **DISABLED_COMPONENTS["DOWNLOADER_MIDDLEWARES"],
    "crawler.middlewares.safety.SafetyMiddleware": 40,
    "crawler.middlewares.backoff.BackoffMiddleware": 545,
    "crawler.middlewares.conditional.ConditionalGetMiddleware": 560,
}

# Raw exchanges ride on the items to the store's evidence hook (issue 18).
SPIDER_MIDDLEWARES = {"crawler.middlewares.evidence.EvidenceMiddleware": 950}


def user_agent(config: Config) -> str:
    """The configured user agent with {version} filled in (and the contact appended)."""
    return config.settings.crawl.resolved_user_agent()


def build_settings(
    config: Config, source: SourceConfig, *, dry_run: bool = False, log_level: str = "WARNING"
) -> dict[str, Any]:
    """Settings for crawling one source (Scrapy's own log at `log_level`)."""
    crawl = config.settings.crawl
    delay = source.download_delay if source.download_delay is not None else crawl.download_delay
    return {
        "BOT_NAME": "presswatch",
        "USER_AGENT": user_agent(config),
        "ROBOTSTXT_OBEY": crawl.obey_robots_txt,
        "CONCURRENT_REQUESTS": crawl.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        "DOWNLOAD_DELAY": delay.total_seconds(),
        "DOWNLOAD_DELAY_JITTER": 0.5 if delay.total_seconds() > 0 else 0.0,
        "LOG_INSTALL_ROOT_HANDLER": True,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(delay.total_seconds(), 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrency_per_domain),
        "DOWNLOAD_TIMEOUT": crawl.timeout.total_seconds(),
        "DOWNLOAD_MAXSIZE": crawl.max_download_size,
        "DOWNLOAD_WARNSIZE": min(crawl.max_download_size, 8 * 1024 * 1024),
        "RETRY_ENABLED": crawl.retries > 0,
        "RETRY_TIMES": crawl.retries,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "PRESSWATCH_BACKOFF_BASE": min(2.0, crawl.timeout.total_seconds() / 4),
        "REDIRECT_MAX_TIMES": 5,
        "METAREFRESH_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": log_level,
        "LOG_ENABLED": True,
        "DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES,
        "SPIDER_MIDDLEWARES": {} if dry_run else SPIDER_MIDDLEWARES,
        "DOWNLOAD_HANDLERS": DISABLED_COMPONENTS["DOWNLOAD_HANDLERS"],
        "EXTENSIONS": DISABLED_COMPONENTS["EXTENSIONS"],
        "MEMUSAGE_ENABLED": False,
        "LOG_VERSIONS": [],
        # Each response yields at most a page of items: Scrapy's default of 100 starts
        # 100 asyncio tasks per response for nothing.
        "CONCURRENT_ITEMS": 8,
        "ITEM_PIPELINES": DRY_RUN_PIPELINES if dry_run else STORE_PIPELINES,
        "PRESSWATCH_FLUSH_EVERY": 25,
        "PRESSWATCH_STORE_BACKLOG": 2,
        "DEPTH_LIMIT": 0,
        "DNS_TIMEOUT": min(60.0, crawl.timeout.total_seconds()),
    }
