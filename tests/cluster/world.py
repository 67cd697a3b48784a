"""A loopback cluster for tests: a feed site of many sources, a PostgreSQL schema, a Redis DB
of its own, `presswatch worker` and `presswatch run` processes."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg

from tests.daemon.fixtures import PRESSWATCH, REPO
from tests.daemon.helpers import write_config

REDIS_URL = "redis://127.0.0.1:6379"
PG = "host=127.0.0.1 port=5432 user=postgres dbname=test"


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except Exception:
        return False


def free_redis_db() -> int:
    """A Redis database number (1..15) no other test run uses now: claimed with SET NX."""
    import redis

    client = redis.Redis.from_url(REDIS_URL + "/0")
    for number in range(1, 16):
        if client.set(f"presswatch-test-claim:{number}", str(os.getpid()), nx=True, ex=900):
            redis.Redis.from_url(f"{REDIS_URL}/{number}").flushdb()
            return number
    raise RuntimeError("no free Redis database among 1..15")


def release_redis_db(number: int) -> None:
    import redis

    redis.Redis.from_url(f"{REDIS_URL}/{number}").flushdb()
    redis.Redis.from_url(REDIS_URL + "/0").delete(f"presswatch-test-claim:{number}")


class FeedsSite:
    """/feed/<k>.xml: an RSS feed of `per_feed` items /news/<k>/<i>.html, each article served
    after `article_delay` seconds (so a crawl can be caught mid-way).  With `latency` (low,
    high) every response waits a uniformly drawn (seeded) time first, as a remote site's
    round trips and server time would: crawls then wait on the network, not the CPU."""

    def __init__(
        self,
        per_feed: int,
        article_delay: float = 0.0,
        latency: tuple[float, float] | None = None,
        seed: int = 20,
    ) -> None:
        self.per_feed = per_feed
        self.article_delay = article_delay
        self.article_hits = 0
        self.latency = latency
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                site.wait()
                parts = self.path.strip("/").split("/")
                if parts[0] == "feed":
                    self._send(site.feed(parts[1].removesuffix(".xml")), "application/rss+xml")
                elif parts[0] == "news" and len(parts) == 3:
                    site.article_hits += 1
                    time.sleep(site.article_delay)
                    title = f"Statement {parts[1]}-{parts[2].removesuffix('.html')}"
                    body = " ".join([f"{title} on missile talks. The ministry said."] * 12)
                    page = f"<html><head><title>{title}</title></head><body><article>"
                    page += f"<h1>{title}</h1><p>{body}</p></article></body></html>"
                    self._send(page.encode(), "text/html; charset=utf-8")
                elif self.path == "/robots.txt":
                    self._send(b"User-agent: *\nAllow: /\n", "text/plain")
                else:
                    self.send_error(404)

            def _send(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)  # a crawler killed on purpose hangs up

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def wait(self) -> None:
        """A response's latency (nothing without `latency`)."""
        if self.latency is None:
            return
        with self._rng_lock:
            pause = self._rng.uniform(*self.latency)
        time.sleep(pause)

    def feed(self, key: str) -> bytes:
        items = "".join(
            f"<item><title>Statement {key}-{i}</title><link>{self.base}/news/{key}/{i}.html</link>"
            f"<guid>{self.base}/news/{key}/{i}.html</guid>"
            f"<description>Statement {key}-{i} on missile talks.</description></item>"
            for i in range(self.per_feed)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Ministry {key}</title><link>{self.base}/</link><description>Press"
            f"</description>{items}</channel></rss>"
        ).encode()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def make_schema() -> tuple[str, str]:
    schema = f"pwcluster_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    return schema, url


def drop_schema(schema: str) -> None:
    with psycopg.connect(PG, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def query(schema: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(PG, autocommit=True) as connection:
        connection.execute(f'SET search_path TO "{schema}"')
        return list(connection.execute(sql).fetchall())


@dataclass
class Proc:
    """A presswatch process in its own session, its output in a file."""

    args: list[str]
    config: Path
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    prefix: list[str] = field(default_factory=list)  # e.g. unshare: another host name
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        environ = {**os.environ, "PYTHONPATH": str(REPO), **self.env}
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [*self.prefix, *PRESSWATCH, "--config", str(self.config), *self.args],
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            env=environ,
            cwd=REPO,
            start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        """SIGKILL the whole process group (the worker, its crawl processes, the forkserver)."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
            assert self.process is not None
            self.process.wait(10)

    def stop(self, timeout: float = 30) -> int | None:
        if self.process is None:
            return None
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(10)
        else:
            # leftovers of a group whose leader died
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        self.log_file.close()
        return self.process.returncode


def wait_until(condition: Callable[[], bool], timeout: float, what: str, *logs: Proc) -> float:
    """Seconds it took; AssertionError with the processes' logs on timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.2)
    tails = "\n".join(f"--- {p.args[0]} {p.pid}:\n{p.log()[-3000:]}" for p in logs)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


def cluster_config(
    directory: Path,
    site: FeedsSite,
    count: int,
    database_url: str,
    redis_db: int,
    *,
    follow: bool = False,
    **settings: Any,
) -> Path:
    """A config of `count` feed sources on `site`, crawled by Celery workers."""
    sources = [
        {
            "id": f"m{k:03d}",
            "name": f"Ministry {k}",
            "kind": "feed",
            "urls": [f"{site.base}/feed/{k}.xml"],
            "schedule": {"every": "30m"},
            "allow_private_addresses": True,
            "follow": follow,
        }
        for k in range(count)
    ]
    crawl = {
        "download_delay": "0s",
        "autothrottle": False,
        "retries": 0,
        "timeout": "10s",
        "allow_private_addresses": True,
        "concurrency_per_domain": 8,
        "executor": "celery",
        "celery": {
            "broker_url": f"{REDIS_URL}/{redis_db}",
            "queue": f"crawl{redis_db}",
            "visibility_timeout": "10s",
        },
    }
    crawl.update(settings.pop("crawl", {}))
    return write_config(
        directory,
        sources=sources,
        database={"url": database_url},
        crawl=crawl,
        scheduler={"jitter": "0s", "shutdown_grace": "5s", **settings.pop("scheduler", {})},
        mail=settings.pop("mail", {"transport": "outbox"}),
        **settings,
    )
