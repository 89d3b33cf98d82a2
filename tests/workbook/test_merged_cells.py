"""Merged cells in a list are read as they show.

合并单元格 is everywhere in Chinese forms: 是否完成 = 是 merged down five tasks, a long task name merged
across two columns. Excel keeps the value in the first cell only, so the four tasks below were each
refused as 必填项“是否完成”未填写, while the sheet showed 是 beside them. LibreOffice keeps the covered
cells' old contents, hidden, so a group shown as 在用 was scored by the 待处置 hidden under it.

A value merged down a column is now each row's value; the rest of a merged range is empty.

Hand derivations (the reference unit, 96.88, has five finished key tasks; 重点工作完成情况 is 8 − 4 per
unfinished task, floored at 0): 否 merged over the last two tasks is two unfinished, 8 − 8 = 0, total
96.88 − 8 = 88.88. 固定资产利用率 is in-use original value ÷ all: 58.53 ÷ 64.37 = 90.93 % with the 待处置
group, 100 % with both groups in use (≥ 90 % either way: 1 point, the total stays 96.88).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fixtures import Pkg, merge_cells, set_cells
from lo import edited_in_libreoffice, uno_available
from xlperf.book.memory import MemoryBook
from xlperf.book.protocol import Area
from xlperf.book.reader import read_inputs
from xlperf.errors import InputError
from xlperf.workbook.fill import fill
from xlperf.workbook.zipbook import ZipBook

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
# The example's key tasks: 重点工作!A2:C7 (header, then five tasks, each 是); its assets 固定资产!A3:D5
# (header; 在用 169 件 58.53; 待处置 34 件 5.84).


def merged(tmp_path: Path, sheet: str, emptied: dict, *refs: str) -> Path:
    pkg = Pkg(EXAMPLE)
    if emptied:
        set_cells(pkg, sheet, emptied)
    merge_cells(pkg, sheet, *refs)
    return pkg.save(tmp_path / "merged.xlsx")


def test_a_value_merged_down_a_column_is_each_rows_value(tmp_path):
    # As Excel saves it: the covered cells empty.
    path = merged(tmp_path, "重点工作", {f"C{r}": None for r in range(4, 8)}, "C3:C7")
    filled = fill(path, tmp_path / "out.xlsx")
    assert [t.finished for t in filled.result.inputs.key_tasks] == [True] * 5
    assert filled.result.total == Decimal("96.88")


def test_a_no_merged_over_two_tasks_is_two_unfinished_tasks(tmp_path):
    path = merged(tmp_path, "重点工作", {"C6": "否", "C7": None}, "C6:C7")
    filled = fill(path, tmp_path / "out.xlsx")
    assert [t.finished for t in filled.result.inputs.key_tasks] == [True, True, True, False, False]
    assert filled.result.total == Decimal("88.88")


def test_what_a_merge_hides_is_not_read(tmp_path):
    # As LibreOffice saves it: B5 still holds 待处置 under the merged 在用.
    path = merged(tmp_path, "固定资产", {}, "B4:B5")
    filled = fill(path, tmp_path / "out.xlsx")
    assert [g["status"] for g in filled.read.data["assets"]["groups"]] == ["在用", "在用"]
    assert filled.result.indicators["asset_utilization_rate"].value == Decimal("1")


def test_a_name_merged_across_columns_is_the_name_only(tmp_path):
    # A long task name over 工作任务 and 交办来源: the source is not the name a second time.
    path = merged(tmp_path, "重点工作", {}, "A3:B3")
    filled = fill(path, tmp_path / "out.xlsx")
    first = filled.read.data["key_tasks"][0]
    assert first["name"] == "持续推进“科创中国”大湾区联合体建设" and "source" not in first
    assert filled.result.total == Decimal("96.88")


def test_a_merge_in_the_header_row_or_outside_the_list_changes_nothing(tmp_path):
    path = merged(tmp_path, "重点工作", {}, "A1:C1", "E3:F7")
    assert fill(path, tmp_path / "out.xlsx").result.total == Decimal("96.88")


def test_a_blank_merged_cell_is_still_reported_at_its_first_cell(tmp_path):
    path = merged(tmp_path, "重点工作", {"C6": None, "C7": None}, "C6:C7")
    with pytest.raises(InputError) as caught:
        fill(path, tmp_path / "out.xlsx")
    assert [(p.sheet, p.cell) for p in caught.value.problems] == [("重点工作", "C6"), ("重点工作", "C7")]


def test_the_zip_book_reports_merges_and_a_book_without_them_reads_as_before(tmp_path):
    path = merged(tmp_path, "重点工作", {}, "C3:C7", "$A$3:$B$3")
    book = ZipBook.open(path)
    assert book.merged_cells("重点工作") == [Area("重点工作", 3, 3, 7, 3), Area("重点工作", 3, 1, 3, 2)]
    assert book.merged_cells("项目") == []
    memory = book.to_memory()
    assert memory.merged_cells("重点工作") == book.merged_cells("重点工作")

    class NoMerges(MemoryBook):  # an adapter written before merged_cells existed
        merged_cells = None

    bare = NoMerges(memory.sheets, memory.names, memory.table_map)
    from xlperf.engine.registry import Registry

    system = Registry().by_id("shenzhen-2024")
    assert read_inputs(bare, system).data["key_tasks"][0]["source"] == "市科协"
    assert "source" not in read_inputs(memory, system).data["key_tasks"][0]


@pytest.mark.libreoffice
@pytest.mark.skipif(not uno_available(), reason="needs soffice and python3-uno (.ci/run installs them)")
def test_merged_in_libreoffice(tmp_path):
    path = edited_in_libreoffice(EXAMPLE, tmp_path / "lo.xlsx", "merge:固定资产=B4:B5")
    assert ZipBook.open(path).read(Area("固定资产", 5, 2, 5, 2)) == [["待处置"]]  # still there, hidden
    filled = fill(path, tmp_path / "out.xlsx")
    assert [g["status"] for g in filled.read.data["assets"]["groups"]] == ["在用", "在用"]
