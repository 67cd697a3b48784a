"""Golden files for the text and HTML of fixed digests; PRESSWATCH_UPDATE_GOLDEN=1 rewrites them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from alerts.digest import Digest, DigestRenderer

from .sample import alert_digest, full_digest, heartbeat_digest, notices_alert, notices_digest
from .sample import check_golden as check

GOLDEN = Path(__file__).parent / "golden"
CASES: dict[str, Callable[[], Digest]] = {
    "digest": full_digest,
    "heartbeat": heartbeat_digest,
    "alert": alert_digest,
    "notices": notices_digest,
    "notices-alert": notices_alert,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str) -> None:
    rendered = DigestRenderer.from_config(None).render(CASES[case]())
    check(GOLDEN / f"{case}.subject.txt", rendered.subject + "\n")
    check(GOLDEN / f"{case}.txt", rendered.text)
    check(GOLDEN / f"{case}.html", rendered.html)
