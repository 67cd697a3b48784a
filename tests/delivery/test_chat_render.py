"""Chat renderings (Markdown for Apprise) against golden files, within each service's limits.

PRESSWATCH_UPDATE_GOLDEN=1 rewrites the files; review the diff before committing.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerts.digest import Digest, DigestItem, DigestSection, build_environment
from alerts.notify.chat import CUT_NOTE, ChatRenderer, Limits
from tests.digest.sample import (
    alert_digest,
    full_digest,
    heartbeat_digest,
    notices_alert,
    notices_digest,
)
from tests.digest.sample import check_golden as check

GOLDEN = Path(__file__).parent / "golden"
MARKDOWN_HOSTILE = "*bold* _it_ [click](javascript:alert(1)) `code` # head | pipe ~x~ \\ <b>"
# Limits as Apprise's plugins declare them (body_maxlen, title_maxlen)
SERVICES = {
    "slack": Limits(body=35_000, title=250),
    "discord": Limits(body=2_000, title=256),
    "telegram": Limits(body=4_096, title=0),
    "tiny": Limits(body=700, title=60),
}


def busy_digest() -> Digest:
    """One rule with 12 items (more than the top 5), one with a Markdown-hostile title."""
    base = full_digest()
    start = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    many = tuple(
        DigestItem(
            item_id=f"n-{n}",
            title=f"Statement {n} on non-proliferation (论不扩散 {n}, заявление {n})",
            url=f"https://mfa.example/statements/{n}?lang=en&ref=(x)",
            source_id="mfa",
            source_name="MFA",
            published_at=start + timedelta(minutes=37 * n),
        )
        for n in range(12)
    )
    hostile = DigestItem(
        item_id="md-1",
        title=MARKDOWN_HOSTILE,
        url="https://odd.example/a b)c",
        source_id="odd",
        source_name="Odd *Source*",
        published_at=start,
    )
    section = DigestSection("npt", "Non-proliferation [NPT]", 5, (hostile, *many))
    return replace(base, sections=(*base.sections, section))


CASES = {
    "digest": full_digest,
    "busy": busy_digest,
    "heartbeat": heartbeat_digest,
    "alert": alert_digest,
    "notices": notices_digest,
    "notices-alert": notices_alert,
}
FEEDS = {"npt": "https://feeds.example/rule-npt.atom"}


def _render(case: str, service: str) -> tuple[str, str]:
    renderer = ChatRenderer(build_environment(None))
    message = renderer.render(CASES[case](), SERVICES[service], top=5, feeds=FEEDS)
    return message.title, message.body


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_slack(case: str) -> None:
    title, body = _render(case, "slack")
    check(GOLDEN / f"chat-{case}.md", f"{title}\n\n{body}\n")


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_busy_digest_fits_each_service(service: str) -> None:
    limits = SERVICES[service]
    title, body = _render("busy", service)
    check(GOLDEN / f"chat-busy-{service}.md", f"{title}\n\n{body}\n")
    room = limits.body - (len(title) + 2 if limits.title == 0 else 0)
    assert len(body) <= room
    assert len(title) <= (limits.title or 120)


def test_digest_lists_the_top_items_and_counts_the_rest() -> None:
    _, body = _render("busy", "slack")
    assert body.count("https://mfa.example/statements/") == 4  # 5 shown, the hostile one first
    assert "…and 8 more: [all in the feed](https://feeds.example/rule-npt.atom)" in body


def test_a_small_service_gets_fewer_items_then_a_cut() -> None:
    _, slack = _render("busy", "slack")
    _, tiny = _render("busy", "tiny")
    assert tiny.count("• ") < slack.count("• ")
    assert "…and 12 more" in tiny  # one item per rule left
    assert tiny.endswith(CUT_NOTE.strip())


def test_hostile_titles_stay_text() -> None:
    _, body = _render("busy", "slack")
    assert "](javascript" not in body and "[click]" not in body
    assert r"\*bold\* \_it\_ \[click\]\(javascript:alert\(1\)\)" in body
    assert "(https://odd.example/a%20b%29c)" in body  # the link target cannot end early
    assert "Odd \\*Source\\*" in body
    # every unescaped "](" is one of ours: one per item with a safe URL, plus the feed link
    links = re.findall(r"(?<!\\)\]\(", body)
    assert len(links) == body.count("• ") - 1 + 1  # not the javascript: item; the feed


def test_non_latin_titles_are_kept_whole() -> None:
    _, body = _render("digest", "slack")
    for text in ("Заявление МИД России", "外交部发言人", "اسٹریٹجک استحکام"):
        assert text in body


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_edit_and_withdrawal_notices_fit_each_service(service: str) -> None:
    limits = SERVICES[service]
    title, body = _render("notices", service)
    room = limits.body - (len(title) + 2 if limits.title == 0 else 0)
    assert len(body) <= room and len(title) <= (limits.title or 120)
    if service != "tiny":
        assert "~~Geneva~~ **Vienna in January, without preconditions**" in body
        assert "军备控制**与战略稳定**对话" in body  # CJK: no spaces added
        assert "_withdrawn_: HTTP 410 twice, 6 h apart" in body
    assert "\\<b\\>new\\</b\\>" in body or service == "tiny"  # escaped, not markup
