"""URL identity: canonical form, fingerprints of URLs and of content."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as w3lib_canonicalize

# Query parameters that track a click rather than name a document.
_TRACKING_EXACT = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "ref_src",
        "ref_url",
        "cmpid",
        "at_medium",
        "at_campaign",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Every character str.isspace() (and so the regex \s) accepts, apart from " " itself.
_ASCII_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_OTHER_SPACES = (
    _ASCII_SPACES
    + "\x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)

# URLs that w3lib would leave as they are apart from the query order, the fragment and an
# empty path: lower-case http(s) host without port or userinfo, plain path characters
# without dot segments, plain `key=value` query pairs. Anything else takes the full path.
_SIMPLE_URL = re.compile(
    r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(/[A-Za-z0-9_.~/-]*)?"
    r"(?:\?([A-Za-z0-9_.~=&-]*))?(?:#[^\s]*)?"
)
_SIMPLE_PAIR = re.compile(r"[A-Za-z0-9_.~-]+(?:=[A-Za-z0-9_.~-]*)?")
_DOT_SEGMENT = re.compile(r"/\.\.?(?:/|$)")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


@lru_cache(maxsize=65536)
def canonicalize_url(url: str) -> str:
    """The canonical form that decides an item's identity.

    w3lib canonicalization (sorted query, percent-encoding, lower-case host, no fragment,
    dot segments resolved), tracking parameters removed and default ports dropped.
    """
    url = url.strip()
    return _canonicalize_simple(url) or _canonicalize_full(url)


def _canonicalize_simple(url: str) -> str | None:
    """The fast path for plain URLs (most of them); None when the full path is needed."""
    match = _SIMPLE_URL.fullmatch(url)
    if match is None:
        return None
    scheme, host, path, query = match.groups()
    if path and _DOT_SEGMENT.search(path):
        return None
    base = f"{scheme}://{host}{path or '/'}"
    if not query:
        return base
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        if _SIMPLE_PAIR.fullmatch(piece) is None:
            return None
        key, _, value = piece.partition("=")
        if not _is_tracking(key):
            pairs.append((key, value))
    if not pairs:
        return base
    pairs.sort()
    return base + "?" + "&".join(f"{key}={value}" for key, value in pairs)


def _canonicalize_full(url: str) -> str:
    parts = urlsplit(url)
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    )
    cleaned = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))
    canonical = urlsplit(w3lib_canonicalize(cleaned))
    netloc = canonical.netloc
    if canonical.port and _DEFAULT_PORTS.get(canonical.scheme) == canonical.port:
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((canonical.scheme, netloc, canonical.path, canonical.query, ""))


def fragment_identity(url: str) -> str:
    """The canonical URL with its #fragment kept: the identity of a feed entry that only
    its fragment (and its own guid) tells apart from its siblings."""
    fragment = url.partition("#")[2]
    canonical = canonicalize_url(url.partition("#")[0])
    return f"{canonical}#{fragment}" if fragment else canonical


def url_fingerprint(url: str) -> str:
    """SHA-1 of the canonical URL, ignoring http/https (ministries serve both)."""
    return canonical_fingerprint(canonicalize_url(url))


def canonical_fingerprint(canonical: str) -> str:
    """The fingerprint of a URL that is already canonical (see url_fingerprint)."""
    _, _, rest = canonical.partition("://")
    return hashlib.sha1(rest.encode("utf-8")).hexdigest()


def normalize_text(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: what content identity is computed on.

    Equivalent to `re.sub(r"\\s+", " ", ...).strip()` but without a regex pass, which
    dominated the batch insert: ASCII text is already NFKC and casefolds like lower().
    """
    if text.isascii():
        text, spaces = text.lower(), _ASCII_SPACES
    else:
        text, spaces = unicodedata.normalize("NFKC", text).casefold(), _OTHER_SPACES
    for space in spaces:
        if space in text:
            text = text.replace(space, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


def content_fingerprint(title: str, body: str) -> str:
    """SHA-1 of the normalized title and body."""
    payload = normalize_text(title) + "\n" + normalize_text(body)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()
