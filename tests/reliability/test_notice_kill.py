"""kill -9 of a dispatch run that sends edit notices, then the daemon's next cycles.

Three readers (email to the outbox + a signed webhook each) were sent four statements;
each statement then changed (a matched passage edited: one edit event each, `on_edit:
notify`). A worker process runs the dispatch (`deliver_immediate`: enqueue the notices
and mark the events taken in one transaction, then send) and is killed: by the receiver
on the k-th POST (accepted, not yet marked sent), or after a seeded delay (anywhere:
inside the enqueue transaction, between messages, mid-send). Then `retry_due` once the
lease expired and another `deliver_immediate`. Every reader got every edit notice on
each endpoint; no edit notice twice, except a webhook re-sent under the same
`webhook-id` (the documented at-least-once case); every event taken once.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from alerts.dispatch import deliver_digests, deliver_immediate, retry_due
from alerts.ledger import LEASE
from alerts.rules import ItemMatcher
from crawler.config import Config
from crawler.store.edits import EditWatch
from crawler.store.items import ItemRecord, prepare_records
from crawler.store.matches import RuleMatches
from crawler.store.schema import item_edits
from crawler.store.store import Store
from crawler.store.writer import write_batch
from tests.delivery.receiver import Receiver, Request, serve
from tests.ledger.notices import BODY, PUBLISHED, RULES
from tests.ledger.seed import NOW, parse, text_of, write_config
from tests.reliability.webhook_trials import (
    READERS,
    first_receipts,
    kill_plan,
    kill_worker,
    recipients,
    start_worker,
)

STATEMENTS = 4
SEED = 1812
EDITED_AT = NOW + timedelta(hours=3)
WORKER = """
import sys
from datetime import datetime
from pathlib import Path
from alerts.dispatch import deliver_immediate
from crawler.config import load_config
from crawler.store.store import Store
config = load_config(Path(sys.argv[1]), environ={})
store = Store.from_config(config)
deliver_immediate(config, store, now=datetime.fromisoformat(sys.argv[2]))
store.close()
"""


@dataclass
class Outcome:
    fault: str
    killed: bool
    lost: int = 0
    duplicates: int = 0
    same_id_resends: int = 0
    problems: list[str] = field(default_factory=list)


def _config(root: Path, hook: Receiver) -> Config:
    return write_config(root, recipients=recipients(hook, rules=["stability"]), rules=RULES)


def _write(store: Store, config: Config, edited: bool) -> None:
    """The statements, as first crawled or with their matched passage edited."""
    matcher = ItemMatcher.from_config(config.enabled_rules, {})
    assert matcher is not None
    hooks = [RuleMatches(matcher), EditWatch.from_rules(matcher, config.enabled_rules)]
    pages = [
        ItemRecord(
            "mfa",
            f"https://mfa.example/press/{n}",
            f"Statement {n}",
            BODY.replace("region", f"region, talks {n} and beyond" if edited else f"region {n}"),
            published_at=PUBLISHED,
        )
        for n in range(STATEMENTS)
    ]
    write_batch(store, prepare_records(pages), hooks)


def _trial(root: Path, fault: str, delay: float | None, kill_on: int | None) -> Outcome:
    root.mkdir(parents=True)
    receiver_gen = serve()
    hook = next(receiver_gen)
    try:
        config = _config(root, hook)
        store = Store.from_config(config)
        _write(store, config, edited=False)
        deliver_digests(config, store, now=NOW)  # every reader got every statement
        before = len(hook.requests)
        mail_before = set((config.data_dir / "outbox").glob("*.eml"))
        _write(store, config, edited=True)
        with (root / "worker.err").open("wb") as errors:
            worker = start_worker(WORKER, config.directory, EDITED_AT, errors)
            killed = kill_worker(worker, hook, delay, kill_on, before)
        if not killed and worker.returncode != 0:
            raise AssertionError((root / "worker.err").read_text())
        later = EDITED_AT + LEASE + LEASE
        retry_due(config, store, now=later)  # orphans whose lease expired
        deliver_immediate(config, store, now=later)  # what the killed run never queued/sent
        mail = [p for p in (config.data_dir / "outbox").glob("*.eml") if p not in mail_before]
        outcome = _check(fault, killed, hook.requests[before:], mail)
        _check_taken(store, outcome)
        store.close()
        return outcome
    finally:
        receiver_gen.close()


def _check(fault: str, killed: bool, requests: list[Request], mail: list[Path]) -> Outcome:
    outcome = Outcome(fault, killed)
    hooked: dict[str, Counter[str]] = defaultdict(Counter)
    firsts, outcome.same_id_resends = first_receipts(requests, outcome.problems)
    for reader, body in firsts:
        hooked[reader].update(change["item"]["title"] for change in body["changes"])
    mailed: dict[str, Counter[str]] = defaultdict(Counter)
    message_ids: Counter[str] = Counter()
    for path in mail:
        message = parse(path.read_bytes())
        message_ids[str(message["Message-ID"])] += 1
        text = text_of(message)
        reader = str(message["To"]).split("@")[0]
        mailed[reader].update(
            f"Statement {n}" for n in range(STATEMENTS) if f"* Statement {n}\r\n" in text
        )
    outcome.duplicates += sum(n - 1 for n in message_ids.values())
    for reader in READERS:
        for got in (hooked[reader], mailed[reader]):
            outcome.lost += STATEMENTS - len(got)
            outcome.duplicates += sum(n - 1 for n in got.values())
    return outcome


def _check_taken(store: Store, outcome: Outcome) -> None:
    with store.connect() as connection:
        events = connection.execute(select(func.count()).select_from(item_edits)).scalar_one()
        untaken = connection.execute(
            select(func.count()).where(item_edits.c.notified_at.is_(None))
        ).scalar_one()
    if (events, untaken) != (STATEMENTS, 0):
        outcome.problems.append(f"{events} edit events, {untaken} not taken")


@pytest.mark.timeout(600)
def test_kill9_while_sending_edit_notices(tmp_path: Path) -> None:
    outcomes = [
        _trial(tmp_path / f"trial-{n}", fault, delay, kill_on)
        for n, (fault, delay, kill_on) in enumerate(kill_plan(SEED, 0.3, 2.5))
    ]
    figures = {
        "trials": len(outcomes),
        "killed": sum(o.killed for o in outcomes),
        "lost": sum(o.lost for o in outcomes),
        "duplicates": sum(o.duplicates for o in outcomes),
        "same_webhook_id_resends": sum(o.same_id_resends for o in outcomes),
    }
    print(json.dumps(figures))
    problems = [f"{o.fault}: {p}" for o in outcomes for p in o.problems]
    assert not problems, problems
    assert figures["killed"] >= len(READERS), figures
    assert figures["lost"] == 0 and figures["duplicates"] == 0, figures
    # each "after_receipt" kill leaves one webhook accepted but unrecorded: it comes again
    assert figures["same_webhook_id_resends"] >= len(READERS), figures
