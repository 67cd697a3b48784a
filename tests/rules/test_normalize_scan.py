"""The Hyperscan-checked normalization gives exactly what the regex-checked one gives."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts.rules import hsdb
from alerts.rules.charscan import case_changing
from alerts.rules.normalize import Normalizer, get_normalizer, warm_up

pytestmark = pytest.mark.skipif(not hsdb.AVAILABLE, reason="hyperscan is not installed")

# Characters every check cares about: case (İ ß ς Σ ẞ, Deseret), letter and diacritic
# folds, deletions (tatweel, harakat, soft hyphen), NFKC (ﬁ, full width), combining marks,
# Hangul jamo, CJK, and a lone surrogate (not valid UTF-8: the regex path must take it).
SPECIAL = list(
    "aZéÉèàçÅøØłİßẞςΣσёЁ–—“”«»\u00a0ـًٌَُِّْيیىكکهہةأإآ٠۹ﬁＡａ\u0301\u0308\u0345"
    "\u1100\u1161\u11a8가中文\u00ad\u200c\u200d\U00010400\U00010428\udcff .,'\"-"
)
texts = st.text(st.one_of(st.sampled_from(SPECIAL), st.characters()), max_size=40)
NORMALIZERS = [get_normalizer(True), get_normalizer(False)]


@pytest.mark.parametrize("norm", NORMALIZERS, ids=["fold-diacritics", "keep-diacritics"])
@settings(max_examples=400, deadline=None)
@given(texts)
def test_scanned_equals_regex(norm: Normalizer, text: str) -> None:
    scanned = norm._normalize_scanned(text)
    if scanned is not None:
        assert scanned == norm._normalize_regex(text)


@pytest.mark.parametrize("norm", NORMALIZERS, ids=["fold-diacritics", "keep-diacritics"])
@pytest.mark.parametrize("char", SPECIAL)
def test_long_texts_with_each_special_character(norm: Normalizer, char: str) -> None:
    text = f"Текст {char}x ДЛЯ الامن теста 中文 " * 20
    assert norm.normalize(text) == norm._normalize_regex(text)


def test_lone_surrogates_take_the_regex_path() -> None:
    norm = get_normalizer(True)
    assert norm._normalize_scanned("x\udcff" * 200) is None


def test_case_changing_lists_every_code_point() -> None:
    want = [
        cp
        for cp in range(sys.maxunicode + 1)
        if not 0xD800 <= cp <= 0xDFFF and chr(cp).casefold() != chr(cp)
    ]
    assert list(case_changing()) == want


def test_warm_up_builds_the_character_scans_before_any_text() -> None:
    # The crawl forkserver calls warm_up so that children inherit built scans.
    fresh = Normalizer(fold_diacritics=True)
    fresh.prepare()
    assert fresh._char_scan is not None
    warm_up()
    assert all(get_normalizer(fold)._char_scan is not None for fold in (True, False))
