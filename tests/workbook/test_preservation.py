"""`xlperf fill` rewrites only its own four sheet parts: everything a unit's workbook carries survives.

The input is the example built by xlperf's template builder, given an openpyxl chart, comments and
a picture before it is saved, then macro-enabled and edited by hand (zipfile + lxml) to add what
openpyxl cannot keep: a macro button shape, x14 data validation, sparklines, an Office 2010 ribbon,
printer settings, custom document properties and a sheet xlperf knows nothing about.
"""

from __future__ import annotations

import fnmatch
import struct
import subprocess
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from fixtures import (
    MACRO,
    MAIN,
    OWNED_SHEETS,
    R,
    REL_PRINTER,
    REL_UI14,
    URI_SPARKLINES,
    URI_X14_DV,
    USER_SHEET,
    Pkg,
    build_example,
    example_data,
    rich_workbook,
)
from xlperf.cli import main
from xlperf.book.a1 import from_a1
from xlperf.workbook.fill import verify
from xlperf.workbook.package import Package
from xlperf.workbook.structure import check_structure

try:
    import PIL  # noqa: F401

    HAS_PILLOW = True
except ImportError:
    HAS_PILLOW = False


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    """(source, output, where the hand-made features live), filled once through the CLI."""
    folder = tmp_path_factory.mktemp("preservation")
    src = folder / "单位填报.xlsm"
    parts = rich_workbook(src)
    assert check_structure(src) == [], "the hand-made input itself must be a sound package"
    out = folder / "已评分.xlsm"
    assert main(["fill", str(src), "-o", str(out)]) == 0
    return src, out, parts


def infos(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as zf:
        return zf.infolist()


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def stored_bytes(path: Path, info: zipfile.ZipInfo) -> bytes:
    """A member's compressed bytes exactly as they sit in the archive (read from its local header)."""
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        head = fh.read(30)
        assert head[:4] == b"PK\x03\x04"
        name_len, extra_len = struct.unpack("<2H", head[26:30])
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        return fh.read(info.compress_size)


def owned_parts(path: Path) -> set[str]:
    sheets = Pkg(path).sheet_parts()
    return {sheets[name] for name in OWNED_SHEETS}


# -- the package as a whole ---------------------------------------------------------------------------


def test_fill_scores_the_rich_workbook(rich):
    _, out, _ = rich
    pkg = Package.open(out)
    dn = pkg.defined_names()["xo_total"]
    assert pkg.read_cells(dn.sheet)[from_a1(dn.ref)].value == Decimal("96.88")
    assert verify(out).status == "unchanged"


def test_member_names_and_order_are_identical(rich):
    src, out, _ = rich
    assert [i.filename for i in infos(out)] == [i.filename for i in infos(src)]


def test_only_the_four_owned_sheet_parts_change(rich):
    src, out, _ = rich
    owned = owned_parts(src)
    assert len(owned) == 4
    before, after = members(src), members(out)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == owned, f"changed: {sorted(changed)}; owned: {sorted(owned)}"


def test_every_other_member_is_copied_as_stored(rich):
    """Same bytes, same compression, same CRC and the very same compressed bytes: a raw copy."""
    src, out, _ = rich
    owned = owned_parts(src)
    theirs = {i.filename: i for i in infos(out)}
    for info in infos(src):
        if info.filename in owned:
            continue
        copy = theirs[info.filename]
        assert copy.compress_type == info.compress_type, info.filename
        assert (copy.CRC, copy.file_size, copy.compress_size) == (info.CRC, info.file_size, info.compress_size), \
            info.filename
        assert stored_bytes(out, copy) == stored_bytes(src, info), f"{info.filename}: compressed bytes differ"


def test_output_is_structurally_sound(rich):
    _, out, _ = rich
    assert check_structure(out) == []


# -- one check per feature ----------------------------------------------------------------------------


def _same(src: dict, out: dict, name: str, feature: str) -> bytes:
    assert name in src, f"{feature}: the fixture did not create {name}"
    assert name in out, f"{feature}: {name} is missing from the output"
    assert out[name] == src[name], f"{feature}: {name} changed"
    return out[name]


def _matching(src: dict, pattern: str, feature: str) -> list[str]:
    found = sorted(n for n in src if fnmatch.fnmatch(n, pattern))
    assert found, f"{feature}: the fixture has no part matching {pattern}"
    return found


def check_vba(src, out, parts):
    data = _same(src, out, "xl/vbaProject.bin", "VBA project")
    assert data.startswith(b"\xd0\xcf\x11\xe0"), "VBA project: not a CFB container any more"
    types = _same(src, out, "[Content_Types].xml", "VBA project (content types)")
    assert b"sheet.macroEnabled.main+xml" in types, "VBA project: the workbook is no longer macro-enabled"


def check_macro_button(src, out, parts):
    drawing = _same(src, out, parts["button"], "macro button")
    root = etree.fromstring(drawing)
    shapes = root.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}sp")
    assert [sp.get("macro") for sp in shapes] == [MACRO], "macro button: the xdr:sp with its macro is gone"
    sheet = parts["button_sheet"]
    rels = _same(src, out, sheet.replace("worksheets/", "worksheets/_rels/") + ".rels",
                 "macro button (sheet relationships)")
    assert parts["button"].rpartition("/")[2].encode() in rels, "macro button: the sheet no longer links its drawing"


