"""The package layer: reading cells exactly, patching sheet XML, writing packages that keep everything else."""

from __future__ import annotations

import os
import subprocess
import time
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from wb_builders import (
    CORPUS, MAIN, R, deflated_zeros, entries_of, raw_zip, sheet_xml, workbook_parts, write_workbook, write_zip,
)
from xlperf.errors import WorkbookError
from xlperf.workbook import package as pkgmod
from xlperf.book.a1 import from_a1, parse_range
from xlperf.book.protocol import ErrorValue
from xlperf.workbook.package import Cell, DefinedName, Limits, Package, TableRef
from xlperf.workbook.problems import MESSAGES
from xlperf.workbook.sheetpatch import patch_sheet, patch_sheet_xml
from xlperf.workbook.structure import check_structure
from xlperf.workbook.writer import write_package
from xlperf.workbook.sheetread import read_cells
from xlperf.workbook.xmlsafe import parse_xml
from xlperf.workbook.zipraw import raw_member

NS = {"m": MAIN}
VBA = CORPUS / "calamine" / "vba.xlsm"


def problem_code(excinfo) -> str:
    problems = excinfo.value.problems
    assert len(problems) == 1
    message = problems[0].message
    assert message and "\n" not in message and "Traceback" not in message
    return problems[0].code


def cell_el(xml: bytes, ref: str):
    root = etree.fromstring(xml)
    found = root.xpath(f"//m:c[@r='{ref}']", namespaces=NS)
    return found[0] if found else None


def simple_book(tmp_path: Path, rows: str, name: str = "b.xlsx", **kw) -> Path:
    return write_workbook(tmp_path / name, [{"name": "Data", "xml": sheet_xml(rows)}], **kw)


# -- reading ------------------------------------------------------------------------------------------

def test_read_cells_from_openpyxl_workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "输入"
    ws["A1"] = 0.1
    ws["A2"] = 123456789012345
    ws["A3"] = -2.5e-7
    ws["A4"] = 0.30000000000000004
    ws["B1"] = "hello"
    ws["B2"] = "  spaced  "
    ws["C1"] = True
    ws["C2"] = False
    ws["D1"] = "=SUM(A1:A2)"
    ws["E1"] = "#DIV/0!"
    wb.save(tmp_path / "o.xlsx")

    cells = Package.open(tmp_path / "o.xlsx").read_cells("输入")

    assert cells[(1, 1)] == Cell(Decimal("0.1"), None)
    assert type(cells[(1, 1)].value) is Decimal
    assert str(cells[(1, 1)].value) == "0.1"
    assert cells[(2, 1)].value == Decimal("123456789012345")
    assert cells[(3, 1)].value == Decimal("-0.00000025")
    stored = cell_el(Package.open(tmp_path / "o.xlsx").read("xl/worksheets/sheet1.xml"), "A4").find("m:v", NS).text
    assert cells[(4, 1)].value == Decimal(stored)  # exactly the stored text, whatever precision the writer chose
    assert cells[(1, 2)] == Cell("hello", None)
    assert cells[(2, 2)].value == "  spaced  "
    assert cells[(1, 3)] == Cell(True, None)
    assert cells[(2, 3)] == Cell(False, None)
    assert cells[(1, 4)] == Cell(None, "SUM(A1:A2)")
    assert cells[(1, 5)] == Cell(ErrorValue("#DIV/0!"), None)
    assert set(cells) == {(1, 1), (2, 1), (3, 1), (4, 1), (1, 2), (2, 2), (1, 3), (2, 3), (1, 4), (1, 5)}


SHARED_XML = (
    f'<sst xmlns="{MAIN}"><si><t>plain</t></si>'
    '<si><r><t xml:space="preserve">rich </t></r><r><rPr><b/></rPr><t>text</t></r>'
    '<rPh sb="0" eb="1"><r><t>ふり</t></r></rPh><rPh sb="1" eb="2"><t>がな</t></rPh><phoneticPr fontId="1"/></si>'
    "<si><t>a_x000D_b_x005F_x000D_</t></si><si/></sst>"
).encode()

ODD_ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
    '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v/></c></row>'
    '<row r="2"><c r="A2"><v>1.5</v></c><c r="B2"><f>A2*2</f><v>3</v></c>'
    '<c r="C2" t="str"><f>"x"&amp;A2</f><v>x1.5</v></c><c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    '<c r="E2" t="d"><v>2024-01-31T00:00:00</v></c><c r="F2" s="3"/><c r="G2"><v/></c>'
    '<c r="H2" t="b"><v>0</v></c><c r="I2"><v>1E-3</v></c></row>'
    '<row><c><v>10</v></c><c><v>20</v></c><c r="E3"><v>50</v></c><c><v>60</v></c></row>'
    '<row r="5"><c r="A5"><f t="shared" ref="A5:A7" si="0">B5+$C$1</f><v>1</v></c></row>'
    '<row r="6"><c r="A6"><f t="shared" si="0"/><v>2</v></c></row>'
    '<row><c r="A7"><f t="shared" si="0"/><v>3</v></c>'
    '<c r="B7" t="inlineStr"><is><r><t>in</t></r><r><t>line_x000D_</t></r></is></c></row>'
)


def test_read_cells_covers_every_cell_type(tmp_path):
    pkg = Package.open(simple_book(tmp_path, ODD_ROWS, shared_xml=SHARED_XML))
    assert pkg.shared_strings() == ["plain", "rich text", "a\rb_x000D_", ""]
    cells = pkg.read_cells("Data")
    assert cells[(1, 1)].value == "plain"
    assert cells[(1, 2)].value == "rich text"
    assert cells[(1, 3)].value == "a\rb_x000D_"
    assert cells[(1, 4)].value == ""
    assert (1, 5) not in cells  # t="s" with an empty <v/> holds nothing
    assert cells[(2, 1)] == Cell(Decimal("1.5"), None)
    assert cells[(2, 2)] == Cell(Decimal("3"), "A2*2")
    assert cells[(2, 3)] == Cell("x1.5", '"x"&A2')
    assert cells[(2, 4)] == Cell(ErrorValue("#DIV/0!"), "1/0")
    assert cells[(2, 5)] == Cell("2024-01-31T00:00:00", None)
    assert (2, 6) not in cells and (2, 7) not in cells  # style-only and empty cells are left out
    assert cells[(2, 8)] == Cell(False, None)
    assert cells[(2, 9)].value == Decimal("0.001")
    assert {k: v.value for k, v in cells.items() if k[0] == 3} == {
        (3, 1): Decimal(10), (3, 2): Decimal(20), (3, 5): Decimal(50), (3, 6): Decimal(60),
    }
    assert cells[(5, 1)] == Cell(Decimal(1), "B5+$C$1")
    assert cells[(6, 1)] == Cell(Decimal(2), "B6+$C$1")
    assert cells[(7, 1)] == Cell(Decimal(3), "B7+$C$1")
    assert cells[(7, 2)].value == "inline\r"


