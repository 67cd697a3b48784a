"""Rendering: content, escaping, heartbeat, subjects, template overrides and speed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from alerts.digest import Digest, DigestRenderer, DigestSection, Recipient

from .sample import (
    CHINESE,
    EN_ITEM,
    RUSSIAN,
    URDU,
    alert_digest,
    full_digest,
    heartbeat_digest,
)


@pytest.fixture(scope="module")
def renderer() -> DigestRenderer:
    return DigestRenderer.from_config(None)


def test_subjects(renderer: DigestRenderer) -> None:
    assert (
        renderer.render(full_digest()).subject
        == "presswatch: 5 new on Strategic stability, Arms control - 28 Nov"
    )
    assert renderer.render(heartbeat_digest()).subject == "presswatch: no new matches - 28 Nov"
    assert renderer.render(alert_digest()).subject == (
        f"presswatch alert: Strategic stability - {RUSSIAN}"
    )


def test_alert_subject_truncates_long_titles_at_a_word(renderer: DigestRenderer) -> None:
    long_item = dataclasses.replace(EN_ITEM, title="Statement " + "on arms control " * 20)
    digest = dataclasses.replace(
        alert_digest(), sections=(DigestSection("a", "Arms control", 1, (long_item,)),)
    )
    subject = renderer.render(digest).subject
    assert subject.startswith("presswatch alert: Arms control - Statement on arms")
    assert subject.endswith("…") and len(subject) <= 120 and "  " not in subject


def test_many_rules_in_subject_are_summarised(renderer: DigestRenderer) -> None:
    sections = tuple(DigestSection(f"r{i}", f"Rule {i}", i, (EN_ITEM,)) for i in range(5))
    digest = dataclasses.replace(full_digest(), sections=sections)
    assert renderer.render(digest).subject == (
        "presswatch: 1 new on Rule 0, Rule 1, Rule 2 +2 more - 28 Nov"
    )


def test_sections_by_priority_with_dates_in_reader_timezone(renderer: DigestRenderer) -> None:
    text = renderer.render(full_digest()).text
    assert text.index("== Strategic stability") < text.index("== Arms control")
    assert "MID Russia | 28 Nov 2026, 09:15 PKT" in text
    assert "Россия готова к диалогу по **стратегической** стабильности." in text
    assert "Also published by: TASS <https://tass.ru/politika/1>" in text
    assert "MOFA Pakistan | 27 Nov 2026, 16:30 PKT | [already alerted]" in text
    assert all(title in text for title in (RUSSIAN, URDU, CHINESE))


def test_html_is_inlined_and_mail_friendly(renderer: DigestRenderer) -> None:
    html = renderer.render(full_digest()).html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "prefers-color-scheme: dark" in html  # kept as an @media rule for capable clients
    assert "max-width:640px" in html and 'role="presentation"' in html
    assert "<mark style=" in html and ">стратегической</mark>" in html
    assert ">already alerted</span>" in html
    assert "http" not in html.replace('href="http', "")  # no external images, fonts or CSS
    assert '<p class="title" dir="auto"' in html


def test_hostile_content_is_escaped(renderer: DigestRenderer) -> None:
    rendered = renderer.render(full_digest())
    assert "<script>" not in rendered.html and "<b>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in rendered.html
    assert "Odd &lt;b&gt;Source&lt;/b&gt;" in rendered.html
    assert "javascript:" not in rendered.html  # non-http links are not linked
    assert "&lt;b&gt;</mark>" in rendered.html  # highlights split escaped text safely


def test_heartbeat_says_what_was_checked_once(renderer: DigestRenderer) -> None:
    rendered = renderer.render(heartbeat_digest())
    status = "23 sources checked since 27 Nov 08:00, 2 failing."
    assert "No new matches. " + status in rendered.text
    assert rendered.text.count(status) == 1 and rendered.html.count(status) == 1
    assert "FAILING: MFA Iran, since 25 Nov 2026, 11:00 PKT" in rendered.text
    assert "Nothing matched your rules in this period." in rendered.html
    assert "warning" not in rendered.html.lower().replace("state-failing", "")


def test_heartbeat_without_sources_says_nothing_is_configured(renderer: DigestRenderer) -> None:
    digest = dataclasses.replace(
        heartbeat_digest(), sources_checked=0, sources_failing=0, sources_configured=0, health=()
    )
    rendered = renderer.render(digest)
    status = "No sources are configured, so nothing was checked since 27 Nov 08:00."
    assert rendered.text.count(status) == 1 and rendered.html.count(status) == 1
    assert "0 sources checked" not in rendered.text + rendered.html
    assert "WARNING: This digest cannot tell you there was no news: add sources" in rendered.text
    assert ">warning</span> This digest cannot tell you there was no news" in rendered.html
    assert rendered.subject == "presswatch: nothing was checked - 28 Nov"
    assert "No new matches" not in rendered.text + rendered.html


def test_heartbeat_when_nothing_was_checked_warns(renderer: DigestRenderer) -> None:
    digest = dataclasses.replace(
        heartbeat_digest(), sources_checked=0, sources_failing=0, sources_configured=4
    )
    rendered = renderer.render(digest)
    status = "No source was checked since 27 Nov 08:00, although 4 are configured."
    assert rendered.text.count(status) == 1 and rendered.html.count(status) == 1
    assert "presswatch may not be crawling. Run presswatch status" in rendered.text


def test_status_line_counts_unchecked_sources(renderer: DigestRenderer) -> None:
    digest = dataclasses.replace(full_digest(), sources_configured=25)
    assert "23 of 25 sources checked since 27 Nov 08:00, 2 failing." in renderer.render(digest).text
    one = dataclasses.replace(full_digest(), sources_checked=1, sources_configured=1)
    assert "1 source checked since" in renderer.render(one).text


def test_digest_counts_items_not_matches(renderer: DigestRenderer) -> None:
    # EN_ITEM is in two sections: it is one item, listed once per section it matched
    rendered = renderer.render(full_digest())
    assert "\n5 new items. " in rendered.text
    assert ">5 new items · 28 Nov</p>" in rendered.html


def test_alert_subject_names_several_items(renderer: DigestRenderer) -> None:
    items = tuple(
        dataclasses.replace(EN_ITEM, item_id=str(n), title=f"Statement number {n} on arms control")
        for n in range(4)
    )
    digest = dataclasses.replace(
        alert_digest(), sections=(DigestSection("a", "Arms control", 1, items),)
    )
    subject = renderer.render(digest).subject
    assert subject == (
        "presswatch alert: Arms control - 4 new: “Statement number 0 on arms control”, "
        "“Statement number 1 on arms control” and 2 more"
    )
    two = dataclasses.replace(digest, sections=(DigestSection("a", "Arms control", 1, items[:2]),))
    assert renderer.render(two).subject.endswith(
        "2 new: “Statement number 0 on arms control”, “Statement number 1 on arms control”"
    )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Digest(Recipient("a@example.org"), datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC))


def test_user_template_overrides_packaged_one(tmp_path: Path) -> None:
    (tmp_path / "digest_subject.txt.j2").write_text(
        "[{{ prefix }}] {{ digest.item_count }} for {{ recipient.name }}\n", encoding="utf-8"
    )
    rendered = DigestRenderer.from_config(tmp_path, subject_prefix="PW").render(full_digest())
    assert rendered.subject == "[PW] 5 for Ayesha Khan"
    assert "== Strategic stability (3) ==" in rendered.text  # others still packaged


def test_undefined_names_in_templates_fail_loudly(tmp_path: Path) -> None:
    (tmp_path / "digest_subject.txt.j2").write_text("{{ no_such_thing }}", encoding="utf-8")
    with pytest.raises(UndefinedError):
        DigestRenderer.from_config(tmp_path).render(full_digest())


def test_500_items_render_completely(renderer: DigestRenderer) -> None:
    """Speed is measured by bench/digest.py; here only that a big digest renders whole."""
    items = tuple(dataclasses.replace(EN_ITEM, item_id=str(i)) for i in range(500))
    sections = tuple(
        DigestSection(f"r{k}", f"R{k}", k, items[k * 50 : k * 50 + 50]) for k in range(10)
    )
    digest = dataclasses.replace(full_digest(), sections=sections)
    rendered = renderer.render(digest)
    assert rendered.html.count(EN_ITEM.url) >= 500
    assert rendered.text.count(EN_ITEM.title) == 500


@pytest.mark.parametrize("make", [full_digest, heartbeat_digest, alert_digest])
def test_charset_is_declared_within_the_first_1024_bytes(
    renderer: DigestRenderer, make: Callable[[], Digest]
) -> None:
    # browsers opening the preview from disk only look for it there
    html = renderer.render(make()).html.encode("utf-8")
    assert html.startswith(b"<!DOCTYPE html>")
    assert 0 < html.find(b'<meta charset="utf-8">') < 1024
    assert html.count(b"<meta charset") == 1
    assert b"prefers-color-scheme: dark" in html  # the @media rules are still there


def test_charset_first_leaves_a_document_without_head_alone() -> None:
    from alerts.digest.render import charset_first

    assert charset_first("<p>x</p>") == "<p>x</p>"
    moved = charset_first('<html><head><style>a{}</style><meta charset="utf-8"></head></html>')
    assert moved == '<html><head><meta charset="utf-8"><style>a{}</style></head></html>'
