"""Fixtures of the ledger tests: a restartable aiosmtpd server and a seeded config."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from tests.delivery.conftest import RecordingHandler, free_port
from tests.delivery.receiver import Receiver, serve


@dataclass
class Server:
    """An SMTP server on a fixed port that tests can stop and start again."""

    port: int
    handler: RecordingHandler = field(default_factory=RecordingHandler)
    controller: Controller | None = None

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def server() -> Iterator[Server]:
    """A running aiosmtpd server on 127.0.0.1 (stop() it to simulate an outage)."""
    srv = Server(free_port())
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def down_server() -> Iterator[Server]:
    """A server that is not listening yet: start() it when the outage is over."""
    srv = Server(free_port())
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def hook() -> Iterator[Receiver]:
    """A local HTTP receiver for webhook and Apprise endpoints."""
    yield from serve()