@pytest.mark.parametrize(
    "cell, code",
    [
        ('<c r="A1"><v>abc</v></c>', "XML_BROKEN"),
        ('<c r="A1"><v>NaN</v></c>', "XML_BROKEN"),
        ('<c r="A1"><v>Infinity</v></c>', "XML_BROKEN"),
        ('<c r="A1" t="s"><v>7</v></c>', "XML_BROKEN"),
        ('<c r="A1" t="b"><v>yes</v></c>', "XML_BROKEN"),
        ('<c r="A1" t="zz"><v>1</v></c>', "XML_BROKEN"),
        ('<c r="A0"><v>1</v></c>', "XML_BROKEN"),
        ('<c r="XFE1"><v>1</v></c>', "XML_BROKEN"),
    ],
)
def test_bad_cells_are_reported_with_their_part(tmp_path, cell, code):
    pkg = Package.open(simple_book(tmp_path, f'<row r="1">{cell}</row>', shared=["only"]))
    with pytest.raises(WorkbookError) as exc:
        pkg.read_cells("Data")
    assert problem_code(exc) == code
    assert "sheet1.xml" in exc.value.problems[0].message


def chartsheet() -> bytes:
    return f'<chartsheet xmlns="{MAIN}" xmlns:r="{R}"><sheetViews><sheetView workbookViewId="0"/></sheetViews></chartsheet>'.encode()


