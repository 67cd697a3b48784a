"""Which literals occur in a text: one Hyperscan pass over its UTF-8 bytes, without positions.

Hyperscan ships x86_64 Linux wheels only; elsewhere `AVAILABLE` is False and the engine uses
pyahocorasick alone. UTF-8 is self-synchronizing, so a literal's bytes occur in a text's bytes
exactly where the literal occurs in the text. Lone surrogates (text decoded with
`surrogateescape`) are encoded as their three-byte forms, which keeps that property.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

try:
    import hyperscan
except ImportError:  # pragma: no cover - platforms without a wheel
    hyperscan = None  # type: ignore[assignment, unused-ignore]

AVAILABLE = hyperscan is not None


class LiteralPresence:
    """A Hyperscan database of pure literals, each reported at most once per scan."""

    def __init__(self, literals: Iterable[tuple[str, int]]) -> None:
        if hyperscan is None:
            raise RuntimeError("hyperscan is not installed")
        pairs = list(literals)
        self._db: hyperscan.Database | None = None
        if pairs:  # Hyperscan refuses an empty database
            self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            # The literal compiler takes bytes as they are (no regex syntax, no escaping);
            # SINGLEMATCH keeps the Python callbacks to one per distinct literal.
            self._db.compile(
                expressions=[_utf8(literal) for literal, _ in pairs],
                ids=[lit_id for _, lit_id in pairs],
                elements=len(pairs),
                flags=hyperscan.HS_FLAG_SINGLEMATCH,
                literal=True,
            )
        self._local = threading.local()

    def _scratch(self) -> hyperscan.Scratch:
        """This thread's scratch space (a scan releases the GIL, so threads cannot share one)."""
        scratch: hyperscan.Scratch | None = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        return scratch

    def present(self, text: str) -> set[int]:
        """Ids of the literals that occur in `text`."""
        found: set[int] = set()
        if self._db is None or not text:
            return found
        add = found.add

        def report(lit_id: int, start: int, end: int, flags: int, context: object) -> None:
            add(lit_id)

        self._db.scan(_utf8(text), match_event_handler=report, scratch=self._scratch())
        return found


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")
