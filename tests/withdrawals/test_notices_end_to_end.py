"""Issue 18 end to end: a fixture site's sent statement changes and disappears, and the
reader hears of it by email (aiosmtpd), once, through the real pieces - the crawl child
process (its recheck round at an injected `--now`), the daemon's crawl and digest jobs
(which enqueue and dispatch through the ledger) and `presswatch status`. Nothing is seeded:
the match is sent by the crawl job, edits and withdrawals are what the rechecks saw."""

from __future__ import annotations

import email
import email.policy
import json
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from crawler.cli.main import cli
from crawler.config import Config
from crawler.crawl.runner import run_child
from crawler.crawl.summary import RunSummary
from crawler.daemon.jobs import crawl_job, digest_job
from crawler.daemon.lock import Holder
from crawler.daemon.state import DaemonState
from crawler.store.store import Store
from crawler.store.types import utcnow
from spiders.catalog import load_config
from tests.delivery.conftest import RecordingHandler, free_port
from tests.sites import FixtureSiteServer, listing_source, write_config
from tests.withdrawals.site import FILLER, FIRST_DAY, ChangingSite, Statement, states

SOURCE = "fixture-listing"
READER = "analyst@example.org"
STABLE = "Both sides reaffirmed their commitment to strategic stability in the region."
ADDED = "New sanctions were not discussed."
# Edits of stability are told at once; of sanctions, in the next digest.
RULES = [
    {
        "id": "stability",
        "name": "Strategic stability",
        "query": '"strategic stability"',
        "mode": "immediate",
        "on_edit": "notify",
    },
    {"id": "sanctions", "name": "Sanctions", "query": "sanctions", "on_edit": "digest"},
]


class Clock:
    """The crawl child's `--now`: the recheck round's time, advanced by the test."""

    def __init__(self) -> None:
        self.now: datetime | None = None  # None: the child's real clock
        self.runs: list[RunSummary] = []

    def crawls(self, config: Config, source_ids: Sequence[str]) -> list[RunSummary]:
        """The daemon's crawl runner, with the child's clock at `now`."""
        return [self._crawl(config, source_id) for source_id in source_ids]

    def _crawl(self, config: Config, source_id: str) -> RunSummary:
        with tempfile.TemporaryDirectory() as tmp:
            summary = Path(tmp) / "summary.json"
            extra = ["--summary", str(summary)]
            extra += ["--now", self.now.isoformat()] if self.now else []
            failure = run_child(config, source_id, extra)
            assert not failure, failure
            run = RunSummary.from_json(json.loads(summary.read_text("utf-8")))
            self.runs.append(run)
            return run


@pytest.fixture
def mailbox() -> Iterator[tuple[int, RecordingHandler]]:
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, handler
    finally:
        controller.stop()


@pytest.fixture
def world(
    database_url: str,
    fixture_site: FixtureSiteServer,
    mailbox: tuple[int, RecordingHandler],
    tmp_path: Path,
) -> Iterator[tuple[DaemonState, Clock, Path]]:
    """A config (one source, the rules, a reader of both with alerts and a digest), the
    daemon state whose crawl jobs run the real child at the clock."""
    settings: dict[str, Any] = {
        "mail": {
            "transport": "smtp",
            "from": "presswatch <pw@example.org>",
            "smtp": {"host": "127.0.0.1", "port": mailbox[0], "security": "none"},
        },
        "recipients": [{"id": "analyst", "address": READER, "rules": ["stability", "sanctions"]}],
        "database": {"url": database_url},  # SQLite, and a fresh PostgreSQL schema
    }
    directory = write_config(tmp_path, [listing_source(fixture_site)], RULES, settings)
    config = load_config(directory)
    clock = Clock()
    store = Store.from_config(config)
    try:
        yield DaemonState(config, store, Holder.me(), crawls=clock.crawls), clock, directory
    finally:
        store.close()


def _statement(slug: str, body: str) -> Statement:
    day = (utcnow() - FIRST_DAY).days - 1  # published yesterday: alerted, not stale
    return Statement(slug, f"Statement {slug}", day, body)


