"""`presswatch worker`: a Celery worker that runs the crawl tasks the scheduler enqueues."""

from __future__ import annotations

import os
import socket

import click

from crawler.cli.context import AppContext, pass_app
from crawler.errors import UsageError


@click.command("worker")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Crawls run at the same time (each in its own process).",
)
@click.option(
    "--queues",
    default=None,
    metavar="A,B",
    help="Queues to consume (default: every queue of crawl.celery).",
)
@pass_app
def worker(app: AppContext, concurrency: int, queues: str | None) -> None:
    """Run crawl tasks from the broker (crawl.celery.broker_url) until SIGTERM.

    A task is acknowledged only after its crawl is stored: a worker killed mid-crawl has the
    task delivered again (after crawl.celery.visibility_timeout on Redis). Each task names the
    scheduler's config directory; where this machine has no such directory, the worker's own
    --config is used (keep the two in sync: same sources, rules and database).
    """
    config = app.config()
    celery = config.settings.crawl.celery
    wanted = [q.strip() for q in queues.split(",") if q.strip()] if queues else celery.queues()
    if not wanted:
        raise UsageError("--queues names no queue")
    from crawler.cluster.app import CrawlApp

    crawl_app = CrawlApp.from_config(config)
    crawl_app.local_dir = str(config.directory)
    crawl_app.configs.get(str(config.directory))  # fail now on a bad config or database
    from crawler.crawl.runner import warm_up

    warm_up()  # "ready" only once a crawl can start at once
    name = f"presswatch-{os.getpid()}@{socket.gethostname()}"
    crawl_app.celery.worker_main(
        [
            "worker",
            "--pool=threads",  # each crawl forks its own process: threads only wait for it
            f"--concurrency={concurrency}",
            f"--queues={','.join(wanted)}",
            f"--hostname={name}",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ]
    )


COMMANDS = [worker]