def check_chart(src, out, parts):
    for name in _matching(src, "xl/charts/chart*.xml", "chart"):
        _same(src, out, name, "chart")
    for name in _matching(src, "xl/drawings/_rels/drawing*.xml.rels", "chart (drawing relationships)"):
        _same(src, out, name, "chart (drawing relationships)")
    chart_drawing = [n for n in _matching(src, "xl/drawings/drawing*.xml", "chart drawing") if n != parts["button"]]
    for name in chart_drawing:
        assert b"graphicFrame" in _same(src, out, name, "chart drawing"), "chart: its graphic frame is gone"


def check_comments(src, out, parts):
    comments = _matching(src, "xl/comments/comment*.xml", "comments")
    for name in comments:
        _same(src, out, name, "comments")
    assert "单位全称".encode() in b"".join(out[n] for n in comments), "comments: the comment text is gone"
    for name in _matching(src, "xl/drawings/commentsDrawing*.vml", "comments (VML)"):
        _same(src, out, name, "comments (VML)")


def check_image(src, out, parts):
    pictures = _matching(src, "xl/media/handmade*.png", "picture")  # hand-made, in the button's drawing
    if HAS_PILLOW:  # openpyxl writes pictures only with Pillow
        pictures += _matching(src, "xl/media/image*.png", "picture (openpyxl)")
    for name in pictures:
        assert _same(src, out, name, "picture").startswith(b"\x89PNG"), "picture: not a PNG any more"
    drawing_rels = parts["button"].replace("drawings/", "drawings/_rels/") + ".rels"
    assert b"handmade" in _same(src, out, drawing_rels, "picture (drawing relationships)"), \
        "picture: the drawing no longer links it"


def check_x14_validation(src, out, parts):
    sheet = _same(src, out, parts["x14_sheet"], "x14 data validation")
    root = etree.fromstring(sheet)
    ext = root.find(f"{{{MAIN}}}extLst/{{{MAIN}}}ext[@uri='{URI_X14_DV}']")
    assert ext is not None, "x14 data validation: the extLst entry is gone"
    formula = ext.find(".//{http://schemas.microsoft.com/office/excel/2006/main}f")
    assert formula is not None and formula.text == "说明!$A$6:$A$10", "x14 data validation: the list source changed"


def check_sparklines(src, out, parts):
    sheet = _same(src, out, parts["sparkline_sheet"], "sparklines")
    root = etree.fromstring(sheet)
    assert root.find(f"{{{MAIN}}}extLst/{{{MAIN}}}ext[@uri='{URI_SPARKLINES}']") is not None, \
        "sparklines: the sparkline group extension is gone"


def check_custom_ui14(src, out, parts):
    _same(src, out, parts["customUI14"], "customUI14 ribbon")
    rels = etree.fromstring(_same(src, out, "_rels/.rels", "customUI14 ribbon (root relationship)"))
    targets = [el.get("Target") for el in rels if el.get("Type") == REL_UI14]
    assert targets == [parts["customUI14"]], "customUI14 ribbon: the root relationship is gone"


def check_printer_settings(src, out, parts):
    _same(src, out, parts["printer"], "printer settings")
    sheet = parts["printer_sheet"]
    rels_name = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
    rels = etree.fromstring(_same(src, out, rels_name, "printer settings (sheet relationships)"))
    rel_ids = [el.get("Id") for el in rels if el.get("Type") == REL_PRINTER]
    assert len(rel_ids) == 1, "printer settings: the sheet's relationship is gone"
    page_setup = etree.fromstring(_same(src, out, sheet, "printer settings (sheet)")).find(f"{{{MAIN}}}pageSetup")
    assert page_setup is not None and page_setup.get(f"{{{R}}}id") == rel_ids[0], \
        "printer settings: pageSetup no longer points at them"