def test_sheets_follow_workbook_order_and_relationships(tmp_path):
    path = write_workbook(
        tmp_path / "s.xlsx",
        [
            {"name": "First", "xml": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')},
            {"name": "Hidden", "xml": sheet_xml('<row r="1"><c r="A1"><v>2</v></c></row>'), "state": "hidden"},
            {"name": "Chart", "xml": chartsheet(), "kind": "chartsheet", "part": "xl/chartsheets/sheet1.xml"},
            {"name": "Deep", "xml": sheet_xml('<row r="1"><c r="A1"><v>4</v></c></row>'), "state": "veryHidden",
             "part": "xl/worksheets/sheet.xml"},
        ],
    )
    pkg = Package.open(path)
    assert [(s.name, s.part, s.state, s.kind) for s in pkg.sheets()] == [
        ("First", "xl/worksheets/sheet4.xml", "visible", "worksheet"),
        ("Hidden", "xl/worksheets/sheet3.xml", "hidden", "worksheet"),
        ("Chart", "xl/chartsheets/sheet1.xml", "visible", "chartsheet"),
        ("Deep", "xl/worksheets/sheet.xml", "veryHidden", "worksheet"),
    ]
    assert pkg.read_cells("First")[(1, 1)].value == 1
    assert pkg.read_cells("Hidden")[(1, 1)].value == 2
    assert pkg.read_cells("Deep")[(1, 1)].value == 4
    assert pkg.read_cells("Chart") == {}
    assert pkg.sheet("first").name == "First"
    with pytest.raises(KeyError):
        pkg.sheet("Nope")
    with pytest.raises(KeyError):
        pkg.read_cells("Nope")


def test_workbook_part_comes_from_the_package_relationships(tmp_path):
    parts = workbook_parts(
        [{"name": "S", "xml": sheet_xml('<row r="1"><c r="A1"><v>7</v></c></row>'), "part": "book/ws/one.xml"}],
        workbook_part="book/main.xml",
    )
    pkg = Package.open(write_zip(tmp_path / "w.xlsx", parts))
    assert pkg.workbook_part == "book/main.xml"
    assert pkg.sheet("S").part == "book/ws/one.xml"
    assert pkg.read_cells("S")[(1, 1)].value == 7


def test_read_is_tolerant_about_part_names(tmp_path):
    pkg = Package.open(simple_book(tmp_path, ""))
    expected = pkg.read("xl/workbook.xml")
    assert b"<workbook" in expected
    for spelling in ("/xl/workbook.xml", "XL/Workbook.XML", "xl\\workbook.xml", "\\xl\\workbook.xml"):
        assert pkg.read(spelling) == expected
    with pytest.raises(KeyError):
        pkg.read("xl/nothing.xml")
    assert pkg.names()[0] == "[Content_Types].xml"


def test_defined_names_keep_only_plain_single_area_references(tmp_path):
    names = (
        '<definedName name="Total">Data!$C$5</definedName>'
        "<definedName name=\"Block\">'My ''Sheet'''!$B$3:$D$9</definedName>"
        '<definedName name="Local" localSheetId="0">Data!$A$1</definedName>'
        '<definedName name="Rate">0.05</definedName>'
        '<definedName name="Gone">#REF!</definedName>'
        '<definedName name="Gone2">Data!#REF!</definedName>'
        '<definedName name="Two">Data!$A$1,Data!$B$2</definedName>'
        '<definedName name="Ext">[1]Data!$A$1</definedName>'
        '<definedName name="Missing">Nope!$A$1</definedName>'
        '<definedName name="Column">Data!$A:$A</definedName>'
        '<definedName name="lower">data!b2</definedName>'
        '<definedName name="中文名">数据表!$A$1</definedName>'
    )
    empty = sheet_xml("")
    path = write_workbook(
        tmp_path / "n.xlsx",
        [{"name": "Data", "xml": empty}, {"name": "My 'Sheet'", "xml": empty}, {"name": "数据表", "xml": empty}],
        defined_names=names,
    )
    assert Package.open(path).defined_names() == {
        "Total": DefinedName("Total", "Data", "C5"),
        "Block": DefinedName("Block", "My 'Sheet'", "B3:D9"),
        "lower": DefinedName("lower", "Data", "B2"),
        "中文名": DefinedName("中文名", "数据表", "A1"),
    }


def test_tables_and_custom_properties(tmp_path):
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "清单"
    ws.append(["项目", "金额"])
    ws.append(["甲", 1])
    ws.append(["乙", 2])
    ws.add_table(Table(displayName="项目清单", ref="A1:B3"))
    wb.custom_doc_props.append(StringProperty(name="模板版本", value="2024.1"))
    wb.save(tmp_path / "t.xlsx")

    pkg = Package.open(tmp_path / "t.xlsx")
    tables = pkg.tables()
    assert list(tables) == ["项目清单"]
    table = tables["项目清单"]
    assert isinstance(table, TableRef)
    assert (table.display_name, table.ref, table.columns, table.sheet) == ("项目清单", "A1:B3", ("项目", "金额"), "清单")
    assert table.part in pkg.names()
    assert pkg.custom_properties() == {"模板版本": "2024.1"}
    assert Package.open(simple_book(tmp_path, "")).custom_properties() == {}


# -- patching sheet XML -----------------------------------------------------------------------------

BASE_ROWS = (
    '<row r="1" spans="1:3"><c r="A1" s="1" t="s"><v>0</v></c><c r="C1" s="2"><v>5</v></c></row>'
    '<row r="3"><c r="B3" s="4"><f>A1+1</f><v>6</v></c></row>'
)


def test_patch_writes_each_type_and_keeps_text_as_text(tmp_path):
    values = {
        (1, 1): Decimal("0.1"), (1, 2): "=1+1", (1, 3): "#REF!", (2, 1): True, (2, 2): False,
        (2, 3): 42, (4, 1): " lead and trail ", (4, 2): Decimal("1E+2"), (4, 3): Decimal("1.50"),
        (4, 4): Decimal("-1.2345E+25"), (4, 5): 0.25,
    }
    xml = patch_sheet_xml(sheet_xml(BASE_ROWS), values)
    b1 = cell_el(xml, "B1")
    assert b1.get("t") == "inlineStr" and b1.find("m:f", NS) is None
    t = b1.find("m:is/m:t", NS)
    assert t.text == "=1+1" and t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    c1 = cell_el(xml, "C1")
    assert c1.get("t") == "inlineStr" and c1.find("m:is/m:t", NS).text == "#REF!" and c1.get("s") == "2"
    assert cell_el(xml, "A1").find("m:v", NS).text == "0.1" and cell_el(xml, "A1").get("t") is None
    assert cell_el(xml, "A1").get("s") == "1"
    assert [cell_el(xml, r).find("m:v", NS).text for r in ("A2", "B2", "C2")] == ["1", "0", "42"]
    assert [cell_el(xml, r).get("t") for r in ("A2", "B2", "C2")] == ["b", "b", None]
    assert [cell_el(xml, r).find("m:v", NS).text for r in ("B4", "C4", "D4", "E4")] == [
        "100", "1.50", "-1.2345E+25", "0.25",
    ]

    path = simple_book(tmp_path, "")
    pkg = Package.open(path)
    write_package(pkg, tmp_path / "out.xlsx", {pkg.sheet("Data").part: xml})
    cells = Package.open(tmp_path / "out.xlsx").read_cells("Data")
    assert cells[(1, 2)] == Cell("=1+1", None)
    assert cells[(1, 3)] == Cell("#REF!", None)
    assert cells[(4, 1)].value == " lead and trail "
    assert cells[(4, 4)].value == Decimal("-1.2345E+25")
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Data"]
    assert (ws["B1"].value, ws["B1"].data_type) == ("=1+1", "s")
    assert (ws["C1"].value, ws["C1"].data_type) == ("#REF!", "s")
    assert ws["A2"].value is True and ws["C2"].value == 42


def test_patch_keeps_and_sets_styles_and_none_clears(tmp_path):
    result = patch_sheet(
        sheet_xml(BASE_ROWS), {(1, 3): None, (3, 2): None, (5, 5): None, (6, 6): None},
        styles={(1, 1): 9, (6, 6): 7},
    )
    xml = result.xml
    c1 = cell_el(xml, "C1")
    assert c1.get("s") == "2" and len(c1) == 0 and c1.get("t") is None
    b3 = cell_el(xml, "B3")
    assert b3.get("s") == "4" and len(b3) == 0
    assert result.formulas_removed
    a1 = cell_el(xml, "A1")
    assert a1.get("s") == "9" and a1.get("t") == "s" and a1.find("m:v", NS).text == "0"  # style only
    assert cell_el(xml, "E5") is None  # None on a missing, unstyled cell creates nothing
    f6 = cell_el(xml, "F6")
    assert f6.get("s") == "7" and len(f6) == 0
    assert not patch_sheet(sheet_xml(BASE_ROWS), {(1, 1): 1}).formulas_removed


def test_patch_inserts_rows_and_cells_in_order_and_updates_dimension():
    xml = patch_sheet_xml(
        sheet_xml(BASE_ROWS, head='<dimension ref="A1:C3"/>'),
        {(5, 3): 1, (2, 10): 2, (2, 1): 3, (1, 2): 4, (1, 26): 5, (3, 1): 6},
    )
    root = etree.fromstring(xml)
    rows = root.findall("m:sheetData/m:row", NS)
    assert [r.get("r") for r in rows] == ["1", "2", "3", "5"]
    assert [[c.get("r") for c in r.findall("m:c", NS)] for r in rows] == [
        ["A1", "B1", "C1", "Z1"], ["A2", "J2"], ["A3", "B3"], ["C5"],
    ]
    assert root.find("m:dimension", NS).get("ref") == "A1:Z5"
    assert rows[0].get("spans") == "1:26"
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')


def test_patch_adds_a_missing_dimension_in_schema_order():
    xml = patch_sheet_xml(sheet_xml("", head="<sheetPr/>"), {(2, 2): 1})
    root = etree.fromstring(xml)
    assert [etree.QName(e).localname for e in root] == ["sheetPr", "dimension", "sheetData"]
    assert root.find("m:dimension", NS).get("ref") == "B2"


def test_clear_rows_from_empties_old_findings_but_keeps_styles():
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="10"><c r="A10" s="5" t="inlineStr"><is><t>old</t></is></c><c r="B10" s="6"><f>A1</f><v>1</v></c></row>'
        '<row r="11"><c r="A11" s="5"><v>2</v></c></row>'
    )
    result = patch_sheet(sheet_xml(rows), {(10, 1): "new"}, clear_rows_from=10)
    xml = result.xml
    assert cell_el(xml, "A1").find("m:v", NS).text == "1"
    a10 = cell_el(xml, "A10")
    assert a10.get("s") == "5" and a10.find("m:is/m:t", NS).text == "new"
    for ref, style in (("B10", "6"), ("A11", "5")):
        el = cell_el(xml, ref)
        assert el.get("s") == style and len(el) == 0 and el.get("t") is None
    assert result.formulas_removed


