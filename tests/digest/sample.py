"""Fixed digests for golden-file tests: a fixed clock and multilingual titles."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from alerts.digest import (
    ChangeNotice,
    Digest,
    DigestItem,
    DigestSection,
    Recipient,
    Snippet,
    SourceHealthLine,
    WithdrawalNotice,
)
from alerts.rules.textdiff import word_diff

GENERATED_AT = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 08:00 in Karachi
PERIOD_START = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
RECIPIENT = Recipient("analyst@example.org", "Ayesha Khan", "Asia/Karachi")

RUSSIAN = "Заявление МИД России о стратегической стабильности"
URDU = "اسٹریٹجک استحکام پر دفتر خارجہ کا بیان"
CHINESE = "外交部发言人就战略稳定问题答记者问"
HOSTILE = '<script>alert(1)</script> & "quotes"\r\nBcc: victim@example.org'


def _hits(text: str, *words: str) -> Snippet:
    spans = tuple((text.index(w), text.index(w) + len(w)) for w in words)
    return Snippet(text, spans)


RU_ITEM = DigestItem(
    item_id="ru-1",
    title=RUSSIAN,
    url="https://mid.ru/ru/foreign_policy/news/1/",
    source_id="mid-ru",
    source_name="MID Russia",
    published_at=datetime(2026, 11, 28, 4, 15, tzinfo=UTC),
    snippets=(_hits("Россия готова к диалогу по стратегической стабильности.", "стратегической"),),
    also_published_by=(("TASS", "https://tass.ru/politika/1"), ("RIA", "https://ria.ru/2")),
)
UR_ITEM = DigestItem(
    item_id="pk-1",
    title=URDU,
    url="https://mofa.gov.pk/ur/press/1",
    source_id="mofa-pk",
    source_name="MOFA Pakistan",
    published_at=datetime(2026, 11, 27, 11, 30, tzinfo=UTC),
    snippets=(_hits("پاکستان اسٹریٹجک استحکام کے لیے پرعزم ہے", "استحکام"),),
    already_alerted=True,
)
ZH_ITEM = DigestItem(
    item_id="cn-1",
    title=CHINESE,
    url="https://www.mfa.gov.cn/fyrbt/1.html",
    source_id="mfa-cn",
    source_name="MFA China",
    published_at=None,
    snippets=(_hits("中方愿同各方加强军备控制对话。", "军备控制"),),
)
HOSTILE_ITEM = DigestItem(
    item_id="x-1",
    title=HOSTILE,
    url="javascript:alert(2)",
    source_id="odd",
    source_name="Odd <b>Source</b>",
    published_at=datetime(2026, 11, 27, 20, 0, tzinfo=UTC),
    snippets=(Snippet("a <b>bold</b> arms control claim", ((20, 32), (2, 5))),),
)
EN_ITEM = DigestItem(
    item_id="us-1",
    title="Joint statement on arms control and New START follow-on talks",
    url="https://www.state.gov/joint-statement/",
    source_id="state",
    source_name="US State Department",
    published_at=datetime(2026, 11, 27, 22, 5, tzinfo=UTC),
    snippets=(
        _hits("The parties reaffirmed that arms control remains essential.", "arms control"),
        _hits("Talks on strategic stability will resume in Geneva.", "strategic stability"),
    ),
)

HEALTH = (
    SourceHealthLine(
        "mfa-ir",
        "MFA Iran",
        "failing",
        datetime(2026, 11, 25, 6, 0, tzinfo=UTC),
        "HTTP 503 on 4 attempts",
    ),
    SourceHealthLine("mea-in", "MEA India", "blocked", datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
    SourceHealthLine(
        "mofa-jp", "MOFA Japan", "quiet", datetime(2026, 11, 20, 0, 0, tzinfo=UTC), "no items 8d"
    ),
)


def full_digest() -> Digest:
    """A digest with two rules, multilingual titles, a hostile title and source health."""
    return Digest(
        recipient=RECIPIENT,
        generated_at=GENERATED_AT,
        period_start=PERIOD_START,
        sections=(
            DigestSection("arms", "Arms control", 60, (EN_ITEM, ZH_ITEM, HOSTILE_ITEM)),
            DigestSection("stability", "Strategic stability", 10, (RU_ITEM, UR_ITEM, EN_ITEM)),
        ),
        health=HEALTH,
        sources_checked=23,
        sources_failing=2,
    )


def heartbeat_digest() -> Digest:
    """Nothing matched: the message says what was checked."""
    return Digest(
        recipient=RECIPIENT,
        generated_at=GENERATED_AT,
        period_start=PERIOD_START,
        sources_checked=23,
        sources_failing=2,
        health=HEALTH[:1],
    )


def alert_digest() -> Digest:
    """An immediate alert for one item."""
    return Digest(
        recipient=RECIPIENT,
        generated_at=datetime(2026, 11, 28, 4, 20, tzinfo=UTC),
        period_start=datetime(2026, 11, 28, 4, 0, tzinfo=UTC),
        sections=(DigestSection("stability", "Strategic stability", 10, (RU_ITEM,)),),
        kind="alert",
    )


def _change(
    item: DigestItem, rule: tuple[str, str], kind: str, before: str, after: str
) -> ChangeNotice:
    diff = word_diff(before, after)
    return ChangeNotice(
        item=item,
        rule_id=rule[0],
        rule_name=rule[1],
        kind=kind,
        before=before,
        after=after,
        diff_text=diff.text(),
        diff_html=diff.html(),
        changed_at=datetime(2026, 11, 28, 2, 10, tzinfo=UTC),
        first_seen_at=datetime(2026, 11, 27, 22, 7, tzinfo=UTC),
        changes=tuple((c.before, c.removed, c.added, c.after) for c in diff.changes),
    )


STABILITY = ("stability", "Strategic stability")
CHANGES = (
    _change(
        EN_ITEM,
        STABILITY,
        "passage_changed",
        "Talks on strategic stability will resume in Geneva.",
        "Talks on strategic stability will resume in Vienna in January, without preconditions.",
    ),
    _change(
        ZH_ITEM,
        ("arms", "Arms control"),
        "passage_changed",
        "中方愿同各方加强军备控制对话。",
        "中方愿同各方加强军备控制与战略稳定对话。",
    ),
    _change(RU_ITEM, STABILITY, "title_changed", RUSSIAN, RUSSIAN + " (обновлено)"),
    _change(
        HOSTILE_ITEM, ("npt", "Non-proliferation"), "new_match", "", "A <b>new</b> NPT pledge."
    ),
)
WITHDRAWALS = (
    WithdrawalNotice(
        item=replace(UR_ITEM, already_alerted=False),
        rule_id="stability",
        rule_name="Strategic stability",
        reason="HTTP 410 twice, 6 h apart",
        withdrawn_at=datetime(2026, 11, 28, 1, 0, tzinfo=UTC),
        last_text="پاکستان اسٹریٹجک استحکام کے لیے پرعزم ہے\nدفتر خارجہ",
        first_seen_at=datetime(2026, 11, 27, 11, 35, tzinfo=UTC),
    ),
)


def notices_digest() -> Digest:
    """A digest with one rule's matches, edits (Latin, CJK, a title, a new match) and a
    withdrawal: the "Changed since sent" and "Withdrawn" sections."""
    return Digest(
        recipient=RECIPIENT,
        generated_at=GENERATED_AT,
        period_start=PERIOD_START,
        sections=(DigestSection("arms", "Arms control", 60, (EN_ITEM,)),),
        sources_checked=23,
        changes=CHANGES,
        withdrawals=WITHDRAWALS,
    )


def notices_alert() -> Digest:
    """An immediate alert of one edit and one withdrawal, no new match."""
    return Digest(
        recipient=RECIPIENT,
        generated_at=datetime(2026, 11, 28, 4, 20, tzinfo=UTC),
        period_start=datetime(2026, 11, 28, 4, 0, tzinfo=UTC),
        changes=CHANGES[:1],
        withdrawals=WITHDRAWALS,
        kind="alert",
    )


UPDATE_GOLDEN = os.environ.get("PRESSWATCH_UPDATE_GOLDEN") == "1"


def check_golden(path: Path, actual: str) -> None:
    """`actual` equals the golden file at `path` (PRESSWATCH_UPDATE_GOLDEN=1 rewrites it)."""
    if UPDATE_GOLDEN:
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path.name} missing: run with PRESSWATCH_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path.name} differs: review, then PRESSWATCH_UPDATE_GOLDEN=1"
