"""Render the status report: JSON for machines, aligned text for people."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, time
from typing import Any

from alerts.feedstate import FeedWriteState
from alerts.ledger import RecipientLedger, endpoint_backlog_lines
from crawler.cluster.inspect import ClusterStatus
from crawler.daemon.status import (
    DaemonStatus,
    LedgerCounts,
    RecipientStatus,
    SourceStatus,
    StatusReport,
)
from crawler.formatting import format_due, format_time, plural
from crawler.store.evidence import evidence_line

At = Callable[[datetime | None], str]


def to_json(report: StatusReport) -> str:
    """The report as JSON; datetimes in ISO 8601 with offset."""
    data = asdict(report)
    if not report.daemon.running and report.daemon.pid is None:
        data["daemon"] = {"running": False}  # no lease at all: nothing more to say
    return json.dumps(data, default=_default, indent=2, ensure_ascii=False)


def _default(value: Any) -> str:
    if isinstance(value, datetime | time):
        return value.isoformat()
    return str(value)


def to_text(report: StatusReport) -> str:
    """A one-screen summary; every time in the config's timezone, in one format."""
    now = report.now
    zone = report.timezone

    def at(value: datetime | None) -> str:
        return format_time(value, zone)

    def due(value: datetime | None) -> str:
        return format_due(value, now, zone)

    lines = [_daemon_line(report.daemon, at)]
    lines += [
        f"standby: pid {d.pid} on {d.host}, waiting since {at(d.since)}" for d in report.standbys
    ]
    lines += [f"database: {report.database}", *_cluster(report.cluster), ""]
    lines.append(f"{'source':<28} {'health':<10} {'last run':<22} {'last new':<22} next run")
    for s in report.sources:
        next_text = due(s.next_run_at) if s.enabled else "disabled"
        if not s.in_config:
            next_text = "not in the config on disk"
        lines.append(
            f"{s.id:<28} {s.health:<10} {at(s.last_run_at):<22} "
            f"{at(s.last_new_item_at):<22} {next_text}"
        )
    lines += _problems(report.sources, at)
    lines += _rechecks(report.sources)
    lines += ["", "deliveries: " + _ledger(report.deliveries)]
    lines.append("messages:   " + _ledger(report.messages))
    if report.notices:
        lines.append("notices:    " + _ledger(report.notices))
    lines += _backlog(report.backlog, at)
    lines += _endpoint_backlog(report.backlog, at)
    if report.evidence is not None:
        lines.append(evidence_line(report.evidence))
    lines += _feeds(report.feeds, at)
    lines.append("")
    lines.append(f"{'recipient':<32} {'time':<6} {'timezone':<20} {'last digest':<22} next digest")
    for r in report.recipients:
        time_text = r.digest_time.strftime("%H:%M")
        next_text = due(r.next_digest_at) if r.enabled else "disabled"
        lines.append(
            f"{r.key:<32} {time_text:<6} {r.timezone:<20} {at(r.last_digest_at):<22} {next_text}"
        )
    lines += _undelivered(report.recipients, at)
    return "\n".join(lines)


def _feeds(feeds: list[FeedWriteState], at: At) -> list[str]:
    """Each Atom feed directory: when last written, or since when and why it is not."""
    lines = []
    for f in feeds:
        if f.last_error is None:
            lines.append(f"feeds: {f.directory} written {at(f.last_written_at)}")
        else:
            lines.append(
                f"feeds: {f.directory} NOT WRITTEN at {at(f.last_error_at)}: {f.last_error}"
                + (f" (last written {at(f.last_written_at)})" if f.last_written_at else "")
            )
    return lines


