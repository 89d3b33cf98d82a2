"""An input list whose Excel table is gone: Excel's 表设计 → 转换为区域 keeps every cell and drops the table.

It is one click on the ribbon, and people use it to be rid of a table's banding or filter buttons. The list
was then refused as 缺少表格 xp_key_tasks, a name the unit never saw. A list that ends its sheet is now found
by its header row (the first of the sheet's top rows holding every required column label), and its rows are
those that follow up to the first blank row, as for the rows typed below a table.

Hand derivation: the reference unit (96.88) has five finished key tasks; one more, unfinished, costs 4 of
重点工作完成情况's 8 points, so the total is 92.88 (as in test_rows_below_table).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from xlperf.errors import WorkbookError
from xlperf.workbook.fill import fill, verify
from xlperf.workbook.zipbook import ZipBook

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
# The example's key-task table is 重点工作!A2:C7 (the header, then five tasks).


def converted(tmp_path: Path, edit=None, sheet: str = "重点工作", table: str = "xp_key_tasks") -> Path:
    """The example with a list's table removed as 转换为区域 does (openpyxl drops the table part on save)."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb[sheet]
    del ws.tables[table]
    if edit:
        edit(ws)
    path = tmp_path / "converted.xlsx"
    wb.save(path)
    assert table not in ZipBook.open(path).tables()
    return path


def test_the_list_is_read_by_its_header(tmp_path):
    filled = fill(converted(tmp_path), tmp_path / "out.xlsx")
    assert str(filled.result.total) == "96.88"
    assert len(filled.result.inputs.key_tasks) == 5
    assert verify(tmp_path / "out.xlsx").status == "unchanged"


def test_a_task_added_after_the_conversion_counts_and_is_cited(tmp_path):
    def add(ws):
        ws["A8"], ws["B8"], ws["C8"] = "新增重点工作", "市科协", "否"
    filled = fill(converted(tmp_path, add), tmp_path / "out.xlsx")
    assert str(filled.result.total) == "92.88"
    assert filled.read.find("key_tasks[5].finished") == ("重点工作", "C8")


def test_a_header_moved_down_is_found(tmp_path):
    """Two rows inserted above the list (a longer title): its header is on row 4, its first task on row 5."""
    def move(ws):
        ws.move_range("A1:C7", rows=2)
        ws["C9"] = "否"  # the last of the five tasks, now on row 9, unfinished
    filled = fill(converted(tmp_path, move), tmp_path / "out.xlsx")
    assert str(filled.result.total) == "92.88"
    assert filled.read.find("key_tasks[4].finished") == ("重点工作", "C9")


def test_a_note_after_a_blank_row_is_not_a_task(tmp_path):
    def note(ws):
        ws["A9"] = "注：以上任务均由市科协交办"
    assert str(fill(converted(tmp_path, note), tmp_path / "out.xlsx").result.total) == "96.88"


def test_a_list_whose_header_is_gone_too_is_reported(tmp_path):
    def rename(ws):
        ws["A2"] = "事项"  # the required 重点工作 label no longer heads a column
    with pytest.raises(WorkbookError) as caught:
        fill(converted(tmp_path, rename), tmp_path / "out.xlsx")
    [problem] = caught.value.problems
    assert problem.code == "MISSING_TABLE"
    assert "“重点工作”" in problem.message and "转换为区域" in problem.message


def test_every_list_that_ends_its_sheet(tmp_path):
    """The same for each such list: the example's figures come back whole, so the total is unchanged."""
    wb = openpyxl.load_workbook(EXAMPLE)
    from xlperf.book.layout import load_layout

    growing = load_layout().growing_tables()
    for ws in wb.worksheets:
        for name in [n for n in ws.tables if n in growing]:
            del ws.tables[name]
    wb.save(tmp_path / "all.xlsx")
    assert not growing & set(ZipBook.open(tmp_path / "all.xlsx").tables())
    assert str(fill(tmp_path / "all.xlsx", tmp_path / "out.xlsx").result.total) == "96.88"
