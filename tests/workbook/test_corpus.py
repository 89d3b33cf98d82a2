"""Every real-world workbook in the shared corpus: read it or refuse it cleanly, and patch it without collateral."""

from __future__ import annotations

import datetime
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from xlperf.book.codec import from_float

from wb_builders import CORPUS, corpus_missing
from xlperf.errors import WorkbookError
from xlperf.book.protocol import ErrorValue
from xlperf.workbook.package import Cell, Package
from xlperf.workbook.sheetpatch import patch_sheet
from xlperf.workbook.structure import check_structure
from xlperf.workbook.writer import write_package
from xlperf.workbook.cellvalues import decode_xstring
from xlperf.workbook.zipraw import raw_member

FILES = sorted(CORPUS.rglob("*.xls[xm]")) if CORPUS.exists() else []
REFUSED = {
    "calamine/pass_protected.xlsx": "ENCRYPTED",
    "calamine/issue252.xlsx": "CORRUPT_ZIP",
    "calamine/strict_iso_paths.xlsx": "STRICT_OOXML",
    "excelize/encryptAES.xlsx": "ENCRYPTED",
    "excelize/encryptSHA1.xlsx": "ENCRYPTED",
    "excelize/encryptSHA512.xlsx": "ENCRYPTED",
}
# openpyxl walks the full A1:XFD1048576 dimension of this gnumeric file; it is no oracle for it.
NO_OPENPYXL_ORACLE = {"calamine/issue_174.xlsx"}


