"""The engine's two literal scanners, for tests that must pass with each."""

from __future__ import annotations

import pytest

from alerts.rules import hsdb

SCANNERS = [
    pytest.param(
        "hyperscan",
        marks=pytest.mark.skipif(not hsdb.AVAILABLE, reason="hyperscan is not installed"),
    ),
    "automaton",  # the pyahocorasick fallback
]
