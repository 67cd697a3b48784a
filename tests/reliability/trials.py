"""Kill -9 trials: run a cycle, kill it, restart it, then count what was lost or doubled."""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

import crawler.daemon.once
import crawler.pipelines.store  # noqa: F401
from alerts.dispatch import retry_due
from alerts.ledger import LEASE
from crawler.store.schema import deliveries, items, messages, rule_matches
from crawler.store.store import Store
from crawler.store.types import utcnow
from tests.delivery.conftest import Received
from tests.reliability.worker import CRAWL_POINTS, DELIVERY_POINTS, FAULT_ENV, FAULT_POINTS
from tests.reliability.world import SmtpSink, Trial, make_trial
from tests.sites import FixtureSiteServer, Site

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 300.0  # one run; a clean cycle takes 15-60 s on a loaded 2-CPU machine
RESTART_ATTEMPTS = 3  # a daemon whose cycle failed runs the next one on schedule; so do we
FAULTY_LOG = "1-faulty.stderr"  # each run writes LABEL.stdout and LABEL.stderr in the trial
RESTART_LOG = "2-restart.stderr"  # later attempts: 2-restart-2.stderr, 2-restart-3.stderr
TRACEBACK = "Traceback (most recent call last)"


def log_tail(path: Path, lines: int = 20) -> list[str]:
    """The last `lines` lines of a log file (empty when it does not exist)."""
    try:
        return path.read_text("utf-8", "replace").splitlines()[-lines:]
    except OSError:
        return []


@dataclass(frozen=True)
class Attempt:
    """One restart run: its log label, exit code (None: killed at RUN_TIMEOUT), duration."""

    label: str
    code: int | None
    seconds: float
    crashed: bool  # a traceback on its stderr

    def tail(self, root: Path, lines: int = 20) -> list[str]:
        return log_tail(root / f"{self.label}.stderr", lines)


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
    restart_code: int | None = 0
    attempts: list[Attempt] = field(default_factory=list)
    root: Path | None = None  # the trial's directory (its logs, and the SQLite database)

    def restart_tail(self, lines: int = 20) -> list[str]:
        """The last `lines` lines of the last restart's stderr (empty when it left none)."""
        if self.root is None:
            return []
        label = self.attempts[-1].label if self.attempts else RESTART_LOG.rsplit(".", 1)[0]
        return log_tail(self.root / f"{label}.stderr", lines)

    @property
    def ok(self) -> bool:
        return not self.problems


class Proc:
    """A worker process: a fresh interpreter in its own process group."""

    def __init__(self, pid: int, popen: subprocess.Popen[bytes] | None = None) -> None:
        self.pid = pid
        self.popen = popen
        self.code: int | None = None

    def wait(self, timeout: float) -> int | None:
        """The exit code (negative: killed by that signal), None on timeout."""
        if self.popen is not None:
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                return None
        deadline = time.monotonic() + timeout
        while self.code is None and time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
            else:
                time.sleep(0.01)
        return self.code

    def kill(self) -> None:
        """kill -9 the whole process group (crawl children included), then reap."""
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill(self.pid, signal.SIGKILL)
        self.wait(10)


def worker(trial: Trial, fault: str | None, mode: str = "cycle", label: str = "run") -> Proc:
    """Start one run in its own process group: a whole cycle, or delivery only.

    Always a fresh interpreter: a fork of the (multi-threaded) test process can inherit a lock
    held by another thread and hang forever. Its stdout and stderr go to `LABEL.stdout` and
    `LABEL.stderr` in the trial's directory.
    """
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if fault:
        env[FAULT_ENV] = fault
    with (
        open(trial.root / f"{label}.stdout", "ab") as out,
        open(trial.root / f"{label}.stderr", "ab") as log,
    ):
        popen = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.worker",
                str(trial.config_dir),
                *(["deliver"] if mode == "deliver" else []),
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=log,
            start_new_session=True,
        )
    return Proc(popen.pid, popen)