def rel(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def corpus(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        corpus_missing()
    return path


def open_all(pkg: Package) -> dict[str, dict]:
    cells = {s.name: pkg.read_cells(s.name) for s in pkg.sheets()}
    pkg.defined_names()
    pkg.tables()
    pkg.shared_strings()
    pkg.custom_properties()
    return cells


def test_corpus_is_present():
    if not FILES:
        corpus_missing()
    assert len(FILES) >= 70


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_read_everything_or_refuse_with_one_clean_problem(path, time_guard):
    time_guard(30)
    try:
        cells = open_all(Package.open(path))
    except WorkbookError as exc:
        assert len(exc.problems) == 1
        problem = exc.problems[0]
        assert problem.message and "\n" not in problem.message and "Traceback" not in problem.message
        assert REFUSED.get(rel(path)) == problem.code, problem.message
    else:
        assert rel(path) not in REFUSED
        for sheet_cells in cells.values():
            for cell in sheet_cells.values():
                assert isinstance(cell, Cell)
                assert cell.value is None or isinstance(cell.value, (Decimal, str, bool, ErrorValue))
                assert not isinstance(cell.value, float)


def openpyxl_values(path: Path, sheet: str, data_only: bool) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path, data_only=data_only)[sheet]
    # ws._cells holds only the stored cells; iter_rows would pad out the declared dimension.
    return {pos: c.value for pos, c in ws._cells.items() if c.value is not None}


def openpyxl_loads(path: Path) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            openpyxl.load_workbook(path)
        return True
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways on odd files; that only skips the oracle
        return False


def same_value(ours: object, theirs: object) -> bool:
    if isinstance(ours, ErrorValue):
        return ours.code == theirs
    if isinstance(ours, Decimal) and isinstance(theirs, (int, float)) and not isinstance(theirs, bool):
        # Ours is the double as Excel shows it (15 significant digits, the codec's rule); openpyxl's is the raw double.
        return ours == from_float(float(theirs))
    if isinstance(ours, str) and isinstance(theirs, str):
        return ours == decode_xstring(theirs)  # openpyxl leaves _x000D_ escapes undecoded
    return ours == theirs and type(ours) is type(theirs)


@pytest.mark.parametrize("path", [p for p in FILES if rel(p) not in REFUSED | dict.fromkeys(NO_OPENPYXL_ORACLE)], ids=rel)
def test_values_and_formulas_agree_with_openpyxl(path):
    if not openpyxl_loads(path):
        pytest.skip("openpyxl cannot read this file")
    pkg = Package.open(path)
    compared = dated = 0
    for sheet in pkg.sheets():
        if sheet.kind != "worksheet":
            continue
        ours = pkg.read_cells(sheet.name)
        values = openpyxl_values(path, sheet.name, data_only=True)
        formulas = openpyxl_values(path, sheet.name, data_only=False)
        for pos in set(ours) | set(values):
            theirs = values.get(pos)
            if isinstance(theirs, (datetime.date, datetime.time, datetime.timedelta)):
                dated += 1
                continue  # openpyxl applies number formats; we return the stored serial or ISO text
            mine = ours[pos].value if pos in ours else None
            assert same_value(mine, theirs), (sheet.name, pos, mine, theirs)
            compared += 1
        for pos, cell in ours.items():
            if cell.formula is not None:
                theirs = formulas.get(pos)
                text = getattr(theirs, "text", theirs)  # ArrayFormula keeps its text in .text
                assert text == "=" + cell.formula, (sheet.name, pos, cell.formula, theirs)
    has_cells = any(pkg.read_cells(s.name) for s in pkg.sheets() if s.kind == "worksheet")
    assert compared or dated or not has_cells


def first_cells(name: str, sheet: str | None = None) -> dict:
    pkg = Package.open(corpus(name))
    return pkg.read_cells(sheet or pkg.sheets()[0].name)


def test_package_without_xl_folder():
    pkg = Package.open(corpus("calamine/minimal_package.xlsx"))
    assert pkg.workbook_part == "workbook.xml"
    assert pkg.sheet("Sheet1").part == "sheet1.xml"
    assert pkg.read_cells("Sheet1")[(3, 1)].value == "BKG_NUM"


def test_backslash_member_names():
    pkg = Package.open(corpus("calamine/issue_530.xlsx"))
    assert pkg.workbook_part == "xl\\workbook.xml"
    [sheet] = pkg.sheets()
    assert sheet.part == "xl\\worksheets\\sheet26.xml" and sheet.part in pkg.names()
    assert pkg.read_cells(sheet.name)[(1, 1)].value == "报表导出人："
    assert pkg.read("xl/worksheets/sheet26.xml") == pkg.read(sheet.part)


@pytest.mark.parametrize("name, expected", [
    ("calamine/issue_419.xlsx", "Hello"),
    ("excelize/CalcChain.xlsx", None),
])
def test_capitalised_shared_strings_part(name, expected):
    pkg = Package.open(corpus(name))
    assert pkg.shared_strings()
    if expected:
        assert pkg.read_cells(pkg.sheets()[0].name)[(1, 1)].value == expected


def test_table_with_absolute_target():
    tables = Package.open(corpus("calamine/table_with_absolute_paths.xlsx")).tables()
    assert {k: (t.ref, t.columns, t.part, t.sheet) for k, t in tables.items()} == {
        "Table1": ("A1:B5", ("Item", "Name"), "xl/tables/table1.xml", "table"),
    }


def test_rows_without_r_read_like_excels_own_resave():
    assert first_cells("calamine/issue_261.xlsx") == first_cells("calamine/issue_261_fixed_by_excel.xlsx")
    assert len(first_cells("calamine/issue_261.xlsx")) == 250


def test_prefixed_namespaces_and_bom():
    cells = first_cells("calamine/richtext-namespaced.xlsx")
    assert cells[(1, 1)].value == "inline string\nLine 2\nLine 3"
    assert cells[(1, 8)].value == "shared string\nLine 2\nLine 3"
    assert first_cells("calamine/nonstandard-xml-ns-prefix.xlsx")[(2, 2)] == Cell(Decimal(3), None)


def test_sheet_states_and_chartsheets():
    pkg = Package.open(corpus("calamine/any_sheets.xlsx"))
    assert [(s.name, s.state, s.kind) for s in pkg.sheets()] == [
        ("Visible", "visible", "worksheet"), ("Hidden", "hidden", "worksheet"),
        ("VeryHidden", "veryHidden", "worksheet"), ("Chart", "visible", "chartsheet"),
    ]
    assert pkg.read_cells("Chart") == {}
    assert Package.open(corpus("calamine/issue438.xlsx")).sheet("Chart1").kind == "chartsheet"


def test_text_oddities():
    assert first_cells("calamine/rph.xlsx")[(1, 1)].value == "課きく\u3000毛こ"
    assert first_cells("calamine/has_x000D_.xlsx")[(1, 1)].value == "ABC\r\nDEF"
    assert first_cells("calamine/has_x000D_inline.xlsx")[(1, 1)].value == "ABC\r\nDEF"
    assert first_cells("calamine/inlineStr_cdata.xlsx")[(1, 1)].value == "Hello CDATA"
    assert first_cells("calamine/whitespace_trim.xlsx", "inlineStr")[(1, 1)].value == "  trimmed value  "
    assert first_cells("calamine/string-ref.xlsx", "Sheet2")[(2, 1)] == Cell("-8086931554011838357", "Sheet1!A2")


def test_errors_dates_and_big_numbers():
    errors = {c.value.code for c in first_cells("calamine/errors.xlsx").values() if isinstance(c.value, ErrorValue)}
    assert errors == {"#DIV/0!", "#NAME?", "#VALUE!", "#NULL!", "#REF!", "#NUM!", "#N/A"}
    assert first_cells("calamine/date_iso.xlsx")[(2, 1)].value == "2021-01-01T10:10:10"
    assert first_cells("excelize/OverflowNumericCell.xlsx")[(1, 1)].value == Decimal("8595602512225")
    assert Package.open(corpus("excelize/BadWorkbook.xlsx")).sheets() == []


def test_a_workbook_in_the_1904_date_system():
    """Written by LibreOffice Calc (date1904="true"); its A1 shows 2021-01-01, stored as 42735."""
    from xlperf.book.reader import DAYS_1904, plain

    pkg = Package.open(corpus("calamine/date_1904.xlsx"))
    assert pkg.date1904() and not Package.open(corpus("calamine/date.xlsx")).date1904()
    a1 = first_cells("calamine/date_1904.xlsx")[(1, 1)].value
    assert a1 == Decimal(42735)
    assert plain(a1, "date", ("Sheet1", "A1"), "d", [], DAYS_1904) == datetime.date(2021, 1, 1)


def test_defined_names_from_real_files():
    names = Package.open(corpus("calamine/issues.xlsx")).defined_names()
    assert {k: (v.sheet, v.ref) for k, v in names.items()} == {
        "MyDataTypes": ("datatypes", "A1:A6"), "OneRange": ("Sheet1", "A1"),
    }


WRITES = {(1, 1): Decimal("0.1"), (2, 3): "=1+1", (3, 2): "#REF!", (40, 5): True, (5, 1): None}
CLEAR_FROM = 30


@pytest.mark.parametrize("path", [p for p in FILES if rel(p) not in REFUSED], ids=rel)
def test_patch_and_write_touch_nothing_else(path, tmp_path, time_guard):
    time_guard(60)
    pkg = Package.open(path)
    worksheets = [s for s in pkg.sheets() if s.kind == "worksheet"]
    if not worksheets:
        pytest.skip("no worksheet to patch")
    sheet = worksheets[0]
    before = pkg.read_cells(sheet.name)
    result = patch_sheet(pkg.read(sheet.part), WRITES, clear_rows_from=CLEAR_FROM, part=sheet.part)
    out = tmp_path / path.name
    write_package(pkg, out, {sheet.part: result.xml})

    src_zip, out_zip = zipfile.ZipFile(path), zipfile.ZipFile(out)
    assert out_zip.testzip() is None
    chain_parts = {"[content_types].xml", "xl/_rels/workbook.xml.rels", "xl/calcchain.xml"}
    out_pkg = Package.open(out)
    out_names = out_zip.namelist()
    assert out_names == [n for n in src_zip.namelist() if n in out_names]
    for info in src_zip.infolist():
        name = info.orig_filename
        if name == sheet.part or (result.formulas_removed and name.lower().replace("\\", "/") in chain_parts):
            continue
        assert name in out_names
        assert bytes(raw_member(pkg._blob, info)[0]) == bytes(raw_member(out_pkg._blob, out_zip.getinfo(name))[0])
    assert set(check_structure(out)) <= set(check_structure(path))

    after = out_pkg.read_cells(sheet.name)
    assert after[(1, 1)] == Cell(Decimal("0.1"), None)
    assert after[(2, 3)] == Cell("=1+1", None) and after[(3, 2)] == Cell("#REF!", None)
    assert after[(40, 5)] == Cell(True, None) and (5, 1) not in after
    assert not [pos for pos in after if pos[0] >= CLEAR_FROM and pos != (40, 5)]
    for pos, cell in before.items():
        if pos in WRITES or pos[0] >= CLEAR_FROM:
            continue
        # Untouched cells keep value and formula; overwritten shared-formula masters leave followers intact.
        assert after.get(pos) == cell, pos
    if openpyxl_loads(path):
        assert openpyxl_loads(out)


def test_patched_shared_formula_files_keep_follower_formulas():
    pkg = Package.open(corpus("calamine/shared_formula_simple.xlsx"))
    sheet = pkg.sheets()[0]
    before = pkg.read_cells(sheet.name)
    masters = [
        pos for pos, c in before.items()
        if c.formula and b'si="' in etree.tostring(
            etree.fromstring(pkg.read(sheet.part)).xpath(f"//*[local-name()='c'][@r='{_a1(pos)}']")[0])
    ]
    assert masters
    result = patch_sheet(pkg.read(sheet.part), {masters[0]: Decimal(0)})
    assert result.formulas_removed
    after = {}
    root = etree.fromstring(result.xml)
    for c in root.iter("{*}c"):
        f = c.find("{*}f")
        if f is not None:
            after[c.get("r")] = f.text
    for pos, cell in before.items():
        if cell.formula and pos != masters[0]:
            assert after[_a1(pos)] == cell.formula


def _a1(pos: tuple[int, int]) -> str:
    from xlperf.book.a1 import to_a1

    return to_a1(*pos)
