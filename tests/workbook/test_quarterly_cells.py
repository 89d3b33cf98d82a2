"""The quarters' spending: cumulative amounts or 支出进度, either series in full.

Progress typed as 26.24 for 26.24 % (LibreOffice stores the number, where Excel's percent entry would
store 0.2624) is refused at each cell, and that was followed by 必填项“第1季度末累计支出”未填写 at B11:
the amounts are only the other way to fill the quarters, so the extra line sent the unit to the wrong
column.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fixtures import Pkg, set_cells
from xlperf.errors import InputError
from xlperf.workbook.fill import fill

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
# The example's quarters: 预算执行!B11:B14 the cumulative amounts, C11:C14 the progress (left blank).


def test_progress_refused_is_not_also_missing_amounts(tmp_path):
    progress = {"B11": None, "B12": None, "B13": None, "B14": None,
                "C11": Decimal("26.24"), "C12": Decimal("51.31"), "C13": Decimal("76.51"), "C14": Decimal("98.69")}
    with pytest.raises(InputError) as caught:
        fill(_edited(tmp_path, progress), tmp_path / "out.xlsx")
    assert [(p.sheet, p.cell) for p in caught.value.problems] == [("预算执行", f"C{r}") for r in range(11, 15)]


def _edited(tmp_path: Path, cells: dict) -> Path:
    pkg = Pkg(EXAMPLE)
    set_cells(pkg, "预算执行", cells)
    return pkg.save(tmp_path / "in.xlsx")
