"""Render the status report: JSON for machines, aligned text for people."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from crawler.daemon.status import Report


def to_json(report: Report) -> str:
    """The report as JSON; datetimes in ISO 8601 with offset."""
    return json.dumps(report, default=_default, indent=2, ensure_ascii=False)


def _default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "-"
    return "now (due)" if value <= now else f"{value:%Y-%m-%d %H:%M %Z}"


def to_text(report: Report) -> str:
    """A one-screen summary."""
    now: datetime = report["now"]
    lines = [_daemon_line(report["daemon"], now), f"database: {report['database']}", ""]
    lines.append(f"{'source':<28} {'health':<10} {'last run':<18} {'last new':<18} next run")
    for s in report["sources"]:
        next_text = _when(s["next_run_at"], now) if s["enabled"] else "disabled"
        last_new = s["last_new_item_at"]
        lines.append(
            f"{s['id']:<28} {s['health']:<10} {_past(s['last_run_at']):<18} "
            f"{_past(last_new):<18} {next_text}"
        )
    lines += _problems(report["sources"])
    lines += ["", "deliveries: " + _ledger(report["deliveries"])]
    lines.append("messages:   " + _ledger(report["messages"]))
    lines += _backlog(report.get("backlog", []))
    lines.append("")
    lines.append(f"{'recipient':<32} {'time':<6} {'timezone':<20} {'last digest':<18} next digest")
    for r in report["recipients"]:
        time_text = r["digest_time"][:5]
        next_text = _when(r["next_digest_at"], now) if r["enabled"] else "disabled"
        lines.append(
            f"{r['key']:<32} {time_text:<6} {r['timezone']:<20} "
            f"{_past(r['last_digest_at']):<18} {next_text}"
        )
    return "\n".join(lines)


def _problems(sources: list[Report]) -> list[str]:
    """Why each unhealthy source is unhealthy (the crawl's own words)."""
    lines = []
    for s in sources:
        if s["health"] not in ("ok", "new") and s.get("health_detail"):
            since = _past(s.get("health_since"))
            lines.append(f"  {s['id']}: {s['health']} since {since}: {s['health_detail']}")
    return ["", "problems:", *lines] if lines else []


def _backlog(entries: list[Report]) -> list[str]:
    lines = []
    for entry in entries:
        counts = f"{entry['pending']} pending, {entry['failed']} failed, {entry['dead']} dead"
        error = f"; last error: {entry['last_error']}" if entry.get("last_error") else ""
        lines.append(f"  {entry['recipient']}: {counts}{error}")
    return lines


def _past(value: datetime | None) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M}Z"


def _daemon_line(daemon: dict[str, Any], now: datetime) -> str:
    if not daemon.get("running"):
        return "daemon: not running"
    return (
        f"daemon: running (pid {daemon['pid']} on {daemon['host']}, "
        f"since {_past(daemon['since'])}, heartbeat {_past(daemon['heartbeat_at'])})"
    )


def _ledger(counts: dict[str, dict[str, int]]) -> str:
    if not counts:
        return "none"
    parts = []
    for channel, by_status in sorted(counts.items()):
        inner = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
        parts.append(f"{channel}: {inner}")
    return "; ".join(parts)
