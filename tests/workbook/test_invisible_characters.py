"""Characters that show as nothing, pasted in with a figure or a choice.

A figure copied from a web page or out of a Windows program can carry a zero-width space (U+200B), a BOM
(U+FEFF) or the direction marks U+202D … U+202C around it. The cell shows 1912.37, and the message said
“调整后预算合计”应为数字，实际为“1912.37” — the same text back, nothing to fix that anyone could see.
Such format characters (Unicode category Cf) are now dropped from every input text; a newline stays.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from xlperf.workbook.fill import fill, verify

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"


def test_a_figure_and_a_choice_with_invisible_characters(tmp_path):
    wb = openpyxl.load_workbook(EXAMPLE)
    name = wb.defined_names["xp_budget_adjusted_total"]
    [(sheet, ref)] = list(name.destinations)
    cell = wb[sheet][ref.replace("$", "")]
    cell.value = f"\u202d{cell.value}\u202c"  # as copied from a Windows dialog: 1912.37 between direction marks
    wb["项目"]["D3"] = "按期完成\u200b"  # the project's 完成状态, pasted from a web page
    wb["重点工作"]["C3"] = "\ufeff是"
    wb.save(tmp_path / "pasted.xlsx")
    filled = fill(tmp_path / "pasted.xlsx", tmp_path / "out.xlsx")
    assert str(filled.result.total) == "96.88"
    assert filled.result.inputs.projects[0].status == "按期完成"
    assert verify(tmp_path / "out.xlsx").status == "unchanged"


def test_a_newline_in_a_text_stays(tmp_path):
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["项目"]["A3"] = "2024 年度预算项目\n（8 项合计）"
    wb.save(tmp_path / "lines.xlsx")
    filled = fill(tmp_path / "lines.xlsx", tmp_path / "out.xlsx")
    assert filled.result.inputs.projects[0].name == "2024 年度预算项目\n（8 项合计）"
