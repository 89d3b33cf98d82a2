"""The byte scanner gives lxml's reading of a sheet or declines: never a different answer.

The reference is the tree walk (sheetread._tree_rows) that every part took before; each test
compares the two on the same bytes, and checks that the fast path really serves xlperf's own sheets.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from xlperf.workbook import sheetread, sheetscan
from xlperf.workbook.sheetscan import Record, scan_cells

from wb_builders import CORPUS, mutated

ROOT = Path(__file__).resolve().parents[2]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def reference(data: bytes, min_row: int = 1, max_row: int = sheetread.MAX_ROW):
    """lxml's records, or the exception it raises."""
    try:
        return list(sheetread._records(sheetread._tree_rows(data, "p", max_row, min_row), 16_384, 1))
    except Exception as exc:  # noqa: BLE001
        return exc


def agrees(data: bytes, min_row: int = 1, max_row: int = sheetread.MAX_ROW) -> bool:
    """True when the scanner answered (and then it must equal lxml's answer); False when it declined.

    Equal twice over: the records' texts, and the cells read_cells makes of them (where the scanner
    decoded them itself)."""
    got = scan_cells(data, "p", min_row, max_row)
    if got is None:
        return False
    want = reference(data, min_row, max_row)
    assert not isinstance(want, Exception), f"scanner accepted what lxml refuses ({want!r}): {data[:300]!r}"
    assert [r[:9] for r in got] == [r[:9] for r in want]
    assert cells(data, min_row, max_row, fast=True) == cells(data, min_row, max_row, fast=False)
    return True


SHARED = [f"共享{i}" for i in range(100)]


def cells(data: bytes, min_row: int, max_row: int, fast: bool):
    saved = sheetread.scan_cells
    if not fast:
        sheetread.scan_cells = lambda *args: None
    try:
        return sheetread.read_cells(data, SHARED, "p", 10**6, max_row, 16_384, min_row, 1)
    except Exception as exc:  # noqa: BLE001
        return type(exc), str(exc)
    finally:
        sheetread.scan_cells = saved


def sheet(rows: str, head: str = "", root_attrs: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet {NS}{root_attrs}>{head}'
            f"<sheetData>{rows}</sheetData></worksheet>").encode()


def worksheets(path: Path):
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                yield name, z.read(name)


def test_every_bundled_sheet_is_read_by_the_scanner_as_lxml_reads_it():
    books = sorted((ROOT / "workbooks").glob("*.xls*"))
    assert books
    for book in books:
        for name, data in worksheets(book):
            assert agrees(data), f"{book.name} {name}: the template's own sheets should take the fast path"
            assert agrees(data, min_row=3, max_row=9)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus")
def test_workbooks_written_by_other_software_agree_or_are_left_to_lxml():
    taken = 0
    for book in sorted(CORPUS.rglob("*.xls[xm]")):
        try:
            sheets = list(worksheets(book))
        except (zipfile.BadZipFile, OSError):
            continue
        for _, data in sheets:
            taken += agrees(data)
    assert taken > 100  # Excel's own sheets (a CRLF after the declaration) are in the subset


def test_values_entities_formulas_and_empty_elements():
    rows = ('<row r="2" spans="1:4"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> a &amp; b &#x4E2D;_x000D_</t></is></c>'
            '<c r="B2"><v>1.5</v></c><c r="C2" t="s"><v>0</v></c><c r="D2" s="3"/>'
            '<c r="E2"><f t="shared" ref="E2:E3" si="0">B2*2</f><v>3</v></c></row>'
            '<row r="3"><c r="E3"><f t="shared" si="0"/><v>4</v></c><c r="F3" t="str"><f>"x"</f><v></v></c>'
            '<c r="G3" t="b"><v>1</v></c><c r="H3" t="e"><v>#DIV/0!</v></c><c r="I3" t="inlineStr"><is><t/></is></c></row>'
            '<row r="4"/><row r="5"></row>')
    data = sheet(rows)
    assert agrees(data)
    got = scan_cells(data, "p", 1, 100)
    assert got[0][:9] == Record(2, 1, "inlineStr", None, False, " a & b 中\r", None, None, None)[:9]
    assert got[0].cell.value == " a & b 中\r" and got[2].cell is None  # a shared string: read per workbook
    assert len(got) == 9  # D2, a styled blank, is no record
    assert got[3].f == "B2*2" and got[3].f_si == "0" and got[4].f == ""
    assert got[5][:9] == Record(3, 6, "str", None, True, None, '"x"', None, None)[:9]
    assert agrees(data, min_row=3, max_row=3)
    assert [r.row for r in scan_cells(data, "p", 3, 3)] == [3, 3, 3, 3, 3]