def _messages(handler: RecordingHandler, start: int) -> list[EmailMessage]:
    out = []
    for received in handler.received[start:]:
        assert list(received.rcpt_tos) == [READER]
        message = email.message_from_bytes(received.data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        out.append(message)
    return out


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def _round(state: DaemonState, clock: Clock, at: datetime) -> None:
    """A recheck crawl at `at`, as the daemon's crawl job runs it (alerts sent after)."""
    clock.now = at
    crawl_job(state, SOURCE)


def test_a_sent_statement_edited_then_withdrawn_reaches_its_reader_once(
    world: tuple[DaemonState, Clock, Path],
    fixture_site: FixtureSiteServer,
    mailbox: tuple[int, RecordingHandler],
) -> None:
    state, clock, _ = world
    _, handler = mailbox
    site = ChangingSite(fixture_site.site)
    site.publish(_statement("talks", f"{FILLER}\n\n{STABLE}"))

    # 1. The crawl finds it; the crawl job alerts the reader; the digest carries it too.
    crawl_job(state, SOURCE)
    [alert] = _messages(handler, 0)
    assert "Statement talks" in str(alert["Subject"]) and "strategic stability" in _parts(alert)[0]
    digest_job(state, "analyst")
    [_, digest] = _messages(handler, 0)
    assert "Statement talks" in _parts(digest)[0]
    seen, sent = len(handler.received), utcnow()

    # 2a. A typo fix outside the matched passage: rechecked, no notice.
    site.edit("talks", FILLER.replace("counterpart", "counterpart's") + "\n\n" + STABLE)
    _round(state, clock, sent + timedelta(hours=7))
    assert fixture_site.count(site.statements["talks"].path) == 2
    assert _messages(handler, seen) == []

    # 2b. A phrase matching the reader's other rule (`on_edit: digest`): no alert, one
    # notice in the next digest, the added words marked.
    site.edit("talks", f"{FILLER}\n\n{STABLE} {ADDED}")
    _round(state, clock, sent + timedelta(hours=14))
    assert _messages(handler, seen) == []
    digest_job(state, "analyst")
    [added] = _messages(handler, seen)
    text, html = _parts(added)
    assert "1 changed on Sanctions" in str(added["Subject"])
    assert "now mentions sanctions" in text.lower()
    assert "{+New sanctions were not discussed.+}" in text and "<ins" in html
    seen = len(handler.received)

    # 2c. The matched sentence removed: one notice with the word diff.
    site.edit("talks", f"{FILLER}\n\n{ADDED}")
    _round(state, clock, sent + timedelta(hours=21))
    [removed] = _messages(handler, seen)
    text, html = _parts(removed)
    assert "matched passage removed" in str(removed["Subject"])
    assert f"[-{STABLE}-]" in text and "{+" not in text
    assert "<del" in html and "strategic stability in the region" in html
    seen = len(handler.received)

    # 3. Gone (404) twice, a day apart: one withdrawal with the last text held. (The
    # child's clock runs on from `--now`: a round an hour past the due time.)
    site.answer("talks", 404)
    _round(state, clock, sent + timedelta(days=2))
    assert _messages(handler, seen) == [] and states(state.store) == {1: ("suspect", 4)}
    _round(state, clock, sent + timedelta(days=3, hours=1))
    [withdrawn] = _messages(handler, seen)
    text, html = _parts(withdrawn)
    assert "withdrawn" in str(withdrawn["Subject"]) and "== Withdrawn (1) ==" in text
    assert "Last text held:" in text and ADDED in text and ADDED in html
    seen = len(handler.received)

    # Further runs (and the digest) send nothing more.
    _round(state, clock, sent + timedelta(days=5))
    digest_job(state, "analyst")
    assert _messages(handler, seen) == []


def test_an_outage_sends_no_withdrawal_and_status_shows_the_source_degraded(
    world: tuple[DaemonState, Clock, Path],
    fixture_site: FixtureSiteServer,
    mailbox: tuple[int, RecordingHandler],
) -> None:
    state, clock, directory = world
    _, handler = mailbox
    site = ChangingSite(fixture_site.site)
    for slug in ("one", "two"):
        site.publish(_statement(slug, f"{FILLER}\n\n{STABLE}"))
    crawl_job(state, SOURCE)
    assert len(_messages(handler, 0)) == 1
    seen, sent = len(handler.received), utcnow()

    site.answer("one", 503)
    site.answer("two", 404)  # during an outage a 404 says nothing
    for hours in (7, 14):  # the 404 twice, 7 h apart: a withdrawal but for the outage
        _round(state, clock, sent + timedelta(hours=hours))
        assert clock.runs[-1].recheck_outage and clock.runs[-1].health == "degraded"
    assert _messages(handler, seen) == []
    assert {s for s, _ in states(state.store).values()} == {"unknown"}

    result = CliRunner().invoke(cli, ["--config", str(directory), "status"])
    problem = "fixture-listing: degraded since "
    assert problem in result.output and "source outage: all 2 rechecks" in result.output
    assert "2 watched, 0 due, 0 withdrawn, 2 unknown" in result.output, result.output
