"""The shared-strings scanner gives lxml's reading of the table or declines: never a different answer.

The reference is the reading every table took before: each <si> parsed by lxml and read by
cellvalues.rich_text. Each test compares the two on the same bytes.
"""

from __future__ import annotations

import random
import zipfile

import pytest

from xlperf import sightings
from xlperf.errors import WorkbookError
from xlperf.workbook import stringscan
from xlperf.workbook.cellvalues import SharedStrings, rich_text
from xlperf.workbook.stringscan import scan_strings
from xlperf.workbook.xmlsafe import children

from wb_builders import CORPUS, mutated

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
# A string as LibreOffice writes one (a run per font) and as Excel in a Chinese locale writes one.
RICH = ('<si><r><rPr><sz val="10"/><rFont val="宋体"/><family val="0"/><charset val="1"/></rPr>'
        '<t xml:space="preserve">1. </t></r><r><rPr><sz val="10"/><color rgb="FF000000" theme="1"/></rPr>'
        '<t xml:space="preserve">一季度预算执行率</t></r></si>')
PHONETIC = '<si><t>休假天数</t><phoneticPr fontId="31" type="noConversion"/></si>'


def reference(data: bytes):
    """lxml's strings, or the exception it raises."""
    try:
        return [rich_text(si) for si in children(data, "p", "si", "sst")]
    except Exception as exc:  # noqa: BLE001
        return exc


def agrees(data: bytes) -> bool:
    """True when the scanner answered (and then it equals lxml's answer); False when it declined."""
    got = scan_strings(data, "p")
    if got is None:
        return False
    want = reference(data)
    assert not isinstance(want, Exception), f"scanner accepted what lxml refuses ({want!r}): {data[:300]!r}"
    assert got == want
    return True


def table(strings: str, head: str = "", tail: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {NS} count="9" uniqueCount="9">'
            f"{head}{strings}{tail}</sst>").encode()


def test_plain_rich_and_phonetic_strings_are_read_as_lxml_reads_them():
    strings = ('<si><t>项目清单</t></si><si><t xml:space="preserve"> a &amp; b &#x4E2D;&lt;_x000D_ </t></si>'
               '<si><t/></si><si></si><si>\n  <t>缩进</t>\n</si>' + RICH + PHONETIC +
               '<si><t>tval</t><r><t>rval1</t></r><r><rPr/><t>rval2</t></r></si>'
               '<si><r><t>課きく</t></r><rPh sb="0" eb="1"><t>カ</t></rPh><phoneticPr fontId="1"/></si>')
    data = table(strings)
    assert agrees(data)
    assert scan_strings(data, "p")[1] == " a & b 中<\r "
    assert scan_strings(data, "p")[5] == "1. 一季度预算执行率"
    assert scan_strings(data, "p")[8] == "課きく"  # the phonetic reading is not part of the string
    assert agrees(table(RICH.replace("<r>", "\r\n<r>")))  # CR LF between elements is only white space


@pytest.mark.parametrize("strings, why", [
    ("<si><t>a\r\nb</t></si>", "a CR in text (lxml reads it as a newline)"),
    ("<si><!-- x --><t>a</t></si>", "a comment"),
    ("<si><t><![CDATA[a]]></t></si>", "CDATA"),
    ("<si><?pi x?><t>a</t></si>", "a processing instruction"),
    ('<si><x:t xmlns:x="urn:x">a</x:t></si>', "a prefix"),
    ('<si><t xmlns="urn:other">a</t></si>', "a namespace declaration"),
    ("<si><t>a &bogus; b</t></si>", "an entity XML does not define"),
    ('<si><r><rPr><sz val="&amp;"/></rPr><t>a</t></r></si>', "a reference in an attribute"),
    ('<si><r><rPr><sz val="1" val="2"/></rPr><t>a</t></r></si>', "an attribute given twice"),
    ("<si><t>a\x01b</t></si>", "a character XML forbids"),
    ("<si/><si><t>a</t></si>", "an empty <si/>"),
    ('<si ><t>a</t></si><si><t>b</t></si>', "an <si> written otherwise"),
    ("<si><t>a</t><b/></si>", "an element the reading does not know"),
    ("<si><t>a</t></si><si><t>b</t>", "an unclosed string"),
])
def test_outside_the_subset_the_scanner_declines(strings, why):
    assert scan_strings(table(strings), "p") is None, why