def test_reading_stops_at_the_first_row_past_the_box_as_the_tree_walk_does():
    data = sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="7"><c r="A7"><v>7</v></c></row>'
                 '<row r="2"><c r="A2"><v>2</v></c></row>')
    assert [r.row for r in scan_cells(data, "p", 1, 5)] == [1]
    assert agrees(data, 1, 5) and agrees(data, 2, 9)


def test_bound_prefixes_and_excel_row_attributes_are_read():
    ac = ' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'
    rows = '<row r="1" x14ac:dyDescent="0.25"><c r="A1" x14ac:n="1"><v>1</v></c></row><row r="2" x14ac:dyDescent="0.25"/>'
    assert agrees(sheet(rows, root_attrs=ac))
    # The same pieces, remembered, in a sheet that does not bind the prefix: lxml refuses it, so must we.
    assert scan_cells(sheet(rows), "p", 1, 9) is None
    assert scan_cells(sheet(rows.replace('x14ac:n="1"', "")), "p", 1, 9) is None


@pytest.mark.parametrize("rows, why", [
    ('<row r="1" x14ac:dyDescent="0.25"><c r="A1"><v>1</v></c></row>', "unbound prefix"),
    ('<row r="1"><c r="A1" r="B1"><v>1</v></c></row>', "duplicate attribute"),
    ('<row r="1"><c r="A1"><v>1&#1;</v></c></row>', "not an XML character"),
    ('<row r="1"><c r="A1"><v>1 &nbsp;</v></c></row>', "an entity XML does not define"),
    ('<row r="1"><c r="A1"><v>a & b</v></c></row>', "a bare ampersand"),
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>a\rb</t></is></c></row>', "a carriage return, read as a newline"),
    ('<row r="1"><c r="A1" t="n"><is><t>&nbsp;</t></is></c></row>', "a bad entity in a text the cell's type ignores"),
    ('<row r="1"><!-- x --><c r="A1"><v>1</v></c></row>', "a comment"),
    ('<row r="1"><c r="A1"><v>1</v></c>', "a row never closed"),
    ('<row><c r="A1"><v>1</v></c></row>', "a row without r="),
    ('<row r="1"><c t="n"><v>1</v></c></row>', "a cell without r="),
    ('<row r="1"><c r="A1"><v>1</v><f>A2</f></c></row>', "children out of order"),
    ('<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r></is></c></row>', "rich text"),
    ('<row r="1"><c r="A1"><v xmlns="urn:x">1</v></c></row>', "a namespace declared inside"),
    ('<row r="1"><c r="A1"><v>\x01</v></c></row>', "a control character"),
    ('<row r="1"><c r="A1"><v>\xff</v></c></row>', "not UTF-8"),
])
def test_outside_the_subset_the_scanner_declines(rows, why):
    data = sheet(rows) if "\xff" not in rows else sheet(rows.replace("\xff", "")).replace(b"<v></v>", b"<v>\xff</v>")
    assert scan_cells(data, "p", 1, 100) is None, why


def test_the_rest_of_the_part_is_lxmls_to_judge():
    assert scan_cells(sheet("", head="<dimension ref='A1'>"), "p", 1, 9) is None  # unclosed element
    assert scan_cells(b'<?xml version="1.0" encoding="GBK"?>' + sheet("")[55:], "p", 1, 9) is None
    doctype = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "b">]>' + sheet("")[55:]
    assert scan_cells(doctype, "p", 1, 9) is None
    hidden = sheet("", head='<extLst><x:sheetData xmlns:x="urn:x"><row r="1"/></x:sheetData></extLst>')
    assert scan_cells(hidden, "p", 1, 9) is None  # a second sheetData: the tree walk reads both


def test_mutated_sheets_never_disagree():
    """Thousands of damaged copies of a template sheet: each is read as lxml reads it, or declined."""
    with zipfile.ZipFile(ROOT / "workbooks" / "example-2024.xlsx") as z:
        base = z.read("xl/worksheets/sheet3.xml")
    start, end = base.index(b"<sheetData>"), base.index(b"</sheetData>")
    snippets = [b"<", b">", b"&", b"&amp;", b"&#0;", b"&#x10FFFF;", b'"', b"'", b" ", b"\n", b"\r", b"/",
                b'<c r="Z9"/>', b"</row>", b'<row r="3">', b"<v>", b"</c>", b'r="B3"', b" x:y='1'", b"<f/>",
                b"<!--", b"]]>", b"\xe4", b"\x00", b"xmlns", b'<c r="A0">', b'<row r="0">', b"<is><t>q</t></is>"]
    rng = random.Random(20261204)
    taken = declined = 0
    for _ in range(3000):
        data = mutated(base, start, end, snippets, rng)
        if agrees(data, 1, rng.choice((5, 19, sheetread.MAX_ROW))):
            taken += 1
        else:
            declined += 1
    assert taken > 100 and declined > 100  # both branches exercised