def check_defined_names(src, out, parts):
    workbook = _same(src, out, "xl/workbook.xml", "defined names (workbook.xml)")
    assert workbook.count(b"<definedName ") > 100, "defined names: the template's names are missing"
    assert Package.open(parts["_out"]).defined_names() == Package.open(parts["_src"]).defined_names(), \
        "defined names: they read back differently"


def check_custom_properties(src, out, parts):
    _same(src, out, parts["custom"], "custom document properties")
    assert Package.open(parts["_out"]).custom_properties() == {"项目编号": "SZ-2024-001", "审核人": "张三"}, \
        "custom document properties: they read back differently"


def check_user_sheet(src, out, parts):
    _same(src, out, parts["user_sheet"], "user's own sheet")
    pkg = Package.open(parts["_out"])
    assert USER_SHEET in [s.name for s in pkg.sheets()], "user's own sheet: no longer in the workbook"
    cells = pkg.read_cells(USER_SHEET)
    assert cells[(2, 2)].formula == "A2*2" and cells[(2, 2)].value == Decimal(84), \
        "user's own sheet: its formula or cached value changed"


FEATURES = {
    "vba": check_vba,
    "macro-button": check_macro_button,
    "chart": check_chart,
    "comments-and-vml": check_comments,
    "image": check_image,
    "x14-data-validation": check_x14_validation,
    "sparklines": check_sparklines,
    "customUI14": check_custom_ui14,
    "printer-settings": check_printer_settings,
    "defined-names": check_defined_names,
    "custom-properties": check_custom_properties,
    "user-sheet": check_user_sheet,
}


@pytest.mark.parametrize("feature", FEATURES)
def test_feature_survives(rich, feature):
    src, out, parts = rich
    FEATURES[feature](members(src), members(out), {**parts, "_src": src, "_out": out})


# -- other readers ------------------------------------------------------------------------------------


def test_output_opens_in_openpyxl(rich):
    from openpyxl import load_workbook

    _, out, _ = rich
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # x14 validation and sparklines: "not supported and will be removed"
        wb = load_workbook(out, keep_vba=True)
    assert wb.vba_archive is not None
    assert USER_SHEET in wb.sheetnames
    assert wb["基本信息"]["A2"].comment is not None
    assert wb["预算执行"]._charts, "openpyxl sees no chart"
    dn = wb.defined_names["xo_total"]
    (sheet, ref), = dn.destinations
    assert wb[sheet][ref].value == pytest.approx(96.88)


def libreoffice_csv(soffice: str, path: Path, folder: Path) -> dict[str, str]:
    """Every sheet of path as UTF-8 CSV text, keyed by sheet name, converted by LibreOffice."""
    folder.mkdir(exist_ok=True)
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{folder}/lo_profile", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
         "--outdir", str(folder), str(path)],
        capture_output=True, text=True, timeout=300,
    )
    sheets = {p.stem[len(path.stem) + 1:]: p.read_text("utf-8") for p in folder.glob(f"{path.stem}-*.csv")}
    assert sheets, f"LibreOffice wrote nothing (it exits 0 even when loading fails): {result.stdout} {result.stderr}"
    return sheets


@pytest.mark.libreoffice
def test_output_converts_in_libreoffice(rich, soffice, tmp_path):
    _, out, _ = rich
    sheets = libreoffice_csv(soffice, out, tmp_path / "lo")
    assert {*OWNED_SHEETS, "基本信息", USER_SHEET} <= set(sheets)
    total_row = next(line for line in sheets["评分表"].splitlines() if line.startswith("总分"))
    assert "96.88" in total_row
    assert "84" in sheets[USER_SHEET]


# -- user text echoed into the output stays text ------------------------------------------------------

HOSTILE = ("=1+1", "#REF!", '=HYPERLINK("http://example.invalid","点我")', "@SUM(1)")