def test_patch_escapes_control_characters_and_escape_lookalikes_so_text_reads_back_unchanged(tmp_path):
    # XML cannot hold \x00 or \x1b raw; Excel stores them as _xHHHH_, and so does the patcher (issue 7).
    text = "a\x00b\x07c\x1b[31md\ttab\nline\r_x000D_ \ufffe end"
    xml = patch_sheet_xml(sheet_xml(""), {(1, 1): text})
    assert b"\x00" not in xml and b"\x07" not in xml and b"\x1b" not in xml
    assert b"a_x0000_b_x0007_c_x001B_[31m" in xml and b"_x005F_x000D_" in xml
    pkg = Package.open(simple_book(tmp_path, ""))
    write_package(pkg, tmp_path / "o.xlsx", {pkg.sheet("Data").part: xml})
    assert Package.open(tmp_path / "o.xlsx").read_cells("Data")[(1, 1)].value == text


def test_patch_handles_prefixed_namespaces(tmp_path):
    rows = '<x:row r="2"><x:c r="B2" s="1"><x:v>1</x:v></x:c></x:row>'
    xml = patch_sheet_xml(sheet_xml(rows, prefix="x"), {(2, 2): "two", (1, 1): 1, (3, 3): True})
    assert b"<x:row" in xml and b"<row" not in xml and b"<x:is><x:t" in xml
    root = etree.fromstring(xml)
    assert [r.get("r") for r in root.iter(f"{{{MAIN}}}row")] == ["1", "2", "3"]
    path = write_workbook(tmp_path / "p.xlsx", [{"name": "P", "xml": xml}])
    cells = Package.open(path).read_cells("P")
    assert {k: c.value for k, c in cells.items()} == {(1, 1): 1, (2, 2): "two", (3, 3): True}


def test_patch_numbers_rows_and_cells_that_had_no_r():
    rows = "<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>"
    xml = patch_sheet_xml(sheet_xml(rows), {(2, 3): 9, (1, 2): 8})
    root = etree.fromstring(xml)
    assert [(r.get("r"), [c.get("r") for c in r]) for r in root.iter(f"{{{MAIN}}}row")] == [
        ("1", ["A1", "B1"]), ("2", ["A2", "C2"]),
    ]
    assert cell_el(xml, "B1").find("m:v", NS).text == "8"


SHARED_ROWS = (
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B4" si="0">A1*2</f><v>2</v></c></row>'
    '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
    '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c></row>'
    '<row r="4"><c r="A4"><v>4</v></c><c r="B4"><f t="shared" si="0" ca="1"/><v>8</v></c></row>'
)


def test_overwriting_a_shared_formula_master_expands_its_followers(tmp_path):
    result = patch_sheet(sheet_xml(SHARED_ROWS), {(1, 2): Decimal(99), (3, 2): "x"})
    assert result.formulas_removed
    b2, b4 = cell_el(result.xml, "B2"), cell_el(result.xml, "B4")
    assert b2.find("m:f", NS).text == "A2*2" and b2.find("m:f", NS).get("t") is None
    assert b4.find("m:f", NS).text == "A4*2" and b4.find("m:v", NS).text == "8"
    assert dict(b4.find("m:f", NS).attrib) == {"ca": "1"}
    assert cell_el(result.xml, "B1").find("m:f", NS) is None
    path = write_workbook(tmp_path / "sf.xlsx", [{"name": "S", "xml": result.xml}])
    cells = Package.open(path).read_cells("S")
    assert cells[(2, 2)] == Cell(Decimal(4), "A2*2") and cells[(4, 2)] == Cell(Decimal(8), "A4*2")
    assert cells[(1, 2)] == Cell(Decimal(99), None) and cells[(3, 2)] == Cell("x", None)


def test_writing_a_follower_leaves_the_master_alone():
    result = patch_sheet(sheet_xml(SHARED_ROWS), {(3, 2): 0})
    master = cell_el(result.xml, "B1").find("m:f", NS)
    assert master.get("t") == "shared" and master.text == "A1*2"
    assert cell_el(result.xml, "B2").find("m:f", NS).get("si") == "0"
    assert result.formulas_removed  # B3's own (shared) formula went


def test_writing_inside_an_array_formula_ends_the_array():
    rows = (
        '<row r="1"><c r="A1" cm="1"><f t="array" ref="A1:A3">B1:B3*2</f><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>4</v></c></row><row r="3"><c r="A3"><v>6</v></c></row>'
    )
    result = patch_sheet(sheet_xml(rows), {(2, 1): 0})
    a1 = cell_el(result.xml, "A1")
    assert a1.find("m:f", NS) is None and a1.get("cm") is None and a1.find("m:v", NS).text == "2"
    assert result.formulas_removed
    untouched = patch_sheet(sheet_xml(rows), {(5, 1): 0})
    assert cell_el(untouched.xml, "A1").find("m:f", NS) is not None and not untouched.formulas_removed


CELL_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**15), 10**15),
    # At most 15 significant digits: what a number cell holds (the reader keeps 15, as Excel shows).
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**9) + 1, max_value=10**9 - 1),
    st.text(max_size=30),
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.tuples(st.integers(1, 40), st.integers(1, 30)), CELL_VALUES, max_size=40))
def test_patch_round_trips_any_values_and_keeps_order(values):
    xml = patch_sheet_xml(sheet_xml(BASE_ROWS), values)
    root = parse_xml(xml, "sheet")
    rows = root.findall("m:sheetData/m:row", NS)
    row_numbers = [int(r.get("r")) for r in rows]
    assert row_numbers == sorted(set(row_numbers))
    for row in rows:
        cols = [from_a1(c.get("r")) for c in row.findall("m:c", NS)]
        assert all(r == int(row.get("r")) for r, _ in cols)
        assert [c for _, c in cols] == sorted({c for _, c in cols})
    got = read_cells(xml, ["s0"], "sheet", 10_000)
    original = {(1, 1): "s0", (1, 3): Decimal(5), (3, 2): Decimal(6)}
    for pos in set(values) | set(original):
        if pos in values:
            value = values[pos]
            if value is None:
                assert pos not in got
            elif isinstance(value, str):
                assert got[pos] == Cell(value, None)  # control characters too: written as _xHHHH_
            else:
                assert got[pos] == Cell(value, None) and type(got[pos].value) is type(value if isinstance(value, bool) else Decimal())
        else:
            assert got[pos].value == original[pos]
    dimension = root.find("m:dimension", NS)
    if dimension is not None:
        (r1, c1), (r2, c2) = parse_range(dimension.get("ref"))
        assert all(r1 <= r <= r2 and c1 <= c <= c2 for r, c in got)


