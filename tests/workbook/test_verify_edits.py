"""verify on filled workbooks edited the ways an auditor meets them.

- Both an input and an output edited: verify said only 输入数据被修改过 (exit 3) and advised a re-fill, which
  would wipe the evidence of the hand edit. The stored outputs no longer hash to the stamp: exit 4.
- A row of 评分表 deleted (its defined name goes with it) or the whole sheet: verify said 模板缺少输出位置 …
  请用 xlperf template 重新生成模板 (exit 1), a fill's advice about a template. The outputs were there at
  the fill: exit 4, naming what is gone.
- The hidden _xlperf sheet deleted: 尚未由 xlperf 填写, as for a blank template, though 评分表 shows a total.
- A number format changed on an output: "0" on 部门管理's 18.89 shows and prints 19, "0%" on the budget
  execution rate 98.70 % shows 99 %, and verify said 未被修改. The values are intact; what the sheet shows
  is not: exit 4, the cell and what it shows named.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import Pkg, remove_defined_name, remove_sheet_entry, set_cells, set_number_format
from lo import edited_in_libreoffice, uno_available
from xlperf.book.fill import INPUTS_EDITED, NOT_FILLED, OUTPUTS_EDITED
from xlperf.cli import main
from xlperf.errors import WorkbookError
from xlperf.workbook.fill import fill, verify

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
# In the filled example: 预算执行!E7 is 项目支出 全年支出 (518.56); 评分表!I7 the second item's points (5).


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("filled") / "out.xlsx"
    fill(EXAMPLE, out)
    return out


def edited(filled: Path, tmp_path: Path, edit) -> Path:
    pkg = Pkg(filled)
    edit(pkg)
    return pkg.save(tmp_path / "edited.xlsx")


def test_an_input_and_an_output_both_edited_is_a_hand_edit(filled, tmp_path, capsys):
    path = edited(filled, tmp_path, lambda p: (set_cells(p, "预算执行", {"E7": 520}), set_cells(p, "评分表", {"I7": 0})))
    verdict = verify(path)
    assert (verdict.status, verdict.exit_code) == (OUTPUTS_EDITED, 4)
    assert "输入数据也在填写后被修改过" in verdict.message
    assert main(["verify", str(path)]) == 4
    assert "手工修改" in capsys.readouterr().out


def test_an_input_edited_alone_is_still_an_input_edit(filled, tmp_path):
    verdict = verify(edited(filled, tmp_path, lambda p: set_cells(p, "预算执行", {"E7": 520})))
    assert (verdict.status, verdict.exit_code) == (INPUTS_EDITED, 3)


def test_a_findings_list_past_the_prepared_rows_is_no_evidence_of_a_hand_edit(filled, tmp_path):
    # Text below the 60 prepared rows of 校验结果 means the set of output cells may have differed at the
    # fill: the stored outputs cannot be compared with the stamp, so no hand edit is claimed.
    from xlperf.book.layout import FINDINGS_NAME, load_layout
    from xlperf.book.a1 import to_a1
    from xlperf.workbook.zipbook import ZipBook

    at = ZipBook.open(filled).defined_names()[FINDINGS_NAME]
    below = to_a1(at.top + load_layout().by_role("findings").rows, at.left)
    path = edited(filled, tmp_path, lambda p: (set_cells(p, "预算执行", {"E7": 520}), set_cells(p, at.sheet, {below: "提示"})))
    assert verify(path).status == INPUTS_EDITED


def test_a_deleted_score_row_is_an_output_edit(filled, tmp_path):
    verdict = verify(edited(filled, tmp_path, lambda p: remove_defined_name(p, "xo_item_budget_reasonableness")))
    assert (verdict.status, verdict.exit_code) == (OUTPUTS_EDITED, 4)
    assert "xo_item_budget_reasonableness" in verdict.message and "删除" in verdict.message
    assert "xlperf template" not in verdict.message


def test_a_deleted_score_sheet_is_an_output_edit(filled, tmp_path):
    verdict = verify(edited(filled, tmp_path, lambda p: remove_sheet_entry(p, "评分表")))
    assert (verdict.status, verdict.exit_code) == (OUTPUTS_EDITED, 4)
    assert "工作表“评分表”" in verdict.message


def test_a_deleted_input_sheet_is_still_a_workbook_problem(filled, tmp_path):
    with pytest.raises(WorkbookError) as caught:
        verify(edited(filled, tmp_path, lambda p: remove_sheet_entry(p, "基本信息")))
    assert [p.code for p in caught.value.problems] == ["MISSING_SHEET"]


def test_a_deleted_stamp_with_scores_on_the_sheet_is_said_so(filled, tmp_path):
    verdict = verify(edited(filled, tmp_path, lambda p: remove_sheet_entry(p, "_xlperf")))
    assert verdict.status == NOT_FILLED and "审计标记被删除" in verdict.message
    blank = verify(Path(__file__).parents[2] / "workbooks" / "template.xlsx")
    assert blank.status == NOT_FILLED and "尚未由 xlperf 填写" in blank.message


def _at(filled: Path, name: str):
    from xlperf.workbook.zipbook import ZipBook

    at = ZipBook.open(filled).defined_names()[name]
    return at.sheet, at.a1().split(":")[0]


@pytest.mark.parametrize("name, code, shows", [
    ("xo_l1_management", "0", "显示为 19"),  # 18.89
    ("xo_ind_budget_execution_rate", "0%", "显示为 99%"),  # 98.70 %
    ("xo_total", '"100"', "格式"),  # a literal in place of the number
    ("xo_l1_management", "0.00%", "格式"),  # points as a percent
])
def test_an_output_shown_otherwise_by_its_number_format_is_an_output_edit(filled, tmp_path, name, code, shows):
    sheet, ref = _at(filled, name)
    verdict = verify(edited(filled, tmp_path, lambda p: set_number_format(p, sheet, ref, code)))
    assert (verdict.status, verdict.exit_code) == (OUTPUTS_EDITED, 4)
    [cell] = verdict.cells
    assert cell.startswith(f"{sheet}!{ref}:") and shows in cell and "未变" in cell


@pytest.mark.parametrize("code", ["0.000", "General", '0.00"分"', "[Red]0.00;-0.00"])
def test_a_format_that_still_shows_the_value_is_no_edit(filled, tmp_path, code):
    sheet, ref = _at(filled, "xo_l1_management")
    assert verify(edited(filled, tmp_path, lambda p: set_number_format(p, sheet, ref, code))).status == "unchanged"


@pytest.mark.libreoffice
@pytest.mark.skipif(not uno_available(), reason="needs soffice and python3-uno (.ci/run installs them)")
def test_a_number_format_changed_in_libreoffice(filled, tmp_path):
    sheet, ref = _at(filled, "xo_l1_management")
    verdict = verify(edited_in_libreoffice(filled, tmp_path / "lo.xlsx", f"format:{sheet}!{ref}=0"))
    assert verdict.status == OUTPUTS_EDITED and "显示为 19" in verdict.cells[0]
    # The same file saved again by LibreOffice without the change verifies as unchanged.
    assert verify(edited_in_libreoffice(filled, tmp_path / "again.xlsx")).status == "unchanged"
