"""Hyperscan, where installed: block-mode databases whose patterns report at most once per scan.

Hyperscan ships x86_64 Linux wheels only; elsewhere `AVAILABLE` is False and callers use
their pure-Python paths (pyahocorasick, regexes).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

try:
    import hyperscan
except ImportError:  # pragma: no cover - platforms without a wheel
    hyperscan = None  # type: ignore[assignment, unused-ignore]

AVAILABLE = hyperscan is not None


class IdScanner:
    """A compiled set of patterns; `ids_in` says which of them occur in some bytes."""

    def __init__(
        self,
        patterns: Sequence[bytes],
        ids: Sequence[int],
        *,
        literal: bool = False,
        utf8: bool = False,
    ) -> None:
        """`literal`: patterns are plain bytes; `utf8`: regex patterns over UTF-8 text."""
        if hyperscan is None:
            raise RuntimeError("hyperscan is not installed")
        self._db: hyperscan.Database | None = None
        if patterns:  # Hyperscan refuses an empty database
            flags = hyperscan.HS_FLAG_SINGLEMATCH  # one Python callback per pattern at most
            if utf8:
                flags |= hyperscan.HS_FLAG_UTF8
            self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._db.compile(
                expressions=list(patterns),
                ids=list(ids),
                elements=len(patterns),
                flags=flags,
                literal=literal,
            )
        self._local = threading.local()

    def _scratch(self) -> hyperscan.Scratch:
        """This thread's scratch space (a scan releases the GIL, so threads cannot share one)."""
        scratch: hyperscan.Scratch | None = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        return scratch

    def ids_in(self, data: bytes) -> set[int]:
        """Ids of the patterns that match somewhere in `data`."""
        found: set[int] = set()
        if self._db is None or not data:
            return found
        add = found.add

        def report(pattern: int, start: int, end: int, flags: int, context: object) -> None:
            add(pattern)

        self._db.scan(data, match_event_handler=report, scratch=self._scratch())
        return found
