"""feedparser's own test suite through bench/feedconf.py, when its files are at hand.

Point PRESSWATCH_FEEDPARSER_SUITE at the tests/ directory of feedparser's sdist
(`pip download --no-deps --no-binary :all: feedparser`, unpacked); skipped otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "feedconf.py"


def _suite() -> Path:
    root = Path(os.environ.get("PRESSWATCH_FEEDPARSER_SUITE", ""))
    if not str(root) or not (root / "runtests.py").is_file():
        pytest.skip("feedparser's test suite not found (set PRESSWATCH_FEEDPARSER_SUITE)")
    return root


def _feedconf() -> ModuleType:
    spec = importlib.util.spec_from_file_location("feedconf", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["feedconf"] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.mark.timeout(900)
def test_feedparser_suite_targets() -> None:
    root = _suite()
    feedconf = _feedconf()
    report = feedconf.run(root, timeout=10.0, with_feedparser=False)
    assert report.ours.total >= 500
    assert report.ours.passed >= 0.98 * report.ours.total, report.ours.failures
    failed = {line.split(":", 1)[0] for line in report.ours.failures}
    assert failed <= set(feedconf.DELIBERATE), failed - set(feedconf.DELIBERATE)
    assert report.files >= 2000
    assert (report.crashes, report.hangs) == (0, 0), report.problems
    assert report.valid.passed >= 0.95 * report.valid.total, report.valid.failures
    assert report.invalid.passed == report.invalid.total, report.invalid.failures