def run_faulty(trial: Trial, fault: str, mode: str) -> bool:
    """Run the cycle with a fault: `random:<seconds>` kills after a delay, else a point."""
    label = FAULTY_LOG.rsplit(".", 1)[0]
    if fault.startswith("random:"):
        process = worker(trial, None, mode, label)
        if process.wait(float(fault.split(":", 1)[1])) is None:
            process.kill()
            return True
        return False
    process = worker(trial, fault, mode, label)
    code = process.wait(RUN_TIMEOUT)
    process.kill()  # crawl children left over by the kill die with the group
    return code == -signal.SIGKILL


def restart(trial: Trial, mode: str) -> list[Attempt]:
    """Rerun until a run completes (at most RESTART_ATTEMPTS, stopping at a crash), then let
    the lease of any orphaned message expire and retry, as the daemon's later cycles would."""
    attempts: list[Attempt] = []
    for number in range(1, RESTART_ATTEMPTS + 1):
        label = RESTART_LOG.rsplit(".", 1)[0] + ("" if number == 1 else f"-{number}")
        started = time.monotonic()
        process = worker(trial, None, mode, label)
        code = process.wait(RUN_TIMEOUT)
        process.kill()
        stderr = "\n".join(log_tail(trial.root / f"{label}.stderr", 10_000))
        attempt = Attempt(label, code, time.monotonic() - started, TRACEBACK in stderr)
        attempts.append(attempt)
        if code == 0 or attempt.crashed:
            break
    config = trial.config()
    store = Store.from_url(trial.database_url, migrate_schema=False)  # alembic: one thread
    try:
        retry_due(config, store, now=utcnow() + LEASE + timedelta(minutes=1))
    finally:
        store.close()
    return attempts


def run_trial(trial: Trial, site: Site, sink: SmtpSink, fault: str, mode: str) -> Outcome:
    """Kill one run at `fault`, restart, verify. `mode`: "cycle" or "deliver" (pre-crawled)."""
    killed = run_faulty(trial, fault, mode)
    attempts = restart(trial, mode)
    outcome = verify(trial, site, sink.handler.received)
    outcome.fault, outcome.killed, outcome.attempts = fault, killed, attempts
    outcome.restart_code, outcome.root = attempts[-1].code, trial.root
    outcome.crashes = sum(a.crashed for a in attempts)
    if outcome.crashes:
        outcome.problems.append(f"restart crashed (exit {attempts[-1].code}, traceback)")
    elif attempts[-1].code != 0:
        codes = ", ".join(str(a.code) for a in attempts)
        outcome.problems.append(f"no restart completed in {len(attempts)} runs (exit {codes})")
    return outcome


def pick_fault(rng: random.Random, mode: str, span: float) -> str:
    """A fault point of the mode, or a random kill time within `span` seconds (half)."""
    points = FAULT_POINTS if mode == "cycle" else DELIVERY_POINTS
    if rng.random() < 0.5:
        return f"{rng.choice(points)}:{rng.randint(1, 2)}"
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