@pytest.fixture(scope="module")
def echoed(tmp_path_factory):
    """Project names, a target's actual value and evaluator reasons that look like formulas and errors."""
    folder = tmp_path_factory.mktemp("echo")
    data = example_data()
    data["projects"] = [
        {"name": "=1+1", "budget": "100", "spent": "120", "status": "按期完成"},  # overspent: named in 校验结果
        {"name": "#REF!", "budget": "433.46", "spent": "450", "status": "按期完成"},
    ]
    data["targets"] = [{"name": "举办交流活动", "target": "≥10 场",
                        "actual": '=HYPERLINK("http://example.invalid","点我")'}]  # shown in 计算指标
    data["evaluator"]["effectiveness"]["reason"] = "#REF!"  # the item's 扣分说明, verbatim
    data["evaluator"]["spending_compliance"] = {"points": "0.5", "reason": "=1+1"}
    data["unit"] = "@SUM(1)"
    src = build_example(folder / "echo.xlsx", data)
    out = folder / "echo-out.xlsx"
    assert main(["fill", str(src), "-o", str(out)]) == 0
    return out


def _echoes(path: Path) -> list[tuple[str, str, object]]:
    """(sheet, A1, openpyxl cell) of every output cell that carries one of the hostile texts."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    found = []
    for sheet in OWNED_SHEETS:
        for row in wb[sheet].iter_rows():
            for cell in row:
                text = cell.value if isinstance(cell.value, str) else ""
                if cell.data_type in ("f", "e") or any(h in text for h in HOSTILE):
                    found.append((sheet, cell.coordinate, cell))
    return found


def test_echoed_user_text_is_text_in_openpyxl(echoed):
    found = _echoes(echoed)
    sheets = {sheet for sheet, _, _ in found}
    assert {"计算指标", "校验结果", "评分表"} <= sheets, f"echoes expected in every output sheet, got {sheets}"
    for sheet, ref, cell in found:
        assert cell.data_type == "s" and isinstance(cell.value, str), f"{sheet}!{ref} is {cell.data_type}"
    texts = {cell.value for _, _, cell in found}
    assert "#REF!" in texts, "效果性's 扣分说明 is the evaluator's reason, verbatim"
    assert "资金支出规范性：=1+1" in texts
    assert any(t.startswith("项目“=1+1”") for t in texts) and any(t.startswith("项目“#REF!”") for t in texts)
    assert any('=HYPERLINK("http://example.invalid","点我")' in t for t in texts)


def test_echoed_user_text_is_inline_text_in_the_xml(echoed):
    """No <f> and no t="e" anywhere in the owned sheets: every echo is an inline string."""
    pkg = Pkg(echoed)
    parts = pkg.sheet_parts()
    for sheet in OWNED_SHEETS:
        root = pkg.xml(parts[sheet])
        assert root.find(f".//{{{MAIN}}}f") is None, f"{sheet} has a formula"
        assert not root.xpath("//m:c[@t='e']", namespaces={"m": MAIN}), f"{sheet} has an error cell"
        for c in root.iter(f"{{{MAIN}}}c"):
            text = "".join(c.itertext())
            if any(h in text for h in HOSTILE):
                assert c.get("t") == "inlineStr", f"{sheet}!{c.get('r')} is t={c.get('t')!r}"


@pytest.mark.libreoffice
def test_echoed_user_text_is_not_evaluated_by_libreoffice(echoed, soffice, tmp_path):
    sheets = libreoffice_csv(soffice, echoed, tmp_path / "lo")
    assert ",#REF!," in sheets["评分表"], "#REF! was not shown as the text of the 扣分说明"
    assert "资金支出规范性：=1+1" in sheets["评分表"]
    assert "项目“=1+1”" in sheets["校验结果"] and "项目“#REF!”" in sheets["校验结果"]
    assert "=HYPERLINK(" in sheets["计算指标"], "the HYPERLINK text was evaluated instead of shown"


def test_long_user_text_is_cut_to_what_a_cell_holds(tmp_path):
    """Five 10,000-character target values (each legal in Excel) add up to more than one cell holds
    when 计算指标 lists them: the echo is cut with "…" instead of failing the fill."""
    data = example_data()
    data["targets"] = [{"name": f"目标 {i}", "target": "完成", "actual": "九" * 10_000} for i in range(5)]
    src = build_example(tmp_path / "long.xlsx", data)
    out = tmp_path / "long-out.xlsx"
    assert main(["fill", str(src), "-o", str(out)]) == 0
    pkg = Package.open(out)
    texts = [c.value for c in pkg.read_cells("计算指标").values() if isinstance(c.value, str)]
    longest = max(texts, key=len)
    assert len(longest) == 32_767 and longest.endswith("…")
    assert verify(out).status == "unchanged"
