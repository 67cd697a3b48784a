"""Byte-to-text decoding: HTML by the WHATWG sniffing order, XML by its declaration."""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import resolve_encoding

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.I)
_BAD_RATIO = 0.002
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "ascii": "cp1252"}


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    lowered = name.strip().strip("\"'").lower()
    lowered = _ALIASES.get(lowered, lowered)
    resolved = resolve_encoding(lowered)
    if resolved:
        return _ALIASES.get(resolved, resolved)
    try:
        return codecs.lookup(lowered).name
    except LookupError:
        return None


def _bad(text: str) -> bool:
    return text.count("\ufffd") > max(3, len(text) * _BAD_RATIO)


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect(body: bytes) -> str:
    """Best guess for undeclared bytes: UTF-8 when valid, else charset-normalizer, else cp1252."""
    if _is_utf8(body[:200_000]):
        return "utf-8"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:200_000]).best()
    except Exception:
        best = None
    return _canonical(best.encoding if best else None) or "cp1252"


def _strict_decode(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


# Single-byte Latin code pages a detector confuses with each other ("modèles" read as
# cp1250 "modčles"): when detection lands on one of them the Western default decides.
_LATIN_FAMILY = frozenset(
    {
        "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1254", "iso8859_9",
        "cp1257", "iso8859_4", "iso8859_13", "iso8859_3", "iso8859_10", "iso8859_14",
        "iso8859_16", "mac_roman", "mac_latin2", "cp850", "cp437", "cp858", "ascii",
    }
)  # fmt: skip
_PRESCAN_BYTES = 1024
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_LATE_META_BYTES = 200_000
_MARKUP = re.compile(rb"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.I | re.S)
_HIGH_BYTES = bytes(range(128, 256))
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_WESTERN_HIGH_SHARE = 0.3
_MAX_STRAYS = 20  # undecodable spots a UTF-8 page may have and still be UTF-8
_WESTERN_DEFAULT = "cp1252"


def decode_html(body: bytes, declared: str | None) -> str:
    """Decode an HTML body in the WHATWG encoding-sniffing order.

    1. A byte order mark (it wins over a contradicting header, as in browsers).
    2. The HTTP Content-Type charset (`declared`: a charset name or a header value).
    3. A ``<meta charset>`` / ``http-equiv`` declaration within the first 1,024 bytes.
    4. Valid UTF-8 (browsers' own detection step; it never misreads Western text), also
       with a few stray windows-1252 bytes (mixed encodings: those bytes read as cp1252).
    5. A ``<meta>`` declaration after the first 1,024 bytes: the HTML parser honours it by
       re-decoding the page when it reaches it, so do we.
    6. The Western default windows-1252, unless detection names a non-Latin script
       (Cyrillic, Greek, Arabic, CJK...): detection is the last resort and never picks
       among Latin code pages.

    A declaration that cannot be right is skipped to the next step: a declared UTF-8 on
    invalid bytes, any declaration that leaves many undecodable bytes, and any other
    charset declared for bytes that are valid multi-byte UTF-8 (servers that send
    ``ISO-8859-1`` by default for UTF-8 pages, pages re-saved as UTF-8 that still say
    gb2312: legacy-encoded text with non-ASCII bytes is practically never valid UTF-8).
    """
    if not body:
        return ""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16")):
        if body.startswith(bom):
            return body.decode(name, errors="replace")
    if body.startswith(codecs.BOM_UTF16_BE):
        return body.decode("utf-16", errors="replace")
    utf8 = _is_utf8(body)
    for charset in (_canonical(_charset_from(declared)), _meta_charset(body[:_PRESCAN_BYTES])):
        decoded = _declared_decode(body, charset, utf8)
        if decoded is not None:
            return decoded
    if utf8:
        return body.decode("utf-8")
    mixed = _mostly_utf8(body) if not body.isascii() else None
    if mixed is not None:
        return mixed
    late = _declared_decode(body, _meta_charset(body[:_LATE_META_BYTES]), utf8)
    if late is not None:
        return late
    return body.decode(_undeclared(body), errors="replace")


def _meta_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    return _canonical(match.group(1).decode("ascii", "replace")) if match else None


def _declared_decode(body: bytes, name: str | None, utf8: bool) -> str | None:
    if name is None:
        return None
    if utf8 and name != "utf-8" and not body.isascii():
        return None  # legacy-encoded text with non-ASCII bytes is practically never UTF-8
    text: str
    try:
        text = body.decode(name)
    except LookupError:
        return None
    except UnicodeDecodeError:
        if name == "utf-8":
            return _mostly_utf8(body)
        if name == "utf-16":
            return None
        text = body.decode(name, errors="replace")
    return None if _bad(text) else text


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read the offending bytes as windows-1252 (mixed encodings)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("presswatch-cp1252", _cp1252_bytes)


def _mostly_utf8(body: bytes) -> str | None:
    """UTF-8 with a few stray single-byte characters (a latin-1 snippet pasted into a UTF-8
    page): decoded as UTF-8, the stray bytes as windows-1252; None when they are many."""
    strays = 0
    start = 0
    while strays <= _MAX_STRAYS:
        try:
            body[start:].decode("utf-8")
            break
        except UnicodeDecodeError as error:
            strays += 1
            start += error.end
    if strays > _MAX_STRAYS or strays > max(1, len(body) // 500):
        return None
    return body.decode("utf-8", errors="presswatch-cp1252")


def _undeclared(body: bytes) -> str:
    """Undeclared, not UTF-8: windows-1252 for Western text, else what detection says.

    Western text has its non-ASCII letters inside ASCII words ("modèles"): under a third of
    its letters are high bytes. Single-byte Cyrillic, Greek, Arabic or Hebrew text is almost
    all high bytes; only then is the detector asked, and a Latin code page it names is
    replaced by the Western default (telling cp1250 from cp1252 is what it gets wrong).
    """
    text = _MARKUP.sub(b" ", body[:_LATE_META_BYTES])
    ascii_part = text.translate(None, _HIGH_BYTES)
    high = len(text) - len(ascii_part)
    letters = len(ascii_part) - len(ascii_part.translate(None, _ASCII_LETTERS))
    if high <= _WESTERN_HIGH_SHARE * (high + letters):
        return _WESTERN_DEFAULT
    guess = detect(body)
    return _WESTERN_DEFAULT if guess in _LATIN_FAMILY or guess == "utf-8" else guess


def decode_xml(body: bytes, declared: str | None = None) -> str:
    """Decode an XML body: BOM > XML declaration > HTTP charset > UTF-8 > detection."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace")
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", errors="replace")
    match = _XML_DECL.match(body[:500])
    in_decl = _canonical(match.group(1).decode("ascii", "replace")) if match else None
    header = _canonical(_charset_from(declared))
    if in_decl not in (None, "utf-8") or header in (None, "utf-8"):
        candidates = [in_decl, header, "utf-8"]
    else:
        candidates = [header, in_decl, "utf-8"]
    for name in candidates:
        decoded = _strict_decode(body, name)
        if decoded is not None:
            return decoded
    return body.decode(detect(body), errors="replace")


def _charset_from(value: str | None) -> str | None:
    if not value:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", value, re.I)
    if match:
        return match.group(1)
    return None if "/" in value else value
