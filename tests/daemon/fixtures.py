"""A tiny RSS site on 127.0.0.1, daemon processes, and /proc checks for leftover children."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from crawler.crawl.processes import all_processes, descendants, live

REPO = Path(__file__).resolve().parents[2]
PRESSWATCH = [str(Path(sys.executable).with_name("presswatch"))]


def rss(base: str, titles: list[str]) -> bytes:
    """An RSS 2.0 feed whose items link to pages on `base`."""
    now = format_datetime(datetime.now(UTC))
    items = "".join(
        f"<item><title>{t}</title><link>{base}/news/{i}.html</link>"
        f"<guid>{base}/news/{i}.html</guid><pubDate>{now}</pubDate>"
        f"<description>{t}. The ministry made a statement today.</description></item>"
        for i, t in enumerate(titles)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Fixture ministry</title><link>{base}/</link><description>Press</description>"
        f"{items}</channel></rss>"
    ).encode()


def article(title: str) -> bytes:
    """An article page the extractor can read."""
    body = " ".join([f"{title}. The ministry made a statement today."] * 12)
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{body}</p></article></body></html>"
    ).encode()


class FeedSite:
    """Serves /feed<N>.xml (N any number) and /robots.txt; counts feed requests.

    With `article_delay` (seconds) it also serves the article pages /news/<i>.html, each
    after that delay: a crawl of a `follow: true` source then takes a while.
    """

    def __init__(self, titles: list[str], *, article_delay: float | None = None) -> None:
        self.titles = titles
        self.hits = 0
        self.article_hits = 0
        self.article_delay = article_delay
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.startswith("/feed"):
                    site.hits += 1
                    self._send(200, rss(site.base, site.titles), "application/rss+xml")
                elif self.path.startswith("/news/") and site.article_delay is not None:
                    site.article_hits += 1
                    time.sleep(site.article_delay)
                    index = int(self.path.removeprefix("/news/").split(".")[0])
                    self._send(200, article(site.titles[index]), "text/html; charset=utf-8")
                elif self.path == "/robots.txt":
                    self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
                else:
                    self._send(404, b"not found", "text/plain")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FeedSite:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Daemon:
    """A `presswatch run` child process whose stderr is collected in a file."""

    def __init__(self, config_dir: Path, log_path: Path, env: dict[str, str] | None = None):
        self.log_path = log_path
        self.log_file = log_path.open("wb")
        environ = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
        self.process = subprocess.Popen(
            [*PRESSWATCH, "--config", str(config_dir), "run"],
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            env=environ,
            cwd=REPO,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"daemon exited ({self.process.returncode}):\n{self.log()}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log()}")

    def wait_log(self, text: str, timeout: float = 20) -> None:
        self.wait_for(lambda: text in self.log(), timeout, repr(text))

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM and wait; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            self.log_file.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(5)
        self.log_file.close()


def leftovers(pids: set[int], group: int) -> list[int]:
    """Processes still running from `pids`, or in process group `group`."""
    return [
        p.pid
        for p in live(all_processes())
        if p.pid in pids or (p.pgid == group and p.pid != group)
    ]


def left_after_exit(pids: set[int], group: int, timeout: float = 10) -> list[int]:
    """`leftovers` once they had `timeout` s to go: multiprocessing's forkserver and resource
    tracker end by themselves when they see the daemon's end of their pipes close."""
    deadline = time.monotonic() + timeout
    while (left := leftovers(pids, group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def tree(pid: int) -> set[int]:
    return {p.pid for p in live(descendants(pid))}


@contextmanager
def running(
    config_dir: Path, log_path: Path, env: dict[str, str] | None = None
) -> Iterator[Daemon]:
    daemon = Daemon(config_dir, log_path, env)
    try:
        yield daemon
    finally:
        daemon.kill()
