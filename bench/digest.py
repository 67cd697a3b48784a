"""Benchmark: render a 500-item digest 20 times, then send 100 digests to a local SMTP server."""

from __future__ import annotations

import socket
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiosmtpd.controller import Controller

from alerts.delivery import SmtpTransport, build_message, make_message_id
from alerts.digest import (
    Digest,
    DigestItem,
    DigestRenderer,
    DigestSection,
    Recipient,
    RenderedMessage,
    Snippet,
    SourceHealthLine,
)
from crawler.config.models import SmtpConfig

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
TITLES = (
    "Заявление МИД России о стратегической стабильности",
    "اسٹریٹجک استحکام پر دفتر خارجہ کا بیان",
    "外交部发言人就战略稳定问题答记者问",
    "Joint statement on arms control and New START follow-on talks",
)
SNIPPET = "The parties reaffirmed that arms control remains essential to strategic stability."


def make_item(n: int) -> DigestItem:
    """One synthetic item with two highlights and, sometimes, duplicates and an alert label."""
    hits = ((28, 40), (64, 83))
    return DigestItem(
        item_id=f"item-{n}",
        title=f"{TITLES[n % len(TITLES)]} #{n}",
        url=f"https://example.org/press/{n}",
        source_id=f"src-{n % 23}",
        source_name=f"Ministry {n % 23}",
        published_at=NOW - timedelta(minutes=7 * n),
        snippets=(Snippet(SNIPPET, hits), Snippet(SNIPPET[:60], hits[:1])),
        also_published_by=(("Agency", f"https://agency.example/{n}"),) if n % 5 == 0 else (),
        already_alerted=n % 7 == 0,
    )


def make_digest(items: int = 500, rules: int = 10) -> Digest:
    """A digest of `items` items spread over `rules` sections, with some source health."""
    all_items = [make_item(n) for n in range(items)]
    per_rule = items // rules
    sections = tuple(
        DigestSection(
            f"rule-{r}", f"Rule {r}", r, tuple(all_items[r * per_rule : (r + 1) * per_rule])
        )
        for r in range(rules)
    )
    health = (SourceHealthLine("src-1", "Ministry 1", "failing", NOW - timedelta(days=2)),)
    return Digest(
        recipient=Recipient("analyst@example.org", "Analyst", "Asia/Karachi"),
        generated_at=NOW,
        period_start=NOW - timedelta(days=1),
        sections=sections,
        health=health,
        sources_checked=23,
        sources_failing=1,
    )


def bench_render(renderer: DigestRenderer, runs: int = 20) -> tuple[float, float]:
    """Median wall and CPU seconds to render a fresh 500-item digest (subject, text, HTML).

    Each run gets its own digest objects, so nothing cached on them carries over."""
    renderer.render(make_digest())  # warm-up: compile templates
    digests = [make_digest() for _ in range(runs)]
    wall, cpu = [], []
    for digest in digests:
        started, started_cpu = time.perf_counter(), time.process_time()
        renderer.render(digest)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


class Sink:
    """An aiosmtpd handler that accepts everything and counts messages."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def bench_send(rendered: RenderedMessage, count: int = 100) -> float:
    """Messages per second sent over SMTP (one connection each) to a local aiosmtpd."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sink = Sink()
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, server_hostname="localhost", data_size_limit=0
    )
    controller.start()
    try:
        transport = SmtpTransport(SmtpConfig(host="127.0.0.1", port=port, security="none"))
        started = time.perf_counter()
        for n in range(count):
            transport.send(
                build_message(
                    rendered,
                    from_address="presswatch <presswatch@example.net>",
                    to_address=f"reader{n}@example.org",
                    to_name=f"Reader {n}",
                    reply_to=None,
                    message_id=make_message_id(f"digest:reader{n}:1", "example.net"),
                )
            )
        elapsed = time.perf_counter() - started
    finally:
        controller.stop()
    assert sink.count == count, f"server received {sink.count} of {count}"
    return count / elapsed


def main() -> None:
    renderer = DigestRenderer.from_config(None)
    wall, cpu = bench_render(renderer)
    rendered = renderer.render(make_digest())
    size = len(rendered.html.encode()) // 1024
    print(
        f"render 500-item digest: median {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU "
        f"over 20 runs (HTML {size} KiB, text {len(rendered.text.encode()) // 1024} KiB)"
    )
    rate = bench_send(rendered)
    print(f"smtp: 100 of those 500-item digests to local aiosmtpd: {rate:.1f} messages/s")
    typical = renderer.render(make_digest(items=20, rules=4))
    rate = bench_send(typical)
    print(f"smtp: 100 typical 20-item digests to local aiosmtpd: {rate:.1f} messages/s")


if __name__ == "__main__":
    main()
