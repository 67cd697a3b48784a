"""Tests for crawler.extract.neardup: the 0.8 threshold and serialisation."""

from __future__ import annotations

import pytest

from crawler.extract.neardup import (
    BANDS,
    DEFAULT_THRESHOLD,
    MinHashSignature,
    band_keys,
    signature,
    similarity,
)

STATEMENT = " ".join(
    f"Paragraph {i}: the Ministry of Foreign Affairs expresses deep concern over the escalation "
    f"of violence in region number {i} and calls on all parties to exercise restraint, to "
    f"respect international humanitarian law and to resume negotiations without delay."
    for i in range(20)
)
OTHER = " ".join(
    f"Section {i}: the Ministry of Foreign Affairs welcomes the signing of the trade agreement "
    f"number {i}, which will expand bilateral cooperation in energy, agriculture and education "
    f"and open new opportunities for exporters from both countries."
    for i in range(20)
)
HEADER_A = "Home / Press Service / Statements & Speeches / Ministry of Foreign Affairs of A. "
FOOTER_A = " © 2021 Ministry of Foreign Affairs of A. All rights reserved. Follow us on Twitter."
HEADER_B = "Embassy of A in B - News - Latest statements of the ministry - Print this page. "
FOOTER_B = " Embassy address: 12 Main Street, Capital. Phone +1 234 567. Privacy policy. Sitemap."


def test_same_text_different_boilerplate_is_near_duplicate() -> None:
    a = signature(HEADER_A + STATEMENT + FOOTER_A)
    b = signature(HEADER_B + STATEMENT + FOOTER_B)
    assert DEFAULT_THRESHOLD == 0.8
    assert similarity(a, b) >= DEFAULT_THRESHOLD
    assert set(band_keys(a)) & set(band_keys(b))


def test_different_statements_same_topic_are_not() -> None:
    a = signature(STATEMENT)
    b = signature(OTHER)
    assert similarity(a, b) < 0.3
    assert similarity(a, b) < DEFAULT_THRESHOLD


def test_small_edit_still_near_duplicate_but_not_identical() -> None:
    edited = STATEMENT.replace("deep concern", "grave concern", 3)
    a, b = signature(STATEMENT), signature(edited)
    assert DEFAULT_THRESHOLD <= similarity(a, b) < 1.0


def test_cjk_uses_character_shingles() -> None:
    text = "".join(
        f"第{i}段：外交部发言人就当前地区局势答记者问，中方呼吁各方保持冷静克制，通过对话协商解决分歧。"
        for i in range(10)
    )
    a = signature("外交部网站 首页 " + text)
    b = signature(text + " 版权所有")
    assert similarity(a, b) >= DEFAULT_THRESHOLD
    other = signature("国务院关于进一步优化营商环境的若干意见全文发布。" * 5)
    assert similarity(a, other) < DEFAULT_THRESHOLD


def test_band_keys_and_serialisation() -> None:
    sig = signature(STATEMENT)
    keys = band_keys(sig)
    assert len(keys) == BANDS
    assert len(set(keys)) == BANDS
    assert all(len(k) <= 16 for k in keys)
    assert MinHashSignature.from_bytes(sig.to_bytes()) == sig
    assert band_keys(signature(STATEMENT)) == keys
    with pytest.raises(ValueError):
        MinHashSignature.from_bytes(b"\x01")


def test_empty_and_short_texts() -> None:
    assert similarity(signature(""), signature("")) == 1.0
    assert similarity(signature("short text"), signature("another text")) < DEFAULT_THRESHOLD
    assert similarity(signature("x"), MinHashSignature(())) == 0.0
