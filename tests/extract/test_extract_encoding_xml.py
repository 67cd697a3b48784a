"""decode_xml: declared charsets honoured, one bad byte mended alone, mojibake repaired."""

from __future__ import annotations

import codecs

import pytest

from crawler.extract.encoding import decode_xml, decode_xml_checked, repair_mojibake

DECL = b'<?xml version="1.0" encoding="%s"?>'


def test_valid_utf8_is_untouched() -> None:
    text = "<t>Élections – 選挙</t>"
    decoded = decode_xml_checked(text.encode())
    assert decoded.text == text and not decoded.problems


def test_one_bad_byte_is_read_alone_the_rest_stays_utf8() -> None:
    body = "<t>Élections ".encode() + b"\xe9t\xe9 \x93ok\x94</t>"
    decoded = decode_xml_checked(body)
    assert decoded.text == "<t>Élections été “ok”</t>"
    assert decoded.problems == {"encoding/bad-byte": 4}


def test_undeclared_latin1_without_any_utf8_is_detected() -> None:
    body = "<t>Le ministère des Affaires étrangères a publié un communiqué.</t>"
    decoded = decode_xml_checked(body.encode("latin-1"))
    assert decoded.text == body
    assert decoded.problems["encoding/detected"] == 1


@pytest.mark.parametrize("name", ["ISO-8859-1", "windows-1251", "gb2312", "koi8-r"])
def test_declared_single_and_multi_byte_charsets(name: str) -> None:
    text = {"windows-1251": "<t>Новости</t>", "koi8-r": "<t>Новости</t>", "gb2312": "<t>新闻</t>"}
    body = text.get(name, "<t>Déclaration</t>")
    encoded = (DECL % name.encode()) + body.encode("gb18030" if name == "gb2312" else name)
    assert decode_xml(encoded).endswith(body)


def test_http_charset_used_when_the_document_declares_none() -> None:
    assert decode_xml("<t>Новости</t>".encode("cp1251"), "text/xml; charset=windows-1251") == (
        "<t>Новости</t>"
    )


def test_boms() -> None:
    assert decode_xml(codecs.BOM_UTF8 + "<t>é</t>".encode()) == "<t>é</t>"
    assert decode_xml(codecs.BOM_UTF16_LE + "<t>é</t>".encode("utf-16-le")) == "<t>é</t>"


def test_repair_mojibake() -> None:
    assert repair_mojibake("don\x92t \x93say\x94") == "don’t “say”"
    assert repair_mojibake("Ã‰lections Ã\xa0Paris") == "Élections àParis"
    assert repair_mojibake("â€™") == "’"
    # real text that only looks like it is left alone
    assert repair_mojibake("São Paulo, Ñandú, Â") == "São Paulo, Ñandú, Â"
