"""kill -9 of a delivery run while webhooks are in flight, then the daemon's retry.

The receiver itself kills the sender on the k-th POST, after reading the body and before
answering: "accepted by the receiver, not yet marked sent". Random trials kill after a
seeded delay instead. After the restart (`retry_due` once the lease expired, then the
digest job for the readers the killed run never reached) every item
reached every endpoint of every reader, the email endpoints exactly once, and a webhook
delivered twice only under the same `webhook-id` (the documented at-least-once case).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from alerts.dispatch import deliver_digests, retry_due
from alerts.ledger import LEASE
from alerts.notify.webhook import verify
from crawler.store.store import Store
from tests.delivery.receiver import Receiver, Request, serve
from tests.ledger.seed import NOW, parse, seed_matches, write_config

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
READERS = ("ana", "ben", "cem")
ITEMS = 4
SEED = 1207
WORKER = """
import sys
from datetime import datetime
from pathlib import Path
from alerts.dispatch import deliver_digests
from crawler.config import load_config
from crawler.store.store import Store
config = load_config(Path(sys.argv[1]), environ={})
store = Store.from_config(config)
deliver_digests(config, store, now=datetime.fromisoformat(sys.argv[2]))
store.close()
"""


@dataclass
class Outcome:
    fault: str
    killed: bool
    lost: int = 0
    email_duplicates: int = 0
    same_id_resends: int = 0
    other_duplicates: int = 0
    problems: list[str] = field(default_factory=list)


def _config(root: Path, hook: Receiver) -> Any:
    recipients = [
        {
            "id": reader,
            "endpoints": [
                {"email": f"{reader}@example.org"},
                {"webhook": hook.url(f"/{reader}"), "secret": SECRET},
            ],
        }
        for reader in READERS
    ]
    return write_config(root, recipients=recipients)


def _trial(root: Path, fault: str, delay: float | None, kill_on: int | None) -> Outcome:
    root.mkdir(parents=True)
    receiver_gen = serve()
    hook = next(receiver_gen)
    try:
        config = _config(root, hook)
        store = Store.from_config(config)
        seed_matches(store, ITEMS)
        with (root / "worker.err").open("wb") as errors:
            worker = _start(config.directory, errors)
            killed = _kill(worker, hook, delay, kill_on)
        if not killed and worker.returncode != 0:
            raise AssertionError((root / "worker.err").read_text())
        # the daemon's next cycles: the retry job (orphans whose lease expired), then the
        # digest job (readers the killed run never reached)
        retry_due(config, store, now=NOW + LEASE + LEASE)
        deliver_digests(config, store, now=NOW + LEASE + LEASE)
        outcome = _check(fault, killed, config.data_dir, hook.requests)
        store.close()
        return outcome
    finally:
        receiver_gen.close()


def _start(directory: Path, errors: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(directory), NOW.isoformat()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )


def _kill(
    worker: subprocess.Popen[bytes], hook: Receiver, delay: float | None, kill_on: int | None
) -> bool:
    """Kill on the `kill_on`-th POST (before the answer), or after `delay` seconds."""
    killed = False

    def on_request(_request: Request) -> None:
        nonlocal killed
        if kill_on is not None and len(hook.requests) == kill_on:
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


def _check(fault: str, killed: bool, data_dir: Path, requests: list[Request]) -> Outcome:
    outcome = Outcome(fault, killed)
    by_reader: dict[str, Counter[str]] = defaultdict(Counter)
    ids: dict[str, set[str]] = defaultdict(set)
    for request in requests:
        if not verify(SECRET, request.headers, request.body):
            outcome.problems.append(f"bad signature on {request.path}")
        body = request.json()
        reader = request.path.strip("/")
        webhook_id = request.headers["webhook-id"]
        if webhook_id in ids[reader]:
            outcome.same_id_resends += 1
            continue
        ids[reader].add(webhook_id)
        for section in body["sections"]:
            by_reader[reader].update(item["id"] for item in section["items"])
    mail: dict[str, Counter[str]] = defaultdict(Counter)
    for path in (data_dir / "outbox").glob("*.eml"):
        message = parse(path.read_bytes())
        mail[str(message["To"]).split("@")[0]][str(message["Message-ID"])] += 1
    for reader in READERS:
        got = by_reader[reader]
        outcome.lost += ITEMS - len(got)
        outcome.other_duplicates += sum(n - 1 for n in got.values())
        outcome.email_duplicates += sum(mail[reader].values()) - len(mail[reader])
        if len(mail[reader]) != 1:
            outcome.problems.append(f"{reader}: {len(mail[reader])} digests by email")
    return outcome


def _plan() -> list[tuple[str, float | None, int | None]]:
    rng = random.Random(SEED)
    named: list[tuple[str, float | None, int | None]] = [
        (f"after_receipt:{k}", None, k) for k in range(1, len(READERS) + 1)
    ]
    return named + [(f"random:{i}", rng.uniform(0.5, 3.0), None) for i in range(3)]


@pytest.mark.timeout(600)
def test_kill9_between_webhook_receipt_and_ledger_update(tmp_path: Path) -> None:
    outcomes = [
        _trial(tmp_path / f"trial-{n}", fault, delay, kill_on)
        for n, (fault, delay, kill_on) in enumerate(_plan())
    ]
    figures = {
        "trials": len(outcomes),
        "killed": sum(o.killed for o in outcomes),
        "lost": sum(o.lost for o in outcomes),
        "email_duplicates": sum(o.email_duplicates for o in outcomes),
        "other_duplicates": sum(o.other_duplicates for o in outcomes),
        "same_webhook_id_resends": sum(o.same_id_resends for o in outcomes),
    }
    print(json.dumps(figures))
    problems = [f"{o.fault}: {p}" for o in outcomes for p in o.problems]
    assert not problems, problems
    assert figures["killed"] >= len(READERS), figures
    assert figures["lost"] == 0 and figures["other_duplicates"] == 0, figures
    assert figures["email_duplicates"] == 0, figures
    # each "after_receipt" kill leaves one webhook accepted but unrecorded: it comes again
    assert figures["same_webhook_id_resends"] >= len(READERS), figures
