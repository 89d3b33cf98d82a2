"""Numbers in a date cell that are no date serial a person meant.

- 20241231, typed in a date cell (or pasted past its validation), is the number 20,241,231: far beyond the
  last serial (9999-12-31 is 2,958,465), so it was refused as out of range although the same digits typed
  as text read as 2024-12-31. An 8-digit whole number is now read as those digits.
- 2024.6, typed for June 2024, is the number 2024.6: the serial of 1905-07-16, which was accepted and
  judged (a project planned for 1905 and finished in 2024 is late). A date outside the template's window
  (2000-01-01 … 2099-12-31, what its date cells validate) is now DATE_RANGE at its cell.

Hand derivation: serial 2024 is 1899-12-30 + 2024 days = 1905-07-16 (2024.6: the fraction is a time of day).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from xlperf.errors import InputError
from xlperf.workbook.fill import fill

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"
# The example's one project: 项目!A3:F3, 计划完成日期 in E3, 实际完成日期 in F3.


def with_dates(tmp_path: Path, planned: object, actual: object = None) -> Path:
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["项目"]["E3"], wb["项目"]["F3"] = planned, actual
    path = tmp_path / "dates.xlsx"
    wb.save(path)
    return path


def problems(path: Path, tmp_path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(InputError) as caught:
        fill(path, tmp_path / "refused.xlsx")
    assert not (tmp_path / "refused.xlsx").exists()
    return [(p.code, p.sheet, p.cell) for p in caught.value.problems]


def test_the_digits_of_a_date_as_a_number(tmp_path):
    filled = fill(with_dates(tmp_path, 20241231, 20241130), tmp_path / "out.xlsx")
    project = filled.result.inputs.projects[0]
    assert (project.planned_finish, project.actual_finish) == (dt.date(2024, 12, 31), dt.date(2024, 11, 30))


def test_digits_of_no_such_day_are_not_a_date(tmp_path):
    assert problems(with_dates(tmp_path, 20240230), tmp_path) == [("NOT_DATE", "项目", "E3")]


def test_a_year_and_month_typed_as_a_number(tmp_path):
    with pytest.raises(InputError) as caught:
        fill(with_dates(tmp_path, 2024.6, dt.date(2024, 9, 30)), tmp_path / "out.xlsx")
    [problem] = caught.value.problems
    assert (problem.code, problem.sheet, problem.cell) == ("DATE_RANGE", "项目", "E3")
    assert "1905-07-16" in problem.message and "2024-06-30" in problem.message


def test_the_window_is_the_templates(tmp_path):
    """2000-01-01 and 2099-12-31 are accepted, the days beyond them are not (the template's validation)."""
    filled = fill(with_dates(tmp_path, dt.date(2000, 1, 1), dt.date(2099, 12, 31)), tmp_path / "out.xlsx")
    assert filled.result.inputs.projects[0].actual_finish == dt.date(2099, 12, 31)
    assert problems(with_dates(tmp_path, dt.date(1999, 12, 31), dt.date(2100, 1, 1)), tmp_path) == [
        ("DATE_RANGE", "项目", "E3"), ("DATE_RANGE", "项目", "F3")]
