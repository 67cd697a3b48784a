"""Near-duplicate detection of one statement republished on several sites (MinHash + LSH).

Texts are NFKC-normalised, case-folded and reduced to word tokens; the shingles are word
5-grams, or character 4-grams for CJK/Thai text that has no spaces.  A 128-permutation MinHash
estimates the Jaccard similarity of the shingle sets (standard error about 0.04 near 0.8).

Threshold: two texts are near-duplicates when the estimated Jaccard similarity is >= 0.8.
A 600-word statement wrapped in different site headers/footers (some 40 words each side)
scores about 0.85; two different statements on the same topic score below 0.1 because
5-word shingles rarely repeat across independently written texts.

LSH: 16 bands of 8 rows; candidates share at least one band key.  The probability that a
pair with similarity s shares a band is 1 - (1 - s**8)**16: 0.97 at s = 0.8, 0.5 at 0.7,
under 0.03 at 0.4 - candidates are then confirmed with `similarity`.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass

from datasketch import MinHash

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
SHINGLE_CHARS = 4
DEFAULT_THRESHOLD = 0.8
_SEED = 1
_VERSION = 1
_WORD = re.compile(r"\w+", re.UNICODE)
_SCRIPT_NO_SPACES = re.compile(
    r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)


@dataclass(frozen=True)
class MinHashSignature:
    """A MinHash signature: `NUM_PERM` unsigned 32-bit hash minima."""

    values: tuple[int, ...]

    def to_bytes(self) -> bytes:
        """Serialise as a version byte, a count and little-endian uint32 values."""
        return struct.pack(f"<BH{len(self.values)}I", _VERSION, len(self.values), *self.values)

    @classmethod
    def from_bytes(cls, data: bytes) -> MinHashSignature:
        """Inverse of `to_bytes`; ValueError on malformed data."""
        if len(data) < 3:
            raise ValueError("signature too short")
        version, count = struct.unpack_from("<BH", data)
        if version != _VERSION or len(data) != 3 + 4 * count:
            raise ValueError("unsupported or corrupt signature")
        return cls(tuple(struct.unpack_from(f"<{count}I", data, 3)))


def normalize(text: str) -> list[str]:
    """NFKC, case-folded word tokens."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str) -> set[bytes]:
    """Word 5-shingles, or character 4-shingles for text written without spaces."""
    tokens = normalize(text)
    joined = "".join(tokens)
    if joined and len(_SCRIPT_NO_SPACES.findall(joined)) > len(joined) * 0.3:
        size = SHINGLE_CHARS
        grams = {joined[i : i + size] for i in range(max(1, len(joined) - size + 1))}
        return {g.encode("utf-8") for g in grams}
    if len(tokens) < SHINGLE_WORDS:
        return {" ".join(tokens).encode("utf-8")} if tokens else set()
    return {
        " ".join(tokens[i : i + SHINGLE_WORDS]).encode("utf-8")
        for i in range(len(tokens) - SHINGLE_WORDS + 1)
    }


# Building a MinHash draws its permutations anew each time; copying a template does not.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=_SEED)


def signature(text: str) -> MinHashSignature:
    """MinHash signature of a text (empty text gives the all-max signature)."""
    minhash = _TEMPLATE.copy()
    grams = shingles(text)
    if grams:
        minhash.update_batch(list(grams))
    return MinHashSignature(tuple(int(v) for v in minhash.hashvalues))


def band_keys(sig: MinHashSignature) -> list[str]:
    """One short key per LSH band ("bb:" + 12 hex digits) for an indexed lookup column."""
    keys = []
    for band in range(BANDS):
        rows = sig.values[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(struct.pack(f"<{len(rows)}I", *rows), digest_size=6)
        keys.append(f"{band:02d}:{digest.hexdigest()}")
    return keys


def similarity(a: MinHashSignature, b: MinHashSignature) -> float:
    """Estimated Jaccard similarity of the two shingle sets, 0.0 for mismatched signatures."""
    if len(a.values) != len(b.values) or not a.values:
        return 0.0
    return sum(x == y for x, y in zip(a.values, b.values, strict=True)) / len(a.values)
