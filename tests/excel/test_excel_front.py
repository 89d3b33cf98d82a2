"""The ribbon, the buttons, the xlwings.conf sheet and the 说明 lists of the .xlsm template."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook

from xlperf.excel.catalog import ACTIONS, FUNCTIONS
from xlperf.workbook.package import Package

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "workbooks" / "template.xlsm"
CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
REL_UI14 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


def _zip() -> zipfile.ZipFile:
    return zipfile.ZipFile(TEMPLATE)


def test_ribbon_tab_calls_the_callbacks():
    with _zip() as z:
        rels = etree.fromstring(z.read("_rels/.rels"))
        (target,) = [r.get("Target") for r in rels if r.get("Type") == REL_UI14]
        ui = etree.fromstring(z.read(target))
    assert ui.tag == f"{CUI}customUI"
    (tab,) = ui.iter(f"{CUI}tab")
    assert tab.get("label") == "绩效评价"
    buttons = [(b.get("label"), b.get("onAction")) for b in tab.iter(f"{CUI}button")]
    assert buttons == [(a.caption, a.callback) for a in ACTIONS]


def test_buttons_on_the_readme_sheet_run_the_macros():
    pkg = Package.open(TEMPLATE)
    with _zip() as z:
        sheet_rels = etree.fromstring(z.read("xl/worksheets/_rels/sheet1.xml.rels"))
        (drawing,) = [r.get("Target") for r in sheet_rels if r.get("Type").endswith("/drawing")]
        shapes = etree.fromstring(z.read("xl/drawings/" + drawing.rsplit("/", 1)[1])).iter(f"{XDR}sp")
        assert b"<drawing " in z.read("xl/worksheets/sheet1.xml")
        got = [(sp.get("macro"), "".join(t.text for t in sp.iter(f"{A}t"))) for sp in shapes]
    assert [s.name for s in pkg.sheets()][0] == "说明"
    assert got == [(f"[0]!{a.macro}", a.caption) for a in ACTIONS]


def test_each_button_sits_beside_its_description():
    wb = load_workbook(TEMPLATE)
    ws = wb["说明"]
    rows = {ws.cell(r, 2).value: r for r in range(1, ws.max_row + 1)}
    with _zip() as z:
        anchors = etree.fromstring(z.read("xl/drawings/xlperfButtons.xml"))
    for action, anchor in zip(ACTIONS, anchors):
        row = int(anchor.find(f"{XDR}from/{XDR}row").text) + 1
        assert rows[action.what] == row, action.caption


def test_readme_lists_the_worksheet_functions():
    ws = load_workbook(TEMPLATE)["说明"]
    texts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    for fn in FUNCTIONS:
        assert fn.example in texts[fn.name.upper()] and fn.signature in texts[fn.name.upper()]


def test_xlwings_conf_sheet_names_the_function_module():
    wb = load_workbook(TEMPLATE)
    conf = wb["xlwings.conf"]
    assert conf.sheet_state == "hidden"
    assert (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "xlperf.excel.udfs")
    assert wb.code_name == "ThisWorkbook"
    assert [ws.sheet_properties.codeName for ws in wb.worksheets] == [f"Sheet{n}" for n in range(1, len(wb.worksheets) + 1)]


def test_the_xlsx_template_has_none_of_it():
    with zipfile.ZipFile(ROOT / "workbooks" / "template.xlsx") as z:
        names = z.namelist()
    assert not any(n.startswith("customUI/") or "xlperfButtons" in n for n in names)
    assert "xlwings.conf" not in load_workbook(ROOT / "workbooks" / "template.xlsx").sheetnames


def test_template_package_is_sound():
    from xlperf.workbook.structure import check_structure

    assert check_structure(TEMPLATE) == []


def test_a_fill_keeps_the_excel_front_byte_for_byte(tmp_path):
    from xlperf.examples import reference_data
    from xlperf.engine.system import load
    from xlperf.workbook.bundled import macro_project
    from xlperf.workbook.fill import fill
    from xlperf.workbook.template import build_template

    src = tmp_path / "填报.xlsm"
    build_template(src, load("shenzhen-2024"), data=reference_data(), vba_project=macro_project())
    out = fill(src, tmp_path / "已评分.xlsm").out_path
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        for part in ("xl/vbaProject.bin", "customUI/customUI14.xml", "xl/drawings/xlperfButtons.xml",
                     "xl/worksheets/sheet1.xml", "xl/worksheets/_rels/sheet1.xml.rels", "_rels/.rels"):
            assert a.read(part) == b.read(part), part
