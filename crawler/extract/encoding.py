"""Byte-to-text decoding: HTML by the WHATWG sniffing order, XML by its declaration."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass, field

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
    return decode_xml_checked(body, declared).text


@dataclass(frozen=True)
class DecodedXml:
    """Decoded text and what had to be mended on the way (reason -> count)."""

    text: str
    problems: Counter[str] = field(default_factory=Counter)


def decode_xml_checked(body: bytes, declared: str | None = None) -> DecodedXml:
    """Decode an XML body and say what was mended; never raises.

    A single-byte charset named by the XML declaration or the HTTP header is used when the
    bytes decode in it. Otherwise the body is read as UTF-8 the way mature feed readers
    do: a byte that is not UTF-8 is read as windows-1252 on its own (one bad byte, or an
    undeclared ISO-8859-1 feed, keeps the rest of the text intact) unless no byte of the
    body is UTF-8 at all, when the charset is detected. Windows-1252 punctuation sent as C1
    controls and UTF-8 that was encoded twice are repaired afterwards.
    """
    problems: Counter[str] = Counter()
    if body.startswith(codecs.BOM_UTF8):
        text = body[3:].decode("utf-8", errors="replace")
    elif body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = body.decode("utf-16", errors="replace")
    else:
        text = _decode_xml_bytes(body, declared, problems)
    return DecodedXml(repair_mojibake(text, problems), problems)


def _decode_xml_bytes(body: bytes, declared: str | None, problems: Counter[str]) -> str:
    match = _XML_DECL.match(body[:500])
    in_decl = _canonical(match.group(1).decode("ascii", "replace")) if match else None
    header = _canonical(_charset_from(declared))
    if in_decl not in (None, "utf-8") or header in (None, "utf-8"):
        candidates = [in_decl, header]
    else:
        candidates = [header, in_decl]
    for name in candidates:
        if name in (None, "utf-8"):
            continue
        decoded = _strict_decode(body, name)
        if decoded is not None:
            return decoded
    decoded = _strict_decode(body, "utf-8")
    if decoded is not None:
        return decoded
    if not _UTF8_MULTIBYTE.search(body):
        # Not UTF-8 at all: a detected non-Latin charset (windows-1251, GB18030...) is
        # believed; a Latin one is read as windows-1252, as feed readers do (detectors tell
        # the Latin ones apart poorly: French read as windows-1250 loses its è).
        problems["encoding/detected"] += 1
        guess = detect(body)
        return body.decode("cp1252" if _is_latin(guess) else guess, errors="replace")
    text = body.decode("utf-8", errors=_CP1252_FALLBACK)
    problems["encoding/bad-byte"] += _count_bad_utf8(body)
    return text


_LATIN = frozenset(
    [
        "cp1250",
        "cp1252",
        "cp1254",
        "cp1257",
        "iso8859-1",
        "iso8859-2",
        "iso8859-9",
        "iso8859-15",
        "mac-roman",
        "ascii",
        "utf-8",
        "cp850",
        "cp437",
    ]
)


def _is_latin(name: str) -> bool:
    try:
        return codecs.lookup(name).name in _LATIN
    except LookupError:
        return True


def _count_bad_utf8(body: bytes) -> int:
    bad = 0
    position = 0
    while True:
        try:
            body[position:].decode("utf-8")
            return bad
        except UnicodeDecodeError as exc:
            bad += 1
            position += exc.end


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the undecodable bytes read as windows-1252, one by one."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    chunk = exc.object[exc.start : exc.end]
    return "".join(_CP1252_CHARS[byte] for byte in chunk), exc.end


_CP1252_FALLBACK = "presswatch-cp1252-fallback"
codecs.register_error(_CP1252_FALLBACK, _cp1252_fallback)
# Each byte as windows-1252 reads it; its five undefined bytes as the C1 control (latin-1).
_CP1252_CHARS = [bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)]
_CP1252_BYTES = {char: byte for byte, char in enumerate(_CP1252_CHARS)}
_C1_TO_CP1252 = {b: _CP1252_CHARS[b] for b in range(0x80, 0xA0) if _CP1252_CHARS[b] != chr(b)}
_C1 = re.compile("[\u0080-\u009f]")
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# UTF-8 read as windows-1252: a lead byte (Â..ô) followed by one to three continuation bytes.
_CONTINUATION = "".join(
    re.escape(_CP1252_CHARS[b]) for b in range(0x80, 0xC0) if _CP1252_CHARS[b] != chr(b)
)
_MOJIBAKE = re.compile("(?:[\u00c2-\u00f4][\u0080-\u00bf" + _CONTINUATION + "]{1,3})+")


def repair_mojibake(text: str, problems: Counter[str] | None = None) -> str:
    """Windows-1252 punctuation sent as C1 controls, and UTF-8 decoded twice, mended."""
    repaired = text
    if _C1.search(text):  # str.translate over a whole feed is slow; most have no C1 at all
        repaired = _C1.sub(lambda m: _C1_TO_CP1252.get(ord(m.group(0)), m.group(0)), text)
    if repaired != text and problems is not None:
        problems["encoding/c1-repaired"] += 1

    def undo(match: re.Match[str]) -> str:
        run = match.group(0)
        try:
            return bytes(_CP1252_BYTES[char] for char in run).decode("utf-8")
        except (KeyError, UnicodeDecodeError):
            return run

    mended = _MOJIBAKE.sub(undo, repaired)
    if mended != repaired and problems is not None:
        problems["encoding/double-utf8-repaired"] += 1
    return mended


def _charset_from(value: str | None) -> str | None:
    if not value:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", value, re.I)
    if match:
        return match.group(1)
    return None if "/" in value else value
