"""The package layer, reading: cells exactly, sheets in workbook order, defined names, tables."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from wb_builders import (
    MAIN, NS, R, cell_el, problem_code, sheet_xml, simple_book, workbook_parts, write_workbook, write_zip,
)
from xlperf.errors import WorkbookError
from xlperf.book.protocol import ErrorValue
from xlperf.workbook.package import Cell, DefinedName, Package, TableRef


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