@pytest.mark.parametrize(
    "value, error",
    [
        (Decimal("NaN"), ValueError), (Decimal("Infinity"), ValueError), (float("inf"), ValueError),
        (Decimal("1E+400"), ValueError), ("x" * 32_768, ValueError), (object(), TypeError),
        ([1], TypeError), (b"bytes", TypeError),
    ],
)
def test_patch_refuses_values_excel_cannot_hold(value, error):
    with pytest.raises(error):
        patch_sheet_xml(sheet_xml(""), {(1, 1): value})


@pytest.mark.parametrize("styles", [{(1, 1): -1}, {(1, 1): "3"}, {(1, 1): True}])
def test_patch_refuses_bad_styles(styles):
    with pytest.raises(ValueError):
        patch_sheet_xml(sheet_xml(""), {}, styles=styles)


@pytest.mark.parametrize("pos", [(0, 1), (1, 0), (1_048_577, 1), (1, 16_385)])
def test_patch_refuses_positions_off_the_sheet(pos):
    with pytest.raises(ValueError):
        patch_sheet_xml(sheet_xml(""), {pos: 1})


def test_patch_refuses_broken_and_unsafe_xml():
    with pytest.raises(WorkbookError) as exc:
        patch_sheet_xml(b"<worksheet><sheetData>", {(1, 1): 1})
    assert problem_code(exc) == "XML_BROKEN"
    with pytest.raises(WorkbookError) as exc:
        patch_sheet_xml(b'<!DOCTYPE w [<!ENTITY a "b">]><worksheet/>', {(1, 1): 1})
    assert problem_code(exc) == "XML_UNSAFE"


# -- writing packages -------------------------------------------------------------------------------

def info_fields(info: zipfile.ZipInfo) -> tuple:
    return (info.orig_filename, info.date_time, info.compress_type, info.CRC, info.file_size, info.compress_size,
            info.external_attr, info.internal_attr, info.create_system, info.create_version, info.comment)


@pytest.fixture
def patched_vba(tmp_path):
    if not VBA.exists():
        pytest.skip("corpus not available")
    src = tmp_path / "vba.xlsm"
    src.write_bytes(VBA.read_bytes())
    pkg = Package.open(src)
    part = pkg.sheet("Sheet1").part
    values = {(1, 1): Decimal("0.1"), (1, 2): "=1+1", (2, 1): "#REF!", (2, 2): True, (3, 3): "中文 文本"}
    out = tmp_path / "out.xlsm"
    write_package(pkg, out, {part: patch_sheet_xml(pkg.read(part), values)})
    return pkg, part, out


def test_write_copies_every_other_member_byte_for_byte(patched_vba):
    pkg, part, out = patched_vba
    src_zip, out_zip = zipfile.ZipFile(pkg.path), zipfile.ZipFile(out)
    assert out_zip.namelist() == src_zip.namelist()
    assert out_zip.testzip() is None
    out_pkg = Package.open(out)
    for a, b in zip(src_zip.infolist(), out_zip.infolist()):
        if a.filename == part:
            assert out_zip.read(b) != src_zip.read(a)
            continue
        assert info_fields(a) == info_fields(b), a.filename
        assert bytes(raw_member(pkg._blob, a)[0]) == bytes(raw_member(out_pkg._blob, b)[0]), a.filename
        assert out_zip.read(b) == src_zip.read(a)
    assert check_structure(out) == []


def test_patched_values_read_back_in_openpyxl(patched_vba):
    _, _, out = patched_vba
    wb = openpyxl.load_workbook(out, keep_vba=True)
    ws = wb["Sheet1"]
    assert ws["A1"].value == 0.1
    assert (ws["B1"].value, ws["B1"].data_type) == ("=1+1", "s")
    assert (ws["A2"].value, ws["A2"].data_type) == ("#REF!", "s")
    assert ws["B2"].value is True and ws["C3"].value == "中文 文本"
    assert wb.vba_archive is not None and "xl/vbaProject.bin" in wb.vba_archive.namelist()


@pytest.mark.libreoffice
def test_patched_values_read_back_in_libreoffice(patched_vba, soffice, tmp_path):
    _, _, out = patched_vba
    profile = (tmp_path / "lo-profile").as_uri()
    run = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path), str(out)],
        capture_output=True, timeout=180,
    )
    csv = tmp_path / "out.csv"
    assert csv.exists(), run.stderr.decode(errors="replace")  # soffice exits 0 even when loading fails
    lines = csv.read_text("utf-8").splitlines()
    assert lines[0] == '0.1,"=1+1",'  # a formula would have shown its result, 2
    assert lines[1] == '"#REF!",TRUE,'
    assert lines[2] == ',,"中文 文本"'


def formula_book(tmp_path: Path, *, calc_chain: bool = True) -> Path:
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1*2</f><v>2</v></c><c r="C1"><v>3</v></c></row>'
    chain = f'<calcChain xmlns="{MAIN}"><c r="B1" i="1"/></calcChain>'.encode() if calc_chain else None
    return write_workbook(tmp_path / "f.xlsx", [{"name": "F", "xml": sheet_xml(rows)}], calc_chain=chain)


def test_overwriting_a_formula_drops_the_calc_chain(tmp_path):
    pkg = Package.open(formula_book(tmp_path))
    part = pkg.sheet("F").part
    out = tmp_path / "o.xlsx"
    write_package(pkg, out, {part: patch_sheet_xml(pkg.read(part), {(1, 2): 5})})
    names = zipfile.ZipFile(out).namelist()
    assert "xl/calcChain.xml" not in names
    assert [n for n in Package.open(tmp_path / "f.xlsx").names() if n != "xl/calcChain.xml"] == names
    out_pkg = Package.open(out)
    assert b"calcChain" not in out_pkg.read("xl/_rels/workbook.xml.rels")
    assert b"calcChain" not in out_pkg.read("[Content_Types].xml")
    assert b"sharedStrings" not in out_pkg.read("xl/_rels/workbook.xml.rels")
    assert out_pkg.read_cells("F")[(1, 2)] == Cell(Decimal(5), None)
    assert check_structure(out) == []