def test_invalid_utf8_and_the_frame_are_lxmls_to_judge():
    assert scan_strings(table("<si><t>ok</t></si>").replace(b"ok", b"o\xffk"), "p") is None
    assert scan_strings(table('<si><r><rPr><rFont val="x"/></rPr><t>a</t></r></si>').replace(b'"x"', b'"\xff"'),
                        "p") is None
    # Strings hidden where the reading would find others, or none: in a comment the head opens, in the tail.
    assert scan_strings(table("<si><t>a</t></si>", head="<!-- ", tail=" -->"), "p") is None
    assert scan_strings(table("<si><t>a</t></si>", tail="<extLst><x><si><t>b</t></si></x></extLst>"), "p") is None
    assert scan_strings(table("<si><t>a</t></si>", head="<extLst>", tail="</extLst>"), "p") is None
    assert scan_strings(b'<?xml version="1.0" encoding="GBK"?>' + table("<si><t>a</t></si>")[55:], "p") is None
    doctype = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "b">]>' + table("<si><t>a</t></si>")[55:]
    assert scan_strings(doctype, "p") is None
    assert scan_strings(table(""), "p") is None  # no string at all: the reference path reads it
    assert agrees(table("<si><t>a</t></si>", tail="<extLst><ext uri='u'/></extLst>"))


def test_mutated_tables_never_disagree():
    """Thousands of damaged copies of a table: each is read as lxml reads it, or declined."""
    base = table('<si><t>项目</t></si>' + RICH + PHONETIC + '<si><t xml:space="preserve"> x &amp; y </t></si>')
    start, end = base.index(b"<si>"), base.rindex(b"</si>")
    snippets = [b"<", b">", b"&", b"&amp;", b"&#0;", b"&#x10FFFF;", b'"', b"'", b" ", b"\n", b"\r", b"/",
                b"<si>", b"</si>", b"<t>", b"</t>", b"<r>", b"</r>", b"<rPr>", b'<sz val="1"/>', b" x:y='1'",
                b"<!--", b"]]>", b"\xe4", b"\x00", b"xmlns", b"<phoneticPr/>", b"<rPh><t>q</t></rPh>", b"<si/>"]
    rng = random.Random(20261207)
    taken = declined = 0
    for _ in range(3000):
        data = mutated(base, start, end, snippets, rng)
        if agrees(data):
            taken += 1
        else:
            declined += 1
    assert taken > 100 and declined > 100  # both branches exercised


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus")
def test_tables_written_by_other_software_agree_or_are_left_to_lxml():
    taken = 0
    for book in sorted(CORPUS.rglob("*.xls[xm]")):
        try:
            with zipfile.ZipFile(book) as z:
                parts = [z.read(n) for n in z.namelist() if n.lower().endswith("sharedstrings.xml")]
        except (zipfile.BadZipFile, OSError):
            continue
        for data in parts:
            taken += agrees(data)
    assert taken > 30  # Excel's (phonetic properties and all), LibreOffice's and openpyxl's tables


@pytest.fixture
def first_file():
    sightings.reset()
    sightings.next_file()  # a process's first file: whatever it brings may be held
    yield
    sightings.reset()


def test_the_memo_is_bounded_and_a_huge_string_is_read_but_not_held(monkeypatch, first_file):
    monkeypatch.setattr(stringscan, "_PIECES", {})
    monkeypatch.setattr(stringscan, "_held", 0)
    monkeypatch.setattr(stringscan, "_HELD_LIMIT", 200)
    strings = "".join(f"<si><t>第 {i} 个字符串</t></si>" for i in range(40))
    assert agrees(table(strings))
    assert 0 < stringscan._held <= 200 and len(stringscan._PIECES) < 40
    huge = "字" * (stringscan._PIECE_BYTES // 3 + 10)
    assert scan_strings(table(f"<si><t>{huge}</t></si>"), "p") == [huge]
    assert all(huge not in text for text in stringscan._PIECES.values())


def test_a_units_own_strings_are_not_held_after_the_first_file(monkeypatch, first_file):
    monkeypatch.setattr(stringscan, "_PIECES", {})
    monkeypatch.setattr(stringscan, "_held", 0)
    shared = "<si><t>项目名称</t></si><si><t>是</t></si>"
    assert scan_strings(table(shared), "p") == ["项目名称", "是"]  # the first file: the template's strings
    for k in range(5):
        sightings.next_file()
        own = f"<si><t>第 {k} 号单位的项目</t></si>"
        assert scan_strings(table(shared + own), "p") == ["项目名称", "是", f"第 {k} 号单位的项目"]
        assert sorted(stringscan._PIECES.values()) == sorted(["项目名称", "是"])  # read, never held
    sightings.next_file()
    assert scan_strings(table(shared + "<si><t>第 4 号单位的项目</t></si>"), "p")[2] == "第 4 号单位的项目"
    assert "第 4 号单位的项目" in stringscan._PIECES.values()  # shown by an earlier file: now it is held


def test_shared_strings_from_the_scanner_keep_the_limit_on_text_held():
    data = table("<si><t>一二三</t></si><si><t>四五六</t></si><si><t>七八九</t></si>")
    assert scan_strings(data, "p") is not None  # the fast path serves this table
    assert SharedStrings(data, "p", 100).all() == ["一二三", "四五六", "七八九"]
    within = SharedStrings(data, "p", 6)
    assert within[1] == "四五六"  # only as far as asked: six characters held
    with pytest.raises(WorkbookError) as refused:
        within[2]
    assert refused.value.problems[0].code == "TOO_LARGE"
