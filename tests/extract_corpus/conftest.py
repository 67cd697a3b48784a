"""Shared helpers: the shipped config and the saved foreign-ministry pages of the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.config.loader import Config, load_config
from tests.conftest import require_corpus

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path("foreign_ministries") / "diplomaticpulse_fixtures"


@pytest.fixture(scope="session")
def shipped_config() -> Config:
    """The repository's config/ directory, loaded without environment overrides."""
    return load_config(REPO_ROOT / "config", environ={})


@pytest.fixture(scope="session")
def ministry_dir(corpus_dir: Path) -> Path:
    """The saved DiplomaticPulse fixture pages (skips without the corpus, fails in CI)."""
    return require_corpus(corpus_dir / FIXTURES)


@pytest.fixture(scope="session")
def expected(ministry_dir: Path) -> dict[str, Any]:
    """expected.json keyed by file path relative to the corpus root."""
    data: dict[str, Any] = json.loads((ministry_dir / "expected.json").read_text("utf-8"))
    return data
