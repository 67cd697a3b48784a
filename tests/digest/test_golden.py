"""Golden files for the text and HTML of fixed digests; PRESSWATCH_UPDATE_GOLDEN=1 rewrites them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from alerts.digest import Digest, DigestRenderer

from .sample import alert_digest, full_digest, heartbeat_digest

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PRESSWATCH_UPDATE_GOLDEN") == "1"
CASES: dict[str, Callable[[], Digest]] = {
    "digest": full_digest,
    "heartbeat": heartbeat_digest,
    "alert": alert_digest,
}


def check(path: Path, actual: str) -> None:
    if UPDATE:
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path.name} missing: run with PRESSWATCH_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path.name} differs: review, then PRESSWATCH_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str) -> None:
    rendered = DigestRenderer.from_config(None).render(CASES[case]())
    check(GOLDEN / f"{case}.subject.txt", rendered.subject + "\n")
    check(GOLDEN / f"{case}.txt", rendered.text)
    check(GOLDEN / f"{case}.html", rendered.html)
