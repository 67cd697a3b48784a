"""Byte-to-text decoding for HTML and XML: BOM > valid UTF-8 > declared > meta > detection."""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, resolve_encoding

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


def decode_html(body: bytes, declared: str | None) -> str:
    """Decode an HTML body; `declared` is a charset name or a Content-Type header value.

    Valid UTF-8 with non-ASCII bytes wins over a declared single-byte charset (real
    windows-1251/latin-1 text is practically never valid UTF-8); a declaration that yields
    many replacement characters is ignored in favour of the page's meta tag, then detection.
    """
    if not body:
        return ""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16")):
        if body.startswith(bom):
            return body.decode(name, errors="replace")
    if body.startswith(codecs.BOM_UTF16_BE):
        return body.decode("utf-16", errors="replace")
    if _is_utf8(body):
        return body.decode("utf-8")
    header = None
    if declared:
        header = declared if "charset" in declared.lower() else f"text/html; charset={declared}"
    _enc, text = html_to_unicode(header, body, auto_detect_fun=detect)
    if not _bad(text):
        return text
    meta = _canonical(html_body_declared_encoding(body))
    decoded = _strict_decode(body, meta)
    if decoded is not None:
        return decoded
    return body.decode(detect(body), errors="replace")


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
