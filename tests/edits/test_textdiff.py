"""Cosmetic changes are not edits; real ones give a compact word-level (CJK: character)
diff in text and HTML."""

from __future__ import annotations

import pytest

from alerts.rules.textdiff import cosmetic_form, same_text, word_diff


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Talks  on\nstrategic stability.", "Talks on strategic stability."),
        ("the \u201cstrategic\u201d dialogue \u2014 resumed", 'the "strategic" dialogue - resumed'),
        ("full\u00a0stop\u2026", "full stop..."),
        ("zero\u200bwidth", "zerowidth"),
        ("see https://mfa.gov/a?id=3&utm_source=tw", "see https://mfa.gov/a?id=3"),
        ("see https://mfa.gov/a?utm_medium=x&fbclid=1 now", "see https://mfa.gov/a now"),
        ("ＡＢＣ１２３", "ABC123"),
    ],
)
def test_cosmetic_changes_are_the_same_text(old: str, new: str) -> None:
    assert same_text(old, new)
    assert not word_diff(old, new)


def test_a_changed_word_is_shown_with_its_context() -> None:
    diff = word_diff(
        "The minister said talks on strategic stability will resume in May.",
        "The minister said talks on strategic stability would resume in June.",
    )
    assert diff.text() == (
        "talks on strategic stability [-will-] {+would+} resume in May.\n"
        "stability will resume in [-May-] {+June+}."
    )
    assert "<del>will</del> <ins>would</ins>" in diff.html()


def test_a_removed_sentence_is_a_removal_only() -> None:
    diff = word_diff("We support the treaty. We oppose sanctions.", "We support the treaty.")
    [change] = diff.changes
    assert change.removed == "We oppose sanctions." and change.added == ""
    assert "[-We oppose sanctions.-]" in diff.text() and "{+" not in diff.text()


def test_html_is_escaped() -> None:
    diff = word_diff("a <b> c", "a <i> c")
    assert "<del>&lt;b&gt;</del>" in diff.html() or "&lt;" in diff.html()
    assert "<b>" not in diff.html()


def test_cjk_runs_are_diffed_by_character() -> None:
    diff = word_diff("中国和美国举行战略稳定对话。", "中国与美国举行战略稳定对话。")
    [change] = diff.changes
    assert (change.removed, change.added) == ("和", "与")
    assert diff.text() == "中国[-和-]{+与+}美国举行"


def test_cosmetic_form_keeps_meaningful_query_parameters() -> None:
    assert cosmetic_form("x https://a.gov/p?id=7&utm_campaign=z y") == "x https://a.gov/p?id=7 y"