def test_calc_chain_stays_when_no_formula_is_lost(tmp_path):
    pkg = Package.open(formula_book(tmp_path))
    part = pkg.sheet("F").part
    out = tmp_path / "o.xlsx"
    write_package(pkg, out, {part: patch_sheet_xml(pkg.read(part), {(1, 3): 5})})
    assert Package.open(out).read("xl/calcChain.xml") == pkg.read("xl/calcChain.xml")
    forced = tmp_path / "forced.xlsx"
    write_package(pkg, forced, {}, drop_calc_chain=True)
    assert "xl/calcChain.xml" not in zipfile.ZipFile(forced).namelist()
    assert check_structure(forced) == []


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_failed_write_leaves_nothing_behind(tmp_path):
    pkg = Package.open(formula_book(tmp_path))
    names = pkg.names()
    # Neither part is the first member, so the failure happens with the temp file half written.
    assert names.index(pkg.sheet("F").part) > 0 and names.index("xl/_rels/workbook.xml.rels") > 3
    out = tmp_path / "out.xlsx"
    for part in (pkg.sheet("F").part, "xl/_rels/workbook.xml.rels"):
        with pytest.raises(WorkbookError) as exc:
            write_package(pkg, out, {part: b"<worksheet><sheetData></worksheet>"})
        assert problem_code(exc) == "XML_BROKEN"
        assert not out.exists() and no_temp_files(tmp_path)

    out.write_bytes(b"previous result")
    with pytest.raises(WorkbookError):
        write_package(pkg, out, {"xl/workbook.xml": b'<!DOCTYPE x [<!ENTITY a "b">]><workbook/>'})
    assert out.read_bytes() == b"previous result" and no_temp_files(tmp_path)


def test_failed_rename_is_reported_and_cleaned_up(tmp_path, monkeypatch):
    pkg = Package.open(formula_book(tmp_path))
    out = tmp_path / "out.xlsx"

    def locked(src, dst):
        raise PermissionError("locked by Excel")

    monkeypatch.setattr(pkgmod.os, "replace", locked)
    with pytest.raises(WorkbookError) as exc:
        write_package(pkg, out, {})
    assert problem_code(exc) == "WRITE_FAILED"
    assert not out.exists() and no_temp_files(tmp_path)


def test_write_into_a_missing_folder_fails_cleanly(tmp_path):
    pkg = Package.open(formula_book(tmp_path))
    with pytest.raises(WorkbookError) as exc:
        write_package(pkg, tmp_path / "no" / "such" / "out.xlsx", {})
    assert problem_code(exc) == "WRITE_FAILED"


def test_unknown_replaced_part_is_a_programming_error(tmp_path):
    pkg = Package.open(formula_book(tmp_path))
    with pytest.raises(KeyError):
        write_package(pkg, tmp_path / "o.xlsx", {"xl/worksheets/nope.xml": b"<x/>"})
    assert not (tmp_path / "o.xlsx").exists()


def test_write_can_replace_its_own_source(tmp_path):
    path = formula_book(tmp_path, calc_chain=False)
    pkg = Package.open(path)
    part = pkg.sheet("F").part
    write_package(pkg, path, {part: patch_sheet_xml(pkg.read(part), {(2, 1): "again"})})
    assert Package.open(path).read_cells("F")[(2, 1)].value == "again"
    assert no_temp_files(tmp_path)


def test_write_refuses_to_pass_on_a_damaged_member(tmp_path):
    parts = workbook_parts([{"name": "D", "xml": sheet_xml("")}], extra={"xl/media/blob.bin": b"payload" * 50})
    entries = entries_of(parts)
    entries = [(n, m, d, crc ^ 1 if n == "xl/media/blob.bin" else crc, u) for n, m, d, crc, u in entries]
    path = raw_zip(tmp_path / "bad.xlsx", entries)
    pkg = Package.open(path)
    with pytest.raises(WorkbookError) as exc:
        write_package(pkg, tmp_path / "o.xlsx", {})
    assert problem_code(exc) == "CORRUPT_ZIP"
    assert not (tmp_path / "o.xlsx").exists() and no_temp_files(tmp_path)
    write_package(pkg, tmp_path / "o.xlsx", {}, verify=False)  # a caller may knowingly pass it through
    assert (tmp_path / "o.xlsx").exists()


def test_check_structure_finds_what_is_missing(tmp_path):
    parts = workbook_parts(
        [{"name": "D", "xml": sheet_xml("")}],
        extra={"xl/worksheets/_rels/sheet1.xml.rels": (
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId9" Type="{R}/drawing" Target="../drawings/drawing1.xml"/>'
            f'<Relationship Id="rId8" Type="{R}/hyperlink" Target="https://example.com" TargetMode="External"/>'
            f"</Relationships>").encode(),
            "xl/media/image.zzz": b"?", "xl/bad.xml": b"<open>"},
    )
    problems = check_structure(write_zip(tmp_path / "c.xlsx", parts))
    assert len(problems) == 3
    assert any("drawing1.xml" in p for p in problems)
    assert any("image.zzz" in p for p in problems)
    assert any("xl/bad.xml" in p for p in problems)
    del parts["[Content_Types].xml"]
    problems = check_structure(write_zip(tmp_path / "n.xlsx", parts))
    assert MESSAGES["CHECK_NO_CONTENT_TYPES"] in problems
    assert check_structure(tmp_path / "absent.xlsx")[0].startswith("找不到文件")


# -- hostile and wrong files ------------------------------------------------------------------------

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
    + f']><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'
    "</row></sheetData></worksheet>"
).encode()


def test_billion_laughs_in_a_sheet_is_refused_fast(tmp_path, time_guard):
    time_guard(5)
    path = write_workbook(tmp_path / "lol.xlsx", [{"name": "L", "xml": LAUGHS}])
    pkg = Package.open(path)
    start = time.perf_counter()
    with pytest.raises(WorkbookError) as exc:
        pkg.read_cells("L")
    assert problem_code(exc) == "XML_UNSAFE"
    assert time.perf_counter() - start < 0.5


def test_unsafe_workbook_part_is_refused_on_open(tmp_path):
    parts = workbook_parts([{"name": "S", "xml": sheet_xml("")}])
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"<workbook", b'<!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]><workbook', 1
    )
    with pytest.raises(WorkbookError) as exc:
        Package.open(write_zip(tmp_path / "xxe.xlsx", parts))
    assert problem_code(exc) == "XML_UNSAFE"
    assert "xl/workbook.xml" in exc.value.problems[0].message


@pytest.mark.parametrize(
    "data",
    [
        b'<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
        b'<?xml version="1.0"?>\n<!-- hi --><?pi x?>\n<!DOCTYPE a SYSTEM "http://example.com/a.dtd"><a/>',
        "<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE a [<!ENTITY b 'c'>]><a>&b;</a>".encode("utf-16"),
        b"\xef\xbb\xbf<!DOCTYPE a><a/>",
    ],
)
def test_parse_xml_refuses_every_doctype(data):
    with pytest.raises(WorkbookError) as exc:
        parse_xml(data, "xl/x.xml")
    assert problem_code(exc) == "XML_UNSAFE"


