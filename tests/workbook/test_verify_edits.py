"""verify on filled workbooks edited the ways an auditor meets them.

- Both an input and an output edited: verify said only 输入数据被修改过 (exit 3) and advised a re-fill, which
  would wipe the evidence of the hand edit. The stored outputs no longer hash to the stamp: exit 4.
- A row of 评分表 deleted (its defined name goes with it) or the whole sheet: verify said 模板缺少输出位置 …
  请用 xlperf template 重新生成模板 (exit 1), a fill's advice about a template. The outputs were there at
  the fill: exit 4, naming what is gone.
- The hidden _xlperf sheet deleted: 尚未由 xlperf 填写, as for a blank template, though 评分表 shows a total.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import Pkg, remove_defined_name, remove_sheet_entry, set_cells
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
