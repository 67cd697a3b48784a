"""Kill -9 trials: run a cycle, kill it, restart it, then count what was lost or doubled."""

from __future__ import annotations

import email
import email.policy
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from alerts.dispatch import retry_due
from alerts.ledger import LEASE
from crawler.store.schema import deliveries, items, messages, rule_matches
from crawler.store.store import Store
from crawler.store.types import utcnow
from tests.delivery.conftest import Received
from tests.reliability.world import SmtpSink, Trial
from tests.reliability.worker import FAULT_ENV, FAULT_POINTS
from tests.sites import Site

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 120.0


@dataclass
class Outcome:
    """What one trial found after the restart."""

    fault: str
    killed: bool
    items_lost: int = 0
    items_doubled: int = 0
    deliveries_lost: int = 0
    deliveries_doubled: int = 0
    same_id_resends: int = 0
    crashes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def worker(trial: Trial, fault: str | None) -> subprocess.Popen[bytes]:
    """Start one cycle in its own process group (so kill -9 reaches crawl children too)."""
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    if fault:
        env[FAULT_ENV] = fault
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.worker", str(trial.config_dir)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(trial.root / "worker.log", "ab"),  # noqa: SIM115 - the child owns it
        start_new_session=True,
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(10)


def run_faulty(trial: Trial, fault: str) -> bool:
    """Run the cycle with a fault: `random:<seconds>` kills after a delay, else a point."""
    if fault.startswith("random:"):
        process = worker(trial, None)
        try:
            process.wait(float(fault.split(":", 1)[1]))
        except subprocess.TimeoutExpired:
            kill_group(process)
            return True
        return False
    process = worker(trial, fault)
    try:
        code = process.wait(RUN_TIMEOUT)
    finally:
        kill_group(process)  # crawl children left over by the kill die with the group
    return code == -signal.SIGKILL


def restart(trial: Trial) -> int:
    """Rerun to completion, then let the lease of any orphaned message expire and retry."""
    process = worker(trial, None)
    try:
        code = process.wait(RUN_TIMEOUT)
    finally:
        kill_group(process)
    config = trial.config()
    store = Store.from_config(config)
    try:
        retry_due(config, store, now=utcnow() + LEASE + timedelta(minutes=1))
    finally:
        store.close()
    return code


def run_trial(trial: Trial, site: Site, sink: SmtpSink, fault: str) -> Outcome:
    killed = run_faulty(trial, fault)
    code = restart(trial)
    outcome = verify(trial, site, sink.handler.received)
    outcome.fault, outcome.killed = fault, killed
    if code != 0:
        outcome.crashes += 1
        outcome.problems.append(f"restart exited {code}")
    return outcome


def pick_fault(rng: random.Random, span: float) -> str:
    """A fault point, or a random kill time within `span` seconds (half the trials)."""
    if rng.random() < 0.5:
        return f"{rng.choice(FAULT_POINTS)}:{rng.randint(1, 2)}"
    return f"random:{rng.uniform(0.05, span):.2f}"


def verify(trial: Trial, site: Site, received: list[Received]) -> Outcome:
    """Every article stored once, matched, delivered; no item in two different messages."""
    outcome = Outcome("", killed=False)
    store = Store.from_url(trial.database_url, migrate_schema=False)
    try:
        _check_store(store, site, outcome)
        channel_of = _channels(store)
    finally:
        store.close()
    _check_mail(trial, site, received, channel_of, outcome)
    return outcome


def _check_store(store: Store, site: Site, outcome: Outcome) -> None:
    paths = {a.path for a in site.articles}
    with store.connect() as connection:
        urls = Counter(u.split("://", 1)[1].split("/", 1)[1] for u in _urls(connection))
        per_match = connection.execute(
            select(rule_matches.c.item_id, rule_matches.c.rule_id, func.count()).group_by(
                rule_matches.c.item_id, rule_matches.c.rule_id
            )
        ).all()
        unsent = connection.execute(
            select(func.count()).where(deliveries.c.status != "sent")
        ).scalar_one()
    stored = {"/" + u for u in urls}
    outcome.items_lost = len(paths - stored)
    outcome.items_doubled = sum(n - 1 for n in urls.values() if n > 1)
    expected_matches = len(paths) + sum(1 for a in site.articles if "urgent" in a.title)
    if len(per_match) != expected_matches or any(n != 1 for *_, n in per_match):
        outcome.problems.append(f"rule matches {len(per_match)} != {expected_matches}")
    if unsent:
        outcome.problems.append(f"{unsent} deliveries not sent")
    if outcome.items_lost or outcome.items_doubled:
        outcome.problems.append(f"items lost {outcome.items_lost}, doubled {outcome.items_doubled}")


def _urls(connection: object) -> list[str]:
    return list(connection.execute(select(items.c.url)).scalars())  # type: ignore[attr-defined]


def _channels(store: Store) -> dict[str, str]:
    with store.connect() as connection:
        rows = connection.execute(select(messages.c.message_id, messages.c.channel)).all()
    return {f"<{mid.strip('<>')}>": channel for mid, channel in rows}


def _check_mail(
    trial: Trial,
    site: Site,
    received: list[Received],
    channel_of: dict[str, str],
    outcome: Outcome,
) -> None:
    titles = {a.title: a for a in site.articles}
    for address in trial.recipients:
        mine = [r for r in list(received) if address in r.rcpt_tos]
        seen: dict[tuple[str, str], set[str]] = defaultdict(set)
        copies: Counter[str] = Counter()
        for message in mine:
            parsed = email.message_from_bytes(message.data, policy=email.policy.default)
            message_id = str(parsed["Message-ID"])
            copies[message_id] += 1
            channel = channel_of.get(message_id, "?")
            text = _text(parsed)
            for title in titles:
                if title in text and not (channel == "digest" and _alerted_only(text, title)):
                    seen[(channel, title)].add(message_id)
        outcome.same_id_resends += sum(n - 1 for n in copies.values())
        _count_deliveries(address, titles, seen, outcome)


def _alerted_only(text: str, title: str) -> bool:
    return False


def _count_deliveries(
    address: str,
    titles: dict[str, object],
    seen: dict[tuple[str, str], set[str]],
    outcome: Outcome,
) -> None:
    for title in titles:
        wanted = ["digest", *(["immediate"] if "urgent" in title else [])]
        for channel in wanted:
            ids = seen.get((channel, title), set())
            if not ids:
                outcome.deliveries_lost += 1
                outcome.problems.append(f"{address} never got {channel} {title!r}")
            elif len(ids) > 1:
                outcome.deliveries_doubled += 1
                outcome.problems.append(f"{address} got {channel} {title!r} in {len(ids)} messages")


def _text(message: email.message.Message) -> str:
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(part.get_content()) if part is not None else ""


def timed(func: object) -> float:
    start = time.monotonic()
    func()  # type: ignore[operator]
    return time.monotonic() - start
