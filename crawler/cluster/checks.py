"""What `check-config` says of the executor: its lines, and what is wrong with it.

A cluster needs the one shared store: with SQLite a standby cannot start (an error), and the
celery executor runs but loses its guarantees (a warning: workers on other machines cannot
reach the file, and the per-source lock is PostgreSQL's, so it holds within one worker only).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from crawler.config import Config
from crawler.errors import ConfigIssue
from crawler.formatting import redact_url

SETTINGS_FILE = "presswatch.yaml"


@dataclass(frozen=True)
class ExecutorCheck:
    """The summary lines, the warnings and the errors (each error names file and key)."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[ConfigIssue] = field(default_factory=list)


def check_executor(config: Config) -> ExecutorCheck:
    """The executor, broker (password masked) and queue routing; their problems."""
    check = ExecutorCheck()
    crawl = config.settings.crawl
    sqlite = _backend(config.database_url) != "postgresql"
    standby = config.settings.scheduler.standby
    if standby and sqlite:
        check.errors.append(
            ConfigIssue(
                SETTINGS_FILE,
                "scheduler.standby",
                "a standby scheduler needs the shared PostgreSQL store (database.url); with "
                "SQLite only one daemon can use the database and `presswatch run` refuses to start",
            )
        )
    if crawl.executor == "local":
        check.lines.append("executor: local (each crawl forked by the daemon)")
        return check
    celery = crawl.celery
    backend = redact_url(celery.result_backend) if celery.result_backend else "none"
    check.lines.append(
        f"executor: celery   broker: {redact_url(celery.broker_url)}   result backend: {backend}"
    )
    check.lines.append(f"  scheduler: {'standby allowed' if standby else 'single (no standby)'}")
    check.lines.extend(_queue_lines(config))
    if sqlite:
        check.warnings.append(
            "crawl.executor is celery but database.url is SQLite: workers on other machines "
            "cannot reach it, the per-source lock holds only within one worker process, and "
            "no standby scheduler can take over; use a shared PostgreSQL database"
        )
    check.warnings.extend(_route_warnings(config))
    return check


def _backend(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return str(make_url(url).get_backend_name())
    except Exception:  # the store reports an unparsable URL when it opens it
        return "unknown"


def _queue_lines(config: Config) -> list[str]:
    """Each queue with its number of enabled sources and what routes to it."""
    celery = config.settings.crawl.celery
    counts = dict.fromkeys(celery.queues(), 0)
    for source in config.enabled_sources:
        counts[celery.queue_of(source.id)] += 1
    lines = []
    for queue, count in counts.items():
        routed = ", ".join(celery.routes.get(queue, []))
        how = "default" + (f"; {routed}" if routed else "") if queue == celery.queue else routed
        lines.append(f"  queue {queue:<24} {count:>4} source(s)   ({how})")
    return lines


def _route_warnings(config: Config) -> list[str]:
    """Route patterns that match no enabled source (a typo sends its sources elsewhere)."""
    ids = [source.id for source in config.enabled_sources]
    warnings = []
    for queue, patterns in config.settings.crawl.celery.routes.items():
        for pattern in patterns:
            if not any(fnmatch.fnmatchcase(source_id, pattern) for source_id in ids):
                warnings.append(
                    f"crawl.celery.routes.{queue}: {pattern!r} matches no enabled source"
                )
    return warnings