def test_parse_xml_accepts_bom_and_names_broken_parts():
    assert parse_xml(b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?><a>1</a>', "p").text == "1"
    assert parse_xml("<a>中</a>".encode("utf-16"), "p").text == "中"
    for broken in (b"", b"<a>", b"<a></b>", b"<x:a/>", b"plain text"):
        with pytest.raises(WorkbookError) as exc:
            parse_xml(broken, "xl/worksheets/sheet9.xml")
        assert problem_code(exc) == "XML_BROKEN"
        assert "xl/worksheets/sheet9.xml" in exc.value.problems[0].message


def bomb_book(tmp_path: Path, declared: int, megabytes: int = 1024) -> Path:
    parts = workbook_parts([{"name": "B", "xml": sheet_xml("")}])
    entries = entries_of(parts)
    entries = [e for e in entries if e[0] != "xl/worksheets/sheet1.xml"]
    entries.append(("xl/worksheets/sheet1.xml", 8, deflated_zeros(megabytes), 0, declared))
    return raw_zip(tmp_path / "bomb.xlsx", entries)


def test_zip_bomb_with_honest_size_is_refused_on_open(tmp_path, time_guard):
    time_guard(5)
    path = bomb_book(tmp_path, declared=1 << 30)
    start = time.perf_counter()
    with pytest.raises(WorkbookError) as exc:
        Package.open(path)
    assert problem_code(exc) == "TOO_LARGE"
    assert time.perf_counter() - start < 0.5


def test_zip_bomb_under_the_total_is_refused_by_its_ratio(tmp_path, time_guard):
    time_guard(5)
    path = bomb_book(tmp_path, declared=150 << 20, megabytes=150)
    with pytest.raises(WorkbookError) as exc:
        Package.open(path)
    assert problem_code(exc) == "TOO_LARGE"
    assert "sheet1.xml" in exc.value.problems[0].message


def test_zip_bomb_that_lies_about_its_size_stops_at_the_declared_size(tmp_path, time_guard):
    time_guard(5)
    pkg = Package.open(bomb_book(tmp_path, declared=5000))
    start = time.perf_counter()
    with pytest.raises(WorkbookError) as exc:
        pkg.read_cells("B")
    assert problem_code(exc) in ("CORRUPT_ZIP", "TOO_LARGE")
    with pytest.raises(WorkbookError):
        write_package(pkg, tmp_path / "o.xlsx", {})
    assert time.perf_counter() - start < 0.5
    assert not (tmp_path / "o.xlsx").exists()


@pytest.mark.parametrize(
    "limits, action",
    [
        (Limits(max_members=5), "open"),
        (Limits(max_total_unzipped=1000), "open"),
        (Limits(max_part=200), "cells"),
        (Limits(max_cells_per_sheet=3), "cells"),
        (Limits(max_shared_string_chars=10), "cells"),
    ],
)
def test_limits_are_enforced(tmp_path, limits, action):
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 6))
    path = simple_book(tmp_path, rows, shared=["a fairly long shared string"])
    with pytest.raises(WorkbookError) as exc:
        Package.open(path, limits).read_cells("Data")
    assert problem_code(exc) == "TOO_LARGE"
    assert Package.open(path).read_cells("Data")[(5, 1)].value == "a fairly long shared string"


def test_wrong_kinds_of_file(tmp_path):
    cases = {}
    cases["NOT_FOUND"] = tmp_path / "missing.xlsx"
    cases["NOT_FOUND "] = tmp_path  # a folder
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n1,2\n", "utf-8")
    cases["NOT_ZIP"] = csv
    rnd = tmp_path / "random.xlsx"
    rnd.write_bytes(os.urandom(4096))
    cases["NOT_ZIP "] = rnd
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    cases["NOT_ZIP  "] = empty
    good = formula_book(tmp_path, calc_chain=False).read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good[: len(good) // 2])
    cases["CORRUPT_ZIP"] = truncated
    cfb_header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    xls = tmp_path / "old.xls"
    xls.write_bytes(cfb_header + "Workbook".encode("utf-16-le") + b"\0" * 512)
    cases["XLS_BIFF"] = xls
    enc = tmp_path / "enc.xlsx"
    enc.write_bytes(cfb_header + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64
                    + "EncryptedPackage".encode("utf-16-le"))
    cases["ENCRYPTED"] = enc
    for code, path in cases.items():
        with pytest.raises(WorkbookError) as exc:
            Package.open(path)
        assert problem_code(exc) == code.strip(), path


def test_other_office_and_zip_files_are_not_workbooks(tmp_path):
    docx = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    }
    for name, parts, code in [
        ("a.docx", docx, "NOT_WORKBOOK"),
        ("plain.zip", {"readme.txt": b"hello", "data/x.csv": b"1,2"}, "NOT_WORKBOOK"),
        ("b.xlsb", {**docx, "[Content_Types].xml": docx["[Content_Types].xml"].replace(
            b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml"),
            "_rels/.rels": docx["_rels/.rels"].replace(b"word/document.xml", b"xl/workbook.bin")}, "XLSB"),
    ]:
        with pytest.raises(WorkbookError) as exc:
            Package.open(write_zip(tmp_path / name, parts))
        assert problem_code(exc) == code, name


def test_strict_ooxml_is_refused_with_advice(tmp_path):
    parts = workbook_parts([{"name": "S", "xml": sheet_xml("")}])
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    )
    with pytest.raises(WorkbookError) as exc:
        Package.open(write_zip(tmp_path / "strict.xlsx", parts))
    assert problem_code(exc) == "STRICT_OOXML"
    assert "Excel 工作簿" in exc.value.problems[0].message


