"""Patching sheet XML: the tree patcher, and the byte-level fast path that must agree with it."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from wb_builders import MAIN, NS, cell_el, problem_code, sheet_xml, simple_book, write_workbook
from xlperf.errors import WorkbookError
from xlperf.book.a1 import from_a1, parse_range
from xlperf.workbook.package import Cell, Package
from xlperf.workbook.sheetpatch import patch_sheet, patch_sheet_xml
from xlperf.workbook.writer import write_package
from xlperf.workbook.sheetread import read_cells
from xlperf.workbook.xmlsafe import parse_xml


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


def test_remembered_cells_and_texts_give_what_a_fresh_patch_gives(monkeypatch):
    # The second patch of the same sheet with the same values finds every rewritten cell and every text in
    # the process memos; its bytes must be those of a patch made with the memos empty.
    from xlperf.workbook import bytepatch

    monkeypatch.setattr(bytepatch, "_TAILS", {})
    monkeypatch.setattr(bytepatch, "_CLEANED", {})
    xml = _plain_sheet()
    values = {**FAST_VALUES, (3, 1): "第二行 & 说明", (4, 2): Decimal("0.50")}
    first = bytepatch.fast_patch(xml, bytepatch.prepare(values, {}), None)
    assert any(key[2] == ("s", "第二行 & 说明") for key in bytepatch._TAILS)
    again = bytepatch.fast_patch(xml, bytepatch.prepare(values, {}), None)
    monkeypatch.setattr(bytepatch, "_TAILS", {})
    monkeypatch.setattr(bytepatch, "_CLEANED", {})
    fresh = bytepatch.fast_patch(xml, bytepatch.prepare(values, {}), None)
    assert first == again == fresh
    assert _cells_of(again)[(4, 2)] == Decimal("0.50") and _cells_of(again)[(3, 1)] == "第二行 & 说明"


def test_the_cell_memo_stays_bounded_and_holds_no_long_text(monkeypatch):
    from xlperf.workbook import bytepatch

    monkeypatch.setattr(bytepatch, "_TAILS", {})
    monkeypatch.setattr(bytepatch, "_CLEANED", {})
    monkeypatch.setattr(bytepatch, "_CLEANED_LIMIT", 5)
    xml = _plain_sheet()
    for k in range(20):
        bytepatch.fast_patch(xml, bytepatch.prepare({(2, 1): f"第 {k} 条", (2, 2): "长" * 2000}, {}), None)
    assert len(bytepatch._TAILS) == 5 and len(bytepatch._CLEANED) == 5
    assert all(len(cell) <= bytepatch._TAIL_BYTES for cell in bytepatch._TAILS.values())
    assert "长" * 2000 not in bytepatch._CLEANED
