"""Rows typed right below an input list, outside its Excel table.

Excel widens a table when a row is typed under it; LibreOffice does not (seen below: the table's ref stays
A2:C7), and neither does openpyxl. Such rows were ignored without a word: an unfinished key task typed
under the list left 重点工作完成情况 at 8 and the total at 96.88. A list that ends its sheet now takes
the rows that follow it without a blank row, as Excel would have widened the table to them.

Hand derivation: the reference unit (96.88) has five finished key tasks; one more, unfinished, costs 4 of
重点工作完成情况's 8 points (8 − 4 per unfinished task), so the total is 92.88 and 部门绩效 57.99 − 4 = 53.99.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from lo import uno_available
from xlperf.errors import InputError
from xlperf.workbook.fill import fill, verify

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
SYSTEM_PYTHON = "/usr/bin/python3"
# The example's key-task table is A2:C7 (five tasks), its project table A2:F3 (one row).
UNFINISHED_TASK = {"A8": "新增重点工作", "B8": "市科协", "C8": "否"}


def typed(tmp_path: Path, cells: dict[str, dict[str, object]], name: str = "typed.xlsx") -> Path:
    """The example with cells written by openpyxl, which leaves every table's ref as it was."""
    wb = openpyxl.load_workbook(EXAMPLE)
    for sheet, values in cells.items():
        for ref, value in values.items():
            wb[sheet][ref] = value
    assert wb["重点工作"].tables["xp_key_tasks"].ref == "A2:C7"
    wb.save(tmp_path / name)
    return tmp_path / name


def test_a_row_typed_under_the_list_counts(tmp_path):
    book = typed(tmp_path, {"重点工作": UNFINISHED_TASK})
    filled = fill(book, tmp_path / "out.xlsx")
    assert str(filled.result.total) == "92.88"
    assert str(filled.result.level1["performance"]) == "53.99"
    assert filled.read.find("key_tasks[5].finished") == ("重点工作", "C8")  # cited where it was typed
    assert verify(tmp_path / "out.xlsx").status == "unchanged"


def test_a_project_typed_under_its_list_is_a_project(tmp_path):
    book = typed(tmp_path, {"项目": {"A4": "新增项目", "B4": 100, "C4": 50, "D4": "按期完成"}})
    filled = fill(book, tmp_path / "out.xlsx")
    assert filled.result.indicators["projects_planned"].value == 2


def test_text_after_a_blank_row_is_not_part_of_the_list(tmp_path):
    """A note under the list, left a row apart, is not a key task: Excel would not have widened the table to it."""
    book = typed(tmp_path, {"重点工作": {**UNFINISHED_TASK, "A10": "注：以上任务均由市科协交办"}})
    assert str(fill(book, tmp_path / "out.xlsx").result.total) == "92.88"
    note_only = typed(tmp_path, {"重点工作": {"A9": "注：以上任务均由市科协交办"}}, "note.xlsx")
    assert str(fill(note_only, tmp_path / "out2.xlsx").result.total) == "96.88"


def test_a_task_typed_after_a_skipped_row_counts(tmp_path):
    """A row skipped by mistake: the task below it was dropped without a word (92.88 expected, 96.88 given).
    An entry (a required column and more than one cell filled) after up to GAP_ROWS blank rows goes on the list."""
    book = typed(tmp_path, {"重点工作": {"A8": "任务6", "B8": "市科协", "C8": "是", "A10": "任务7", "B10": "市科协", "C10": "否"}})
    filled = fill(book, tmp_path / "out.xlsx")
    assert str(filled.result.total) == "92.88"  # task 7 unfinished: 8 − 4
    assert len(filled.result.inputs.key_tasks) == 7
    assert filled.read.find("key_tasks[6].finished") == ("重点工作", "C10")
    right_after_gaps = typed(tmp_path, {"重点工作": {"A11": "任务6", "C11": "否"}}, "gaps.xlsx")  # rows 8–10 blank
    assert str(fill(right_after_gaps, tmp_path / "out2.xlsx").result.total) == "92.88"


