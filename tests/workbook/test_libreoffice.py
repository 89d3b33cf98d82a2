"""LibreOffice as an independent client of the filled example: render, read back, recalculate, print.

LibreOffice is a rendering and recalculation oracle, never a validator: soffice exits 0 even when it
could not load a file and silently repairs broken XML (research/tech-notes.md §4). So the helpers in
lo.py always look for the output files, and package structure is checked by xlperf's own
check_structure — with a negative control showing LibreOffice "converting" a broken package.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

import lo
from xlperf.engine.evaluate import Result
from xlperf.book.a1 import from_a1, to_a1
from xlperf.workbook.fill import fill
from xlperf.book.layout import TOTAL_NAME, indicator_name, item_name, level1_name
from xlperf.workbook.package import Package
from xlperf.workbook.structure import check_structure
from xlperf.workbook.sheetpatch import number_text

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
]

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SCORES = "评分表"
INDICATORS = "计算指标"


@dataclass
class Filled:
    path: Path
    result: Result
    sheets: list[str]
    names: dict  # defined name -> DefinedName

    def at(self, name: str) -> tuple[str, int, int]:
        dn = self.names[name]
        return (dn.sheet, *from_a1(dn.ref.split(":")[0]))


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("libreoffice")


@pytest.fixture(scope="module")
def filled(work) -> Filled:
    path = work / "filled.xlsx"
    result = fill(EXAMPLE, path).result
    assert str(result.total) == "96.88"
    pkg = Package.open(path)
    return Filled(path, result, [s.name for s in pkg.sheets()], pkg.defined_names())


@pytest.fixture(scope="module")
def csv_raw(filled, work) -> dict[str, list[list[str]]]:
    """Every sheet as LibreOffice exports it with the plain filter string (raw numbers), default profile."""
    return lo.csv_of_all_sheets(filled.path, filled.sheets, work / "csv-raw")[filled.path]


@pytest.fixture(scope="module")
def csv_shown(filled, work) -> dict[str, list[list[str]]]:
    """Every sheet with "save cell contents as shown": numbers as their number formats display them."""
    return lo.csv_of_all_sheets(filled.path, filled.sheets, work / "csv-shown", as_shown=True)[filled.path]


# -- conversions -------------------------------------------------------------------------------------------


def test_converts_headless_to_pdf(filled, work):
    pdf = lo.convert(filled.path, "pdf", work / "pdf").files[filled.path][0]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf.stat().st_size > 10_000


def test_converts_every_sheet_to_utf8_csv(filled, csv_raw, work):
    # One file per sheet, named <workbook>-<sheet>.csv; lo.convert has checked that each exists.
    assert sorted(p.name for p in (work / "csv-raw").glob("*.csv")) == sorted(
        f"{filled.path.stem}-{name}.csv" for name in filled.sheets)
    assert set(csv_raw) == set(filled.sheets)
    # Chinese text survives the round trip (without token 76 = UTF-8 it came out as ???).
    sheet, r, c = filled.at("xo_system_name")
    assert lo.cell(csv_raw[sheet], r, c) == filled.result.system.name
    assert "深圳市科技交流服务中心" in lo.cell(csv_raw[sheet], r + 1, c)
    assert lo.cell(csv_raw[SCORES], 3, 9) == "评分"
    assert not any("??" in text for row in csv_raw[SCORES] for text in row)


# -- the numbers LibreOffice shows are the engine's --------------------------------------------------------


def test_score_sheet_shows_every_item_score_as_the_engine_computed_it(filled, csv_raw, csv_shown):
    zeros = []
    for s in filled.result.items:
        sheet, r, c = filled.at(item_name(s.item.id))
        assert sheet == SCORES
        raw, shown = lo.cell(csv_raw[sheet], r, c), lo.cell(csv_shown[sheet], r, c)
        assert Decimal(raw) == s.points, s.item.name  # the exact number: 5, 1.89, 0
        assert shown == f"{s.points:.2f}", s.item.name  # as the 0.00 format shows it: 5.00, 1.89, 0.00
        if s.points == 0:
            zeros.append((raw, shown))
    # What LibreOffice prints for a zero score: raw "0", and "0.00" as the sheet displays it.
    assert zeros and set(zeros) == {("0", "0.00")}
    shown_scores = {lo.cell(csv_shown[SCORES], *filled.at(item_name(s.item.id))[1:]) for s in filled.result.items}
    assert {"1.89", "5.99", "0.00"} <= shown_scores

    sheet, r, c = filled.at(TOTAL_NAME)
    assert lo.cell(csv_shown[sheet], r, c) == "96.88"
    assert Decimal(lo.cell(csv_raw[sheet], r, c)) == filled.result.total
    for node in filled.result.system.level1:
        sheet, r, c = filled.at(level1_name(node.id))
        assert lo.cell(csv_shown[sheet], r, c) == f"{filled.result.level1[node.id]:.2f}"


def test_indicator_sheet_shows_rates_in_percent(filled, csv_raw, csv_shown):
    shown = {}
    for id_ in ("budget_execution_rate", "procurement_execution_rate"):
        sheet, r, c = filled.at(indicator_name(id_))
        assert sheet == INDICATORS
        shown[id_] = lo.cell(csv_shown[sheet], r, c)
        assert lo.cell(csv_shown[sheet], r, c - 1) == filled.result.indicators[id_].name  # Chinese label intact
        # Without "as shown" LibreOffice still prints the percent, with every stored digit.
        raw = lo.cell(csv_raw[sheet], r, c)
        assert raw.endswith("%")
        assert abs(Decimal(raw[:-1]) - filled.result.indicators[id_].value * 100) < Decimal("1e-6")
    assert shown == {"budget_execution_rate": "98.70%", "procurement_execution_rate": "88.58%"}


# -- recalculation oracle ------------------------------------------------------------------------------------


def test_recalculating_on_load_changes_no_number(filled, csv_raw, work):
    """With an always-recalculate profile every sheet reads the same: no formula disagrees with its cache."""
    recalculated = lo.csv_of_all_sheets(filled.path, filled.sheets, work / "csv-recalc", always_recalc=True)
    assert recalculated[filled.path] == csv_raw


def with_formula(filled: Filled, out: Path, cached: str) -> tuple[Path, tuple[int, int]]:
    """A copy of the filled workbook with =SUM(<item scores>) next to the total, its <v> set to cached.

    The sheet XML is patched by hand (xlperf itself writes values only): one new <c> appended to the
    total's row, two columns right of the sheet's last used column.
    """
    pkg = Package.open(filled.path)
    rows = sorted(filled.at(item_name(s.item.id))[1] for s in filled.result.items)
    _, total_row, score_col = filled.at(TOTAL_NAME)
    free_col = max(c for _, c in pkg.read_cells(SCORES)) + 2
    first, last = to_a1(rows[0], score_col), to_a1(rows[-1], score_col)
    part = pkg.sheet(SCORES).part
    root = etree.fromstring(pkg.read(part))
    row = next(el for el in root.iter(f"{{{MAIN}}}row") if el.get("r") == str(total_row))
    assert all(from_a1(c.get("r"))[1] < free_col for c in row)  # appending keeps the cells in column order
    c = etree.SubElement(row, f"{{{MAIN}}}c", r=to_a1(total_row, free_col))
    etree.SubElement(c, f"{{{MAIN}}}f").text = f"SUM({first}:{last})"
    etree.SubElement(c, f"{{{MAIN}}}v").text = cached
    with zipfile.ZipFile(filled.path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            zout.writestr(info, data)
    return out, (total_row, free_col)


def test_recalculation_oracle_agrees_with_a_correct_cached_formula_and_catches_a_wrong_one(filled, work):
    total = filled.result.total
    assert sum(s.points for s in filled.result.items) == total
    right, pos = with_formula(filled, work / "formula-right.xlsx", number_text(total))
    wrong, _ = with_formula(filled, work / "formula-wrong.xlsx", number_text(total + 50))
    assert check_structure(right) == [] and check_structure(wrong) == []

    cached = lo.csv_of_all_sheets([right, wrong], filled.sheets, work / "formula-cached")
    recalculated = lo.csv_of_all_sheets([right, wrong], filled.sheets, work / "formula-recalc", always_recalc=True)

    # The default profile shows the cached <v> as is, even the wrong one (fullCalcOnLoad="1" is ignored).
    assert lo.cell(cached[right][SCORES], *pos) == "96.88"
    assert lo.cell(cached[wrong][SCORES], *pos) == "146.88"
    # Recalculated, the right formula reads exactly as its cache did: the whole sheet is unchanged.
    assert lo.cell(recalculated[right][SCORES], *pos) == "96.88"
    assert recalculated[right] == cached[right]
    # Negative control: the wrong cache is caught, so the oracle really recalculates.
    assert lo.cell(recalculated[wrong][SCORES], *pos) == "96.88"
    assert recalculated[wrong][SCORES] != cached[wrong][SCORES]


# -- structure: checked by us, not by LibreOffice ----------------------------------------------------------


def test_filled_package_structure_is_sound(filled):
    assert check_structure(filled.path) == []


def test_broken_relationship_is_reported_by_check_structure_while_libreoffice_still_converts(filled, work):
    broken = work / "broken-rel.xlsx"
    with zipfile.ZipFile(filled.path) as zin:
        rels = next(n for n in zin.namelist() if n.startswith("xl/worksheets/_rels/") and
                    b"relationships/table" in zin.read(n))
        with zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == rels:
                    data = re.sub(rb'Target="([^"]*/)([^"/]+)"', rb'Target="\1missing-\2"', data, count=1)
                    assert data != zin.read(info)
                zout.writestr(info, data)

    problems = check_structure(broken)
    assert len(problems) == 1 and rels in problems[0] and "missing-" in problems[0]

    # LibreOffice loads it without a word and exits 0: its exit code is no evidence of a sound file.
    done = lo.convert(broken, lo.CSV_ALL_SHEETS, work / "csv-broken",
                      expect={broken: [f"-{name}.csv" for name in filled.sheets]})
    assert done.returncode == 0
    scores = lo.read_csv(work / "csv-broken" / f"{broken.stem}-{SCORES}.csv")
    assert lo.cell(scores, *filled.at(TOTAL_NAME)[1:]) == "96.88"


def test_soffice_exits_0_on_a_file_it_cannot_load_so_the_helper_checks_the_output(work):
    junk = work / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    run = lo.run_soffice(["--convert-to", "pdf", "--outdir", str(work / "junk-out"), str(junk)])
    assert run.returncode == 0
    assert not (work / "junk-out" / "junk.pdf").exists()
    with pytest.raises(lo.SofficeFailed, match="did not write junk.pdf"):
        lo.convert(junk, "pdf", work / "junk-out")


# -- print layout ------------------------------------------------------------------------------------------


def only_sheet(src: Path, keep: str, out: Path) -> Path:
    """A copy in which every other sheet is hidden and loses its print area/titles (else Calc prints it)."""
    with zipfile.ZipFile(src) as zin:
        root = etree.fromstring(zin.read("xl/workbook.xml"))
        sheets = root.findall(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet")
        index = [s.get("name") for s in sheets].index(keep)
        for s in sheets:
            s.set("state", "visible" if s.get("name") == keep else "hidden")
        names = root.find(f"{{{MAIN}}}definedNames")
        for dn in list(names if names is not None else ()):
            if dn.get("localSheetId") not in (None, str(index)):
                names.remove(dn)
        view = root.find(f"{{{MAIN}}}bookViews/{{{MAIN}}}workbookView")
        view.set("activeTab", str(index))
        view.set("firstSheet", str(index))
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "xl/workbook.xml":
                    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
                zout.writestr(info, data)
    return out


@pytest.mark.skipif(lo.PDFTOPPM is None, reason="pdftoppm (poppler-utils) is not installed")
def test_score_sheet_prints_on_a4_landscape_pages_with_the_header_repeated(filled, work):
    scores_only = only_sheet(filled.path, SCORES, work / "scores-only.xlsx")
    pdf = lo.convert(scores_only, "pdf", work / "scores-pdf").files[scores_only][0]
    pages = lo.pdf_to_png(pdf, work / "scores-png", dpi=50)
    assert pages and all(p.stat().st_size > 0 for p in pages)
    for page in pages:
        width, height = lo.png_size(page)
        assert 1.39 < width / height < 1.44, page.name  # A4 landscape: 297 / 210 = 1.414

    texts = lo.pdf_page_texts(pdf, len(pages))
    if texts is None:
        return
    assert filled.result.system.name in texts[0]
    for n, text in enumerate(texts, 1):
        # Rows 3-5 are print titles: every page starts with the header, and every page is one page wide
        # (fitToWidth=1), so the last column's header is on each of them, as is the page footer.
        for label in ("评价指标", "一级指标", "评分", "计分依据"):
            assert label in text, (n, label)
        assert f"第 {n} 页，共 {len(pages)} 页" in text
    assert "96.88" in texts[-1] and "总分" in texts[-1]


def test_a_workbook_saved_by_libreoffice_in_its_own_format_gets_what_to_do(work, capsys):
    """LibreOffice's Save, unless Keep Current Format is chosen, writes .ods: real LibreOffice output, named
    as what it is with the way back (另存为 Excel 2007-365), not as 可能是 Word、PowerPoint 文档."""
    from xlperf.cli import main
    from xlperf.workbook.problems import MESSAGES

    example = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
    ods = lo.convert(example, "ods", work / "ods").files[example][0]
    assert main(["fill", str(ods), "-o", str(work / "out.xlsx")]) == 1
    assert MESSAGES["ODF_SPREADSHEET"] in capsys.readouterr().err
    assert not (work / "out.xlsx").exists()
