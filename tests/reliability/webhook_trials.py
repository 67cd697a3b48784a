"""What the webhook kill -9 trials share: three readers with an email and a signed webhook
endpoint each, a dispatch worker process, and the ways it is killed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from alerts.notify.webhook import verify
from tests.delivery.receiver import Receiver, Request

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
READERS = ("ana", "ben", "cem")
# A plan step: (fault name, kill after this many seconds, kill on the k-th POST).
Step = tuple[str, float | None, int | None]


def recipients(hook: Receiver, **extra: Any) -> list[dict[str, Any]]:
    """Each reader with an email endpoint and a signed webhook at /READER."""
    return [
        {
            "id": reader,
            **extra,
            "endpoints": [
                {"email": f"{reader}@example.org"},
                {"webhook": hook.url(f"/{reader}"), "secret": SECRET},
            ],
        }
        for reader in READERS
    ]


def start_worker(
    script: str, directory: Path, now: datetime, errors: IO[bytes]
) -> subprocess.Popen[bytes]:
    """Run `script` (given the config directory and `now`) in a process of its own."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-c", script, str(directory), now.isoformat()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )


def kill_worker(
    worker: subprocess.Popen[bytes],
    hook: Receiver,
    delay: float | None,
    kill_on: int | None,
    before: int = 0,
) -> bool:
    """Kill on the `kill_on`-th POST after the first `before` (the receiver has read it and
    not answered yet), or after `delay` seconds; returns whether the worker was killed."""
    killed = False

    def on_request(_request: Request) -> None:
        nonlocal killed
        if kill_on is not None and len(hook.requests) - before == kill_on:
            os.kill(worker.pid, signal.SIGKILL)
            killed = True
            worker.wait(30)

    hook.on_request = on_request
    if delay is not None:
        time.sleep(delay)
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            killed = True
    worker.wait(120)
    hook.on_request = None
    return killed


def kill_plan(seed: int, low: float, high: float) -> list[Step]:
    """A kill after each reader's POST, then three kills at seeded random delays."""
    rng = random.Random(seed)
    named: list[Step] = [(f"after_receipt:{k}", None, k) for k in range(1, len(READERS) + 1)]
    return named + [(f"random:{i}", rng.uniform(low, high), None) for i in range(3)]


def first_receipts(
    requests: Sequence[Request], problems: list[str]
) -> tuple[list[tuple[str, Mapping[str, Any]]], int]:
    """Each (reader, body) received under a new `webhook-id`, and how many POSTs re-sent an
    id already received; a bad signature is added to `problems`."""
    seen: set[tuple[str, str]] = set()
    firsts: list[tuple[str, Mapping[str, Any]]] = []
    resends = 0
    for request in requests:
        if not verify(SECRET, request.headers, request.body):
            problems.append(f"bad signature on {request.path}")
        reader = request.path.strip("/")
        key = (reader, request.headers["webhook-id"])
        if key in seen:
            resends += 1
            continue
        seen.add(key)
        firsts.append((reader, request.json()))
    return firsts, resends