@dataclass
class Campaign:
    """Trials against one fixture site and one SMTP sink; SQLite unless `database_urls`."""

    root: Path
    site: Site
    server: FixtureSiteServer
    sink: SmtpSink
    outcomes: list[Outcome] = field(default_factory=list)
    template: Path | None = None
    keep_failed: Path | None = None  # copy each failed trial's directory (logs, DB) here

    def trial(self, name: str, database_url: str | None = None) -> Trial:
        directory = self.root / name
        directory.mkdir(parents=True)
        return make_trial(directory, self.server, self.sink.port, database_url=database_url)

    def calibrate(self) -> tuple[float, float]:
        """Seconds of a clean cycle and of a delivery-only run; builds the crawled template."""
        start = time.monotonic()
        clean = self.trial("calibrate")
        if worker(clean, None).wait(RUN_TIMEOUT) != 0:
            raise RuntimeError(f"clean cycle failed: see {clean.root / 'run.stderr'}")
        cycle = time.monotonic() - start
        crawled = self.trial("template")
        worker(crawled, "before_deliver").wait(RUN_TIMEOUT)
        self.template = crawled.root / "crawled.db"
        _backup(crawled.root / "presswatch.db", self.template)
        start = time.monotonic()
        probe = self._deliver_trial("probe")
        if worker(probe, None, "deliver").wait(RUN_TIMEOUT) != 0:
            raise RuntimeError(f"delivery run failed: see {probe.root / 'run.stderr'}")
        return cycle, time.monotonic() - start

    def keep(self, trial: Trial, outcome: Outcome) -> Path:
        """Copy a failed trial's directory (config, logs of every run, SQLite DB) to keep."""
        assert self.keep_failed is not None
        target = self.keep_failed / trial.root.name
        shutil.copytree(trial.root, target, dirs_exist_ok=True)
        report = [
            f"fault: {outcome.fault}",
            f"killed: {outcome.killed}",
            f"restart exit code: {outcome.restart_code}",
            *(f"restart run {a.label}: exit {a.code}, {a.seconds:.1f} s" for a in outcome.attempts),
            f"database: {trial.database_url}",
            *(f"problem: {p}" for p in outcome.problems),
        ]
        (target / "outcome.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
        return target

    def _deliver_trial(self, name: str) -> Trial:
        trial = self.trial(name)
        assert self.template is not None
        _backup(self.template, trial.root / "presswatch.db")
        return trial

    def run(self, plan: list[tuple[str, str]], workers: int) -> list[Outcome]:
        """Run (mode, fault) trials, `workers` at a time."""

        def one(index: int, mode: str, fault: str) -> Outcome:
            name = f"{mode}-{index:04d}"
            trial = self._deliver_trial(name) if mode == "deliver" else self.trial(name)
            outcome = run_trial(trial, self.site, self.sink, fault, mode)
            if not outcome.ok and self.keep_failed is not None:
                outcome.root = self.keep(trial, outcome)
            return outcome

        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(one, n, mode, fault) for n, (mode, fault) in enumerate(plan)]
            self.outcomes.extend(f.result() for f in futures)
        return self.outcomes


def plan_trials(
    count: int, seed: int, cycle_span: float, deliver_span: float
) -> list[tuple[str, str]]:
    """Every fault point once, then seeded random picks; about a third are whole cycles."""
    rng = random.Random(seed)
    plan = [("cycle", f"{point}:1") for point in CRAWL_POINTS]
    plan += [("deliver", f"{point}:1") for point in DELIVERY_POINTS]
    while len(plan) < count:
        mode = "cycle" if rng.random() < 0.35 else "deliver"
        plan.append((mode, pick_fault(rng, mode, cycle_span if mode == "cycle" else deliver_span)))
    return plan[:count]


def _backup(source: Path, target: Path) -> None:
    """Copy a SQLite database consistently (its WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def summarize(outcomes: list[Outcome]) -> dict[str, int]:
    """The figures: trials, kills, losses, duplicates, same-Message-ID resends, crashes."""
    return {
        "trials": len(outcomes),
        "killed": sum(o.killed for o in outcomes),
        "items_lost": sum(o.items_lost for o in outcomes),
        "items_duplicated": sum(o.items_doubled for o in outcomes),
        "deliveries_lost": sum(o.deliveries_lost for o in outcomes),
        "deliveries_duplicated": sum(o.deliveries_doubled for o in outcomes),
        "same_message_id_resends": sum(o.same_id_resends for o in outcomes),
        "crashes": sum(o.crashes for o in outcomes),
        "restart_retries": sum(max(0, len(o.attempts) - 1) for o in outcomes),
        "failed_trials": sum(not o.ok for o in outcomes),
    }
