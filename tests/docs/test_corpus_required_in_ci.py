"""Tests against the real-world corpus skip without it on a laptop, but fail in CI (CI=true),
as the PostgreSQL tests do: a missing corpus must not silently drop them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_corpus


def test_missing_corpus_skips_outside_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-corpus-here"):
        require_corpus(tmp_path / "no-corpus-here")


def test_missing_corpus_fails_in_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        require_corpus(tmp_path / "no-corpus-here")


def test_present_corpus_is_returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert require_corpus(tmp_path) == tmp_path