def test_past_the_gap_only_an_entry_continues_the_list(tmp_path):
    from xlperf.book.reader import GAP_ROWS

    # Four blank rows (8–11) are more than a slip: what follows is something else.
    far = typed(tmp_path, {"重点工作": {f"A{8 + GAP_ROWS + 1}": "任务6", f"C{8 + GAP_ROWS + 1}": "否"}}, "far.xlsx")
    assert str(fill(far, tmp_path / "out.xlsx").result.total) == "96.88"
    # A task missing 是否完成 after a blank row is still an entry, and its blank cell is reported.
    partial = typed(tmp_path, {"重点工作": {"A9": "任务6", "B9": "市科协"}}, "partial.xlsx")
    with pytest.raises(InputError) as exc:
        fill(partial, tmp_path / "out2.xlsx")
    assert [(p.sheet, p.cell) for p in exc.value.problems] == [("重点工作", "C9")]
    # What comes after a note is not read, entries included.
    after_note = typed(tmp_path, {"重点工作": {"A9": "注：以下为计划外任务", "A10": "任务6", "B10": "市科协", "C10": "否"}},
                       "after-note.xlsx")
    assert str(fill(after_note, tmp_path / "out3.xlsx").result.total) == "96.88"


def test_a_row_typed_under_the_list_is_checked_like_the_others(tmp_path):
    book = typed(tmp_path, {"重点工作": {"A8": "新增重点工作", "B8": "市科协"}})
    with pytest.raises(InputError) as exc:
        fill(book, tmp_path / "out.xlsx")
    assert [(p.sheet, p.cell) for p in exc.value.problems] == [("重点工作", "C8")]


def test_a_list_pasted_longer_than_the_validated_rows_is_read_whole(tmp_path):
    """250 finished tasks pasted under the five (LibreOffice does not widen the table on a paste either).
    Only the first 200 below the table were read, and the other 50 were dropped without a word."""
    extra = {f"{col}{row}": value for row in range(8, 258) for col, value in (("A", f"任务{row}"), ("B", "市科协"),
                                                                             ("C", "是"))}
    filled = fill(typed(tmp_path, {"重点工作": extra}), tmp_path / "out.xlsx")
    assert len(filled.result.inputs.key_tasks) == 255
    assert filled.read.find("key_tasks[254].finished") == ("重点工作", "C257")
    assert str(filled.result.total) == "96.88"  # all finished: 重点工作完成情况 keeps its 8 points


def test_a_list_with_no_end_is_refused_not_cut(tmp_path):
    """More than MAX_TABLE_ROWS (5,000) rows without a blank one: junk or a paste gone wrong, said so at the list."""
    from xlperf.book.reader import MAX_TABLE_ROWS

    extra = {f"A{row}": f"任务{row}" for row in range(8, 8 + MAX_TABLE_ROWS)}
    with pytest.raises(InputError) as exc:
        fill(typed(tmp_path, {"重点工作": extra}), tmp_path / "out.xlsx")
    [problem] = exc.value.problems
    assert (problem.code, problem.sheet, problem.cell) == ("LIST_TOO_LONG", "重点工作", "A2")
    assert "5000" in problem.message


@pytest.mark.libreoffice
@pytest.mark.skipif(not uno_available(), reason="needs soffice and python3-uno (.ci/run installs them)")
def test_a_row_typed_in_libreoffice(tmp_path):
    """Typed in LibreOffice and saved there: its own XML, and the table as LibreOffice leaves it."""
    out = tmp_path / "typed.xlsx"
    run = subprocess.run([SYSTEM_PYTHON, str(Path(__file__).parents[1] / "excel" / "lo_type.py"), str(EXAMPLE), str(out),
                          str(tmp_path / "profile"), *(f"重点工作!{ref}={v}" for ref, v in UNFINISHED_TASK.items())],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0 and out.is_file(), run.stderr
    assert openpyxl.load_workbook(out)["重点工作"].tables["xp_key_tasks"].ref == "A2:C7"  # not widened
    assert str(fill(out, tmp_path / "out.xlsx").result.total) == "92.88"
