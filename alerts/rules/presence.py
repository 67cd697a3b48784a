"""Which literals occur in a text: one Hyperscan pass over its UTF-8 bytes, without positions.

UTF-8 is self-synchronizing, so a literal's bytes occur in a text's bytes exactly where the
literal occurs in the text. Lone surrogates (text decoded with `surrogateescape`) are
encoded as their three-byte forms, which keeps that property.
"""

from __future__ import annotations

from collections.abc import Iterable

from alerts.rules.hsdb import IdScanner


class LiteralPresence:
    """A Hyperscan database of pure literals (no boundary classes: it compiles in ms)."""

    def __init__(self, literals: Iterable[tuple[str, int]]) -> None:
        pairs = list(literals)
        self._scanner = IdScanner(
            [_utf8(literal) for literal, _ in pairs],
            [lit_id for _, lit_id in pairs],
            literal=True,
        )

    def present(self, text: str) -> set[int]:
        """Ids of the literals that occur in `text`."""
        return self._scanner.ids_in(_utf8(text))


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")
