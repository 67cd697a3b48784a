"""Serve the console with uvicorn: in the foreground (`serve`) or beside the daemon."""

from __future__ import annotations

import contextlib
import signal
import threading
import time

import uvicorn

from crawler.config import Config
from crawler.errors import PresswatchError
from crawler.store.store import Store
from crawler.web.app import create_app
from crawler.web.auth import Guard


def make_server(config: Config, store: Store, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server for the console; UsageError for a non-loopback bind without password."""
    guard = Guard.from_config(config.settings.web, host)
    app = create_app(config, store, guard)
    settings = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
    )
    return uvicorn.Server(settings)


def serve(config: Config, store: Store, host: str, port: int) -> None:
    """Run until Ctrl-C / SIGTERM (uvicorn handles both)."""
    server = make_server(config, store, host, port)
    # uvicorn stops on SIGINT/SIGTERM and then raises the signal again for the handler that
    # was there before it: make that one a no-op so a stop is a clean exit (0).
    previous = {sig: signal.signal(sig, _ignore) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _ignore(_signum: int, _frame: object) -> None:
    """A stop signal uvicorn has already handled."""


class BackgroundServer:
    """The console in a daemon thread (`run --serve`); stop() ends it."""

    def __init__(self, config: Config, store: Store, host: str, port: int) -> None:
        self.server = make_server(config, store, host, port)
        # uvicorn only installs signal handlers in the main thread: the daemon keeps its own.
        self.thread = threading.Thread(target=self._run, name="presswatch-web", daemon=True)

    def _run(self) -> None:
        with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot bind: start() says so
            self.server.run()

    def start(self, timeout: float = 10.0) -> None:
        """Start and wait until it listens; PresswatchError if it cannot (port taken)."""
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                host, port = self.server.config.host, self.server.config.port
                raise PresswatchError(f"cannot serve the console on {host}:{port}")
            time.sleep(0.02)

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