def test_the_memo_of_pieces_is_bounded(monkeypatch):
    monkeypatch.setattr(sheetscan, "_PIECES", {})
    monkeypatch.setattr(sheetscan, "_MEMO_LIMIT", 5)
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 50))
    assert agrees(sheet(rows))
    assert len(sheetscan._PIECES) == 5


def test_huge_pieces_heads_and_leads_are_read_but_not_remembered(monkeypatch):
    for memo in ("_PIECES", "_LEADS", "_FRAMES"):
        monkeypatch.setattr(sheetscan, memo, {})
    big = "评" * 2000  # 6,000 bytes of text in one cell
    blank_rows = "".join(f'<row r="{i}"/>' for i in range(1, 400))
    data = sheet(blank_rows + f'<row r="400"><c r="A400" t="inlineStr"><is><t>{big}</t></is></c></row>',
                 head="<sheetPr>" + "<tabColor rgb='00FF0000'/>" * 3000 + "</sheetPr>")
    assert agrees(data)
    assert scan_cells(data, "p", 1, 500)[0].cell.value == big
    assert not sheetscan._PIECES and not sheetscan._LEADS and not sheetscan._FRAMES


def test_a_bad_number_is_refused_with_the_reference_message():
    data = sheet('<row r="1"><c r="B1"><v>1x5</v></c></row>')
    assert agrees(data)  # the same error, naming the same cell, either way
    fast = cells(data, 1, 9, fast=True)
    assert fast[0].__name__ == "WorkbookError" and "B1" in fast[1]


def test_remembered_numbers_follow_the_decoder_in_force(monkeypatch):
    from decimal import Decimal

    from xlperf.book import codec

    data = sheet('<row r="1"><c r="A1"><v>1.5</v></c></row>')
    assert cells(data, 1, 9, fast=True)[(1, 1)].value == Decimal("1.5")
    monkeypatch.setattr(codec, "from_number_text", lambda text: Decimal(9))
    assert cells(data, 1, 9, fast=True)[(1, 1)].value == Decimal(9)


def test_a_new_value_in_a_known_cell_is_read_by_its_shape_as_lxml_reads_it(monkeypatch):
    """Each unit types its own numbers and names into the template's cells: the cell's shape is remembered
    without its <v> or <t> text, and any text is then decoded as the full reading would (or the scanner
    declines)."""
    for memo in ("_PIECES", "_SHAPES"):
        monkeypatch.setattr(sheetscan, memo, {})

    def row(v: str, formula: str = "1") -> str:
        return (f'<row r="3" spans="1:5"><c r="B3" s="4"><v>{v}</v></c><c r="C3" s="5" t="s"><v>{v}</v></c>'
                f'<c r="D3" s="6" t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'
                f'<c r="E3" t="n"><is><t>{v}</t></is></c>'
                f'<c r="F3"><f>B3</f><v>{formula}</v></c></row><row r="4"/>')

    assert agrees(sheet(row("1")))
    shapes = len(sheetscan._SHAPES)
    assert shapes == 4  # a formula cell's first text is its formula: parsed whole, as before
    parsed = []
    real_piece = sheetscan._piece
    monkeypatch.setattr(sheetscan, "_piece", lambda *args: parsed.append(args) or real_piece(*args))
    for v in ("2", "533.46", "1E-3", "", "7", "1&amp;2", "&#x31;", "项目 1", "a_x000D_b"):
        assert agrees(sheet(row(v)))
    assert not parsed  # every piece above was read by its shape
    got = scan_cells(sheet(row("533.46")), "p", 1, 9)
    assert got[0].v == "533.46" and str(got[0].cell.value) == "533.46" and got[1].v == "533.46" and got[1].cell is None
    assert got[2].inline == "533.46" and got[2].cell.value == "533.46" and got[3].inline is None
    assert agrees(sheet(row("1", formula="2"))) and len(parsed) == 1  # a new formula value: the full reading
    assert agrees(sheet(row("x > y"))) and len(parsed) == 5  # a ">" hides where a text starts: read whole
    # Texts the shape cannot vouch for go to the full reading, which declines or refuses as before.
    for v in ("1<x/>2", "1\r2", "&nbsp;", "\x01", "a &#1; b"):
        assert scan_cells(sheet(row(v)), "p", 1, 9) is None, v
    assert len(sheetscan._SHAPES) == shapes