def test_damaged_members_are_found_when_read(tmp_path):
    parts = workbook_parts([{"name": "D", "xml": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')}])
    entries = [(n, m, d, crc ^ 0xFF if n.endswith("sheet1.xml") else crc, u) for n, m, d, crc, u in entries_of(parts)]
    pkg = Package.open(raw_zip(tmp_path / "crc.xlsx", entries))
    with pytest.raises(WorkbookError) as exc:
        pkg.read_cells("D")
    assert problem_code(exc) == "CORRUPT_ZIP"
    assert "sheet1.xml" in exc.value.problems[0].message


def test_duplicate_member_names_are_refused(tmp_path):
    parts = workbook_parts([{"name": "D", "xml": sheet_xml("")}])
    entries = entries_of(parts) + [("XL/Workbook.xml", 0, b"<x/>", zlib.crc32(b"<x/>"), 4)]
    with pytest.raises(WorkbookError) as exc:
        Package.open(raw_zip(tmp_path / "dup.xlsx", entries))
    assert problem_code(exc) == "CORRUPT_ZIP"


def test_unreadable_file_is_reported(tmp_path, monkeypatch):
    path = formula_book(tmp_path)

    def denied(self):
        raise PermissionError(13, "denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(WorkbookError) as exc:
        Package.open(path)
    assert problem_code(exc) == "NO_ACCESS"


def test_messages_are_single_chinese_lines():
    for code, template in MESSAGES.items():
        assert "\n" not in template and "Traceback" not in template, code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in template), code


# -- speed ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sixty_kb_book(tmp_path_factory) -> Path:
    from openpyxl.styles import Border, Font, PatternFill, Side

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    for n, name in enumerate(["说明", "基本信息", "财务数据", "项目清单", "固定资产", "绩效指标", "满意度调查", "指标计算", "评分表", "汇总"]):
        ws = wb.create_sheet(name)
        ws["A1"] = f"{name} 标题"
        ws["A1"].font = Font(bold=True, size=14)
        for r in range(2, 340 if name in ("项目清单", "固定资产") else 40):
            for c in range(1, 7):
                cell = ws.cell(r, c)
                if name in ("指标计算", "评分表", "汇总") and c > 2:
                    cell.fill = PatternFill("solid", fgColor="FFF2CC")
                    cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
                elif c == 1:
                    cell.value = f"项目{r}-{(r * 7919 + n) % 1000}"
                else:
                    cell.value = round(((r * 31 + c * 17 + n) % 9973) * 1.37, 2)
    path = tmp_path_factory.mktemp("speed") / "small.xlsx"
    wb.save(path)
    return path


def test_patch_and_write_of_a_60_kb_workbook(sixty_kb_book, tmp_path):
    # Speed is measured in bench/bench_fill.py against a same-run baseline, never here.
    size = sixty_kb_book.stat().st_size
    assert 45_000 < size < 80_000
    out = tmp_path / "out.xlsx"
    # Four decimals: a number cell holds 15 significant digits, and the reader keeps exactly those.
    values = {(r, c): round(Decimal(r * c) / 7, 4) for r in range(2, 40) for c in range(3, 7)}
    pkg = Package.open(sixty_kb_book)
    replaced = {}
    for name in ("指标计算", "评分表", "汇总"):
        part = pkg.sheet(name).part
        replaced[part] = patch_sheet_xml(pkg.read(part), values)
    write_package(pkg, out, replaced)
    assert Package.open(out).read_cells("汇总")[(39, 6)].value == Decimal("33.4286")  # 234 / 7 = 33.42857…


# --- the fast path for plain template sheets must agree with the tree path ------------------------

FAST_VALUES = {
    (2, 2): Decimal("1.89"), (2, 3): "a & b < c > d\r\nline", (2, 4): "  spaced  ", (3, 2): True,
    (3, 3): "=1+1", (3, 4): "#REF!", (4, 2): None, (4, 3): "中文 _x0041_ text", (4, 4): Decimal("-0.000001"),
}


def _plain_sheet() -> bytes:
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{"ABCD"[c - 1]}{r}" s="{c}"/>' for c in range(1, 5))
        + "</row>" for r in range(1, 7))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
            f'<dimension ref="A1:D6"/><sheetData>{rows}</sheetData></worksheet>').encode()


def _cells_of(xml: bytes) -> dict:
    from xlperf.workbook.sheetread import read_cells as read_sheet

    return {pos: cell.value for pos, cell in read_sheet(xml, [], "s", 10_000).items()}


def test_fast_path_agrees_with_the_tree_path():
    from xlperf.workbook import bytepatch

    xml = _plain_sheet()
    fast = bytepatch.fast_patch(xml, bytepatch.prepare(FAST_VALUES, {}), None)
    assert fast is not None  # a plain template sheet takes the fast path
    slow = patch_sheet_xml(xml, FAST_VALUES, styles={(9, 9): 1})  # a style forces the tree path
    expected = {pos: v for pos, v in _cells_of(slow).items() if pos != (9, 9)}
    assert _cells_of(fast) == expected
    assert _cells_of(fast)[(2, 3)] == "a & b < c > d\r\nline"
    assert b's="2"' in fast  # styles kept


def test_fast_path_refill_and_clear_rows():
    from xlperf.workbook import bytepatch

    first = patch_sheet_xml(_plain_sheet(), {(5, 1): "old finding", (6, 2): Decimal(3)})
    again = patch_sheet_xml(first, {(5, 1): "new"}, clear_rows_from=5)
    assert _cells_of(again) == {(5, 1): "new"}
    assert bytepatch.fast_patch(first, bytepatch.prepare({(5, 1): "new"}, {}), 5) is not None


def test_fast_path_appends_a_cell_to_its_row_as_the_tree_path_does():
    from lxml import etree

    from xlperf.workbook import bytepatch

    # Column D loses its cells below D2 (s="4"), so D4 is created under a styled cell; column E has none.
    xml = _plain_sheet()
    for r in range(3, 7):
        xml = xml.replace(f'<c r="D{r}" s="4"/>'.encode(), b"")
    values = {(4, 4): "under D2", (5, 5): Decimal(7), (3, 1): "kept"}
    fast = bytepatch.fast_patch(xml, bytepatch.prepare(values, {}), None, styles_from_above=True)
    assert fast is not None
    slow = patch_sheet_xml(xml, values, styles={(9, 9): 1}, styles_from_above=True)  # forced tree path
    expected = {pos: v for pos, v in _cells_of(slow).items() if pos != (9, 9)}
    assert _cells_of(fast) == expected
    root = etree.fromstring(fast)
    style = {c.get("r"): c.get("s") for c in root.iter("{*}c")}
    assert style["D4"] == "4" and style["E5"] is None  # D2's style comes down; column E had none above
    assert root.find("{*}dimension").get("ref") == "A1:E6"
    assert [c.get("r") for c in root.iter("{*}c") if c.get("r").endswith("4")] == ["A4", "B4", "C4", "D4"]


def test_fast_path_steps_aside_for_formulas_new_cells_and_prefixes():
    from xlperf.workbook import bytepatch

    xml = _plain_sheet()
    assert bytepatch.fast_patch(xml, bytepatch.prepare({(9, 9): "x"}, {}), None) is None  # new cell
    with_formula = xml.replace(b'<c r="A1" s="1"/>', b'<c r="A1" s="1"><f>1+1</f><v>2</v></c>')
    assert bytepatch.fast_patch(with_formula, bytepatch.prepare({(2, 2): "x"}, {}), None) is None
    prefixed = xml.replace(b'<c r="A1" s="1"/>', b'<c r="A1" s="1" x14ac:foo="1"/>')
    assert bytepatch.fast_patch(prefixed, bytepatch.prepare({(2, 2): "x"}, {}), None) is None
