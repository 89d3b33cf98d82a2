"""The template's sheets are written in UTF-8, not as character references, and mean the same XML."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from xlperf.workbook.template.compact import compact_xml

SHIPPED = Path(__file__).parents[2] / "workbooks"


def _c14n(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n")


def test_non_ascii_references_become_utf8_and_the_xml_means_the_same() -> None:
    data = ('<c xmlns="urn:x" a="&#35780;&#13;&#34;"><t>&#35780;&#20215;&#38; &#13;'
            '&#128512;</t></c>').encode("ascii")
    out = compact_xml(data)
    # 评 and 价 and the astral 😀 written out; the CR, the quote and the ampersand stay references.
    assert out == '<c xmlns="urn:x" a="评&#13;&#34;"><t>评价&#38; &#13;😀</t></c>'.encode("utf-8")
    assert _c14n(out) == _c14n(data)


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0" encoding="GB2312"?><t>&#35780;</t>',  # another encoding: bytes would lie
    b"<t><!-- &#35780; --></t>",  # a comment (or CDATA): &# there is not a reference
    b"<t><![CDATA[&#35780;]]></t>",
    b"<t>plain</t>",
])
def test_parts_it_cannot_or_need_not_rewrite_are_returned_unchanged(data: bytes) -> None:
    assert compact_xml(data) is data


def test_a_declared_utf8_part_is_compacted() -> None:
    data = b"<?xml version='1.0' encoding='UTF-8'?><t>&#35780;</t>"
    assert compact_xml(data) == "<?xml version='1.0' encoding='UTF-8'?><t>评</t>".encode("utf-8")


@pytest.mark.parametrize("name", ["template.xlsx", "template.xlsm", "example-2024.xlsx"])
def test_the_shipped_sheets_hold_no_reference_to_a_non_ascii_character(name: str) -> None:
    with zipfile.ZipFile(SHIPPED / name) as z:
        sheets = [i for i in z.namelist() if i.startswith("xl/worksheets/") and i.endswith(".xml")]
        texts = {i: z.read(i) for i in sheets}
    assert len(texts) >= 14
    assert "评价人评分".encode("utf-8") in b"".join(texts.values())
    for part, data in texts.items():
        refs = [int(n) for n in re.findall(rb"&#([0-9]+);", data)]
        assert all(n < 0x80 for n in refs), part
