"""A sheet the unit renamed (基本信息 → 基本信息（甲单位）) is found by the names Excel rewrote with it.

Renaming a sheet in Excel, WPS or LibreOffice rewrites every defined name on it, and its tables go with
it. xlperf looked sheets up by the layout's names only, so any renamed sheet was 缺少工作表, and the unit
was told to copy everything into a new template. The template's names now say which sheet is which.

And for the auditor: a sheet renamed, or a row inserted above an input, after the fill leaves the
outputs as xlperf wrote them, but the cells they cite (计算指标's 所用数据) name the old places. verify
said 输出单元格被手工修改 (exit 4) then; it now says the workbook's structure changed (exit 3), and a
score that differs is still a hand edit, however the stamp reads.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fixtures import Pkg, remove_sheet_entry, rename_sheet, set_cells
from lo import edited_in_libreoffice, uno_available
from xlperf.book.fill import INPUTS_EDITED, OUTPUTS_EDITED, UNCHANGED
from xlperf.book.layout import load_layout
from xlperf.book.outputs import outputs_hash
from xlperf.errors import InputError, WorkbookError
from xlperf.workbook.fill import fill, verify
from xlperf.workbook.zipbook import ZipBook

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
TEMPLATE = Path(__file__).parents[2] / "workbooks" / "template.xlsx"
TOTAL = Decimal("96.88")  # the reference unit's published total


def renamed(src: Path, dst: Path, *pairs: tuple[str, str]) -> Path:
    pkg = Pkg(src)
    for old, new in pairs:
        rename_sheet(pkg, old, new)
    return pkg.save(dst)


def test_every_name_and_table_of_the_template_has_its_sheet_in_the_layout():
    # located_sheets trusts Layout.home_of: it must give the sheet each template name is really on.
    book, layout = ZipBook.open(TEMPLATE), load_layout()
    places = {**book.defined_names(), **{n: t.area for n, t in book.tables().items()}}
    assert len(places) > 100
    wrong = {n: (layout.home_of(n), a.sheet) for n, a in places.items() if layout.home_of(n) != a.sheet}
    assert wrong == {}


@pytest.mark.parametrize("sheet", [s.name for s in load_layout().sheets if s.role != "readme"])
def test_each_sheet_renamed_scores_as_before(tmp_path, sheet):
    path = renamed(EXAMPLE, tmp_path / "in.xlsx", (sheet, f"{sheet}（甲单位）"))
    filled = fill(path, tmp_path / "out.xlsx")
    assert filled.result.total == TOTAL
    assert verify(filled.out_path).status == UNCHANGED


def test_the_outputs_cite_the_sheet_by_its_new_name(tmp_path):
    path = renamed(EXAMPLE, tmp_path / "in.xlsx", ("预算执行", "2024预算执行"))
    filled = fill(path, tmp_path / "out.xlsx")
    assert filled.read.cell_of("budget.adjusted.total") == ("2024预算执行", "D3")
    assert filled.read.sheets["预算执行"] == "2024预算执行"
    cited = ZipBook.open(filled.out_path).read(_inputs_cell(filled.out_path))[0][0]
    assert "（2024预算执行!D3）" in cited and "（预算执行!" not in cited


def _inputs_cell(path: Path):
    """The 所用数据 cell of the budget execution rate (计算指标's first indicator row)."""
    from xlperf.book.layout import indicator_name
    from xlperf.book.protocol import Area

    at = ZipBook.open(path).defined_names()[indicator_name("budget_execution_rate")]
    ind = load_layout().by_role("indicators")
    col = at.left + ind.column("inputs") - ind.column("value")
    return Area(at.sheet, at.top, col, at.top, col)


def test_a_problem_names_the_renamed_sheet(tmp_path):
    pkg = Pkg(EXAMPLE)
    rename_sheet(pkg, "预算执行", "预算执行表")
    set_cells(pkg, "预算执行表", {"D3": "一千九百"})
    path = pkg.save(tmp_path / "bad.xlsx")
    with pytest.raises(InputError) as caught:
        fill(path, tmp_path / "out.xlsx")
    assert any(p.sheet == "预算执行表" and p.cell == "D3" for p in caught.value.problems)
    assert "预算执行表!D3" in str(caught.value)


def test_two_sheets_given_each_others_names_are_still_found(tmp_path):
    # 项目 ↔ 重点工作 through a spare name, as a unit swapping two tabs would do it.
    path = renamed(EXAMPLE, tmp_path / "in.xlsx", ("项目", "临时"), ("重点工作", "项目清单"), ("临时", "重点工作清单"))
    assert fill(path, tmp_path / "out.xlsx").result.total == TOTAL


def test_a_deleted_sheet_is_still_missing(tmp_path):
    pkg = Pkg(EXAMPLE)
    remove_sheet_entry(pkg, "基本信息")
    with pytest.raises(WorkbookError) as caught:
        fill(pkg.save(tmp_path / "in.xlsx"), tmp_path / "out.xlsx")
    assert [p.code for p in caught.value.problems] == ["MISSING_SHEET"]
    assert "缺少工作表“基本信息”" in str(caught.value)


def test_a_sheet_renamed_to_another_template_sheets_name_is_not_taken_for_it(tmp_path):
    # 基本信息 deleted, and 预算执行 renamed 基本信息: the names of 预算执行 now point at a sheet called
    # 基本信息, which is not where 基本信息's own names are. Nothing is guessed: 预算执行 is missing.
    pkg = Pkg(EXAMPLE)
    remove_sheet_entry(pkg, "基本信息")
    rename_sheet(pkg, "预算执行", "基本信息")
    with pytest.raises(WorkbookError) as caught:
        fill(pkg.save(tmp_path / "in.xlsx"), tmp_path / "out.xlsx")
    assert "缺少工作表“预算执行”" in str(caught.value)


# --- verify after the fill -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("filled") / "out.xlsx"
    fill(EXAMPLE, out)
    return out


def test_an_input_sheet_renamed_after_the_fill_is_a_change_of_structure(filled, tmp_path):
    verdict = verify(renamed(filled, tmp_path / "r.xlsx", ("预算执行", "预算执行表")))
    assert verdict.status == INPUTS_EDITED and verdict.exit_code == 3
    assert "结构被修改" in verdict.message and "未被手工修改" in verdict.message
    assert verdict.cells and all(c.startswith("计算指标!E") for c in verdict.cells)


def test_an_output_sheet_renamed_after_the_fill_is_unchanged(filled, tmp_path):
    # Its cells are as written and cite nothing that moved; the stamp's hash was taken under 评分表.
    verdict = verify(renamed(filled, tmp_path / "r.xlsx", ("评分表", "评分表（2024）")))
    assert verdict.status == UNCHANGED


def test_a_score_edited_with_a_stamp_to_match_is_still_a_hand_edit(filled, tmp_path):
    # The stamp is a checksum, not a signature: someone may rewrite it too. A score differing from the
    # recomputation is a hand edit however the stamp reads, even with a sheet renamed beside it.
    book = ZipBook.open(filled)
    at = book.defined_names()[f"xo_item_{_first_item()}"]
    cells = {}
    for sheet in ("计算指标", "评分表", "校验结果"):
        cells[sheet] = _cells_of(book, sheet)
    cells[at.sheet][at.first] = Decimal("0")
    forged = outputs_hash(cells)
    pkg = Pkg(filled)
    rename_sheet(pkg, "预算执行", "预算执行表")
    set_cells(pkg, at.sheet, {at.a1(): 0})
    stamp_at = book.defined_names()["xo_stamp"]
    from xlperf.book.layout import STAMP_KEYS
    from xlperf.book.a1 import to_a1

    set_cells(pkg, stamp_at.sheet, {to_a1(stamp_at.top + STAMP_KEYS.index("outputs_sha256"), stamp_at.left): forged})
    verdict = verify(pkg.save(tmp_path / "forged.xlsx"))
    assert verdict.status == OUTPUTS_EDITED and verdict.exit_code == 4
    assert any(c.startswith(f"{at.sheet}!{at.a1()}:") for c in verdict.cells)


def _first_item() -> str:
    from xlperf.engine.registry import Registry

    return Registry().by_id("shenzhen-2024").items[0].id


def _cells_of(book: ZipBook, sheet: str) -> dict:
    """The output cells xlperf writes on a sheet, as the workbook holds them (for forging the hash)."""
    from xlperf.book.fill import compute

    scored = compute(book)
    return dict(scored.cells[sheet])


# --- the same in LibreOffice, as a unit and an auditor would do it -----------------------------------


@pytest.mark.libreoffice
@pytest.mark.skipif(not uno_available(), reason="needs soffice and python3-uno (.ci/run installs them)")
def test_renamed_and_restructured_in_libreoffice(filled, tmp_path):
    # A unit renames 基本信息 in LibreOffice and saves: its names follow, and the scores are the example's.
    unit = edited_in_libreoffice(EXAMPLE, tmp_path / "unit.xlsx", "rename:基本信息=基本信息（甲单位）")
    assert fill(unit, tmp_path / "unit-out.xlsx").result.total == TOTAL
    # An auditor's copy gets a row inserted above the budget table after the fill: the outputs are as
    # written, the cells they cite moved down a row. A fill again puts them right.
    moved = edited_in_libreoffice(filled, tmp_path / "moved.xlsx", "insert-row:预算执行=1")
    verdict = verify(moved)
    assert verdict.status == INPUTS_EDITED and "结构被修改" in verdict.message
    assert any("预算执行!D4" in c for c in verdict.cells)  # 调整后预算合计, at D3 before the row
    refilled = fill(moved, tmp_path / "refilled.xlsx")
    assert refilled.read.cell_of("budget.adjusted.total") == ("预算执行", "D4")
    assert verify(refilled.out_path).status == UNCHANGED
