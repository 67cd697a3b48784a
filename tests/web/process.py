"""presswatch in a child process (`serve`, `run --serve`) and plain HTTP against it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

CODE = "from crawler.cli.main import main; main()"


def presswatch(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run a presswatch command to its end."""
    return subprocess.run(
        [sys.executable, "-c", CODE, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return int(response.status), response.read().decode("utf-8")


def _wait_until_up(url: str, child: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise AssertionError(f"presswatch exited {child.returncode}: {child.communicate()[0]}")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url} within {timeout} s")


class Served:
    """A presswatch process serving the console; `output` once it has stopped."""

    def __init__(self, child: subprocess.Popen[str], base: str) -> None:
        self.child = child
        self.base = base
        self.output = ""

    def stop(self) -> int:
        """SIGTERM, then its exit code (and its output in `output`)."""
        self.child.send_signal(signal.SIGTERM)
        self.output, _ = self.child.communicate(timeout=60)
        return self.child.returncode


@contextmanager
def served(args: list[str], port: int, env: Mapping[str, str] | None = None) -> Iterator[Served]:
    """`presswatch *args`, once http://127.0.0.1:port/api answers; killed if still running."""
    child = subprocess.Popen(
        [sys.executable, "-c", CODE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    server = Served(child, f"http://127.0.0.1:{port}")
    try:
        _wait_until_up(server.base + "/api", child)
        yield server
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate(timeout=30)
