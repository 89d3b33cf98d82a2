"""A 合计 row under a list is the sum of its rows, not one more row.

Finance staff add a total under every list they keep. Under 预算调整 (which has no column a total row
leaves blank) it was read as one more adjustment, doubling the adjustments silently; under 项目 or
固定资产 it was refused for its blank 状态. A row whose name cell reads 合计 (小计, 总计, 共计, with any
spaces or a colon) is now passed over.

Hand derivation (evaluation-rules.md, 财务规范性 (2)): the example has one adjustment, −23.75, against an
initial budget of 1,936.12. One more of +200 makes |−23.75| + 200 = 223.75, a ratio of 11.5566 %, 1.5566
points over 10 %, so 0.1 × 1.5566 = 0.16 off: 财务规范性 2.84, the total 96.88 − 0.16 = 96.72. Counted
again as a row of 176.25, the 合计 would make 400.00 (20.66 %): 1.07 off, floored at 0, total 95.88.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fixtures import Pkg, set_cells
from xlperf.book.reader import is_total_label
from xlperf.workbook.fill import fill

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
# The example's lists: 预算调整!A3:C4 (one adjustment), 项目!A2:F3 (one row), 固定资产!A3:D5 (two groups).


def edited(tmp_path: Path, sheet: str, cells: dict) -> Path:
    pkg = Pkg(EXAMPLE)
    set_cells(pkg, sheet, cells)
    return pkg.save(tmp_path / "in.xlsx")


@pytest.mark.parametrize("label", ["合计", "合　计", " 合 计：", "小计", "总计:"])
def test_a_total_row_under_the_adjustments_is_not_an_adjustment(tmp_path, label):
    path = edited(tmp_path, "预算调整", {"A5": "年中追加专项", "B5": 200, "A6": label, "B6": Decimal("176.25")})
    filled = fill(path, tmp_path / "out.xlsx")
    assert [a["amount"] for a in filled.read.data["adjustments"]] == ["-23.75", "200"]
    assert filled.result.total == Decimal("96.72")
    assert filled.result.indicators["adjustments_total"].value == Decimal("223.75")


def test_a_total_row_under_the_projects_is_neither_a_project_nor_a_problem(tmp_path):
    # Before: 必填项“项目清单第 2 行‘完成状态’”未填写, for a row that only sums the one above.
    path = edited(tmp_path, "项目", {"A4": "合计", "B4": Decimal("533.46"), "C4": Decimal("518.56")})
    filled = fill(path, tmp_path / "out.xlsx")
    assert len(filled.read.data["projects"]) == 1
    assert filled.result.total == Decimal("96.88")


def test_a_total_row_under_the_assets(tmp_path):
    path = edited(tmp_path, "固定资产", {"A6": "合 计", "C6": 203, "D6": Decimal("64.37")})
    filled = fill(path, tmp_path / "out.xlsx")
    assert len(filled.read.data["assets"]["groups"]) == 2
    assert filled.result.total == Decimal("96.88")


def test_only_the_word_itself_marks_a_total():
    # A project about totals, or a name that merely contains 合计, is a row like any other.
    assert not is_total_label("合计支出调整")
    assert not is_total_label("2024 年度预算项目（8 项合计）")  # the example's own project row
    assert not is_total_label(None) and not is_total_label(Decimal("0"))
    assert is_total_label("总合计") and is_total_label("共计：")