def _cluster(cluster: ClusterStatus | None) -> list[str]:
    """The Celery workers and queue lengths (nothing with the local executor)."""
    if cluster is None:
        return []
    lines = [f"crawl executor: celery, broker {cluster.broker}"]
    if cluster.error:
        return [*lines, f"  broker not reachable: {cluster.error}"]
    queues = ", ".join(
        f"{name} {'?' if length is None else length}" for name, length in cluster.queues.items()
    )
    lines.append(f"  queues (waiting tasks): {queues or 'none'}")
    if not cluster.workers:
        lines.append("  workers: none answered")
    for worker in cluster.workers:
        lines.append(f"  worker {worker.name}: {worker.active} crawl(s) running")
    return lines


def _problems(sources: list[SourceStatus], at: At) -> list[str]:
    """Why each unhealthy source is unhealthy (the crawl's own words)."""
    lines = []
    for s in sources:
        if s.health not in ("ok", "new") and s.health_detail:
            lines.append(f"  {s.id}: {s.health} since {at(s.health_since)}: {s.health_detail}")
    return ["", "problems:", *lines] if lines else []


def _rechecks(sources: list[SourceStatus]) -> list[str]:
    """Per source with sent items watched: the recheck round's counts and budget."""
    lines = []
    for s in sources:
        r = s.rechecks
        if r is None or not (r.watched or r.withdrawn or r.spent):
            continue
        off = "" if r.enabled else " (rechecks off)"
        lines.append(
            f"  {s.id}: {r.watched} watched, {r.due} due, {r.withdrawn} withdrawn,"
            f" {r.unknown} unknown; {r.spent}/{r.budget} rechecks in the last 24 h{off}"
        )
    return ["", "rechecks of sent items:", *lines] if lines else []


def _backlog(entries: list[RecipientLedger], at: At) -> list[str]:
    """Per recipient: what is not delivered yet, and the mail server's last refusal."""
    lines = []
    for entry in entries:
        counts = (
            f"{plural(entry.pending, 'pending delivery', 'pending deliveries')}, "
            f"{entry.failed} failed, {entry.dead} given up"
        )
        lines.append(f"  {entry.recipient}: {counts}")
        if entry.last_error:
            channel = entry.last_error_channel or "message"
            retry = entry.next_attempt_at
            when = f"; next try {at(retry)}" if retry else ""
            lines.append(f"    last error ({channel}): {entry.last_error}{when}")
    return lines


def _endpoint_backlog(entries: list[RecipientLedger], at: At) -> list[str]:
    """Each endpoint's own backlog, once a reader has more than plain email."""
    endpoints = [e for entry in entries for e in entry.endpoints]
    if all(e.endpoint == "email" for e in endpoints):
        return []
    return endpoint_backlog_lines(endpoints, at)


def _undelivered(recipients: list[RecipientStatus], at: At) -> list[str]:
    """Digests composed but not accepted by the mail server: never shown as "last digest"."""
    lines = []
    for r in recipients:
        digest = r.undelivered_digest
        if digest is None:
            continue
        state = {"dead": "given up", "failed": "failed", "pending": "being sent"}.get(
            digest.status, digest.status
        )
        tries = plural(digest.attempts, "attempt")
        error = f": {digest.last_error}" if digest.last_error else ""
        retry = f", next try {at(digest.next_attempt_at)}" if digest.next_attempt_at else ""
        lines.append(
            f"  {r.key}: digest of {at(digest.created_at)} not delivered "
            f"({state}, {tries}{retry}){error}"
        )
    return ["", "undelivered digests:", *lines] if lines else []


def _daemon_line(daemon: DaemonStatus, at: At) -> str:
    if not daemon.running:
        return "daemon: not running"
    return (
        f"daemon: running (pid {daemon.pid} on {daemon.host}, "
        f"since {at(daemon.since)}, heartbeat {at(daemon.heartbeat_at)})"
    )


def _ledger(counts: LedgerCounts) -> str:
    if not counts:
        return "none"
    parts = []
    for channel, by_status in sorted(counts.items()):
        inner = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
        parts.append(f"{channel}: {inner}")
    return "; ".join(parts)
