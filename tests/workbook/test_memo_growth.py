"""Filling unit after unit holds none of a unit's own parts: a worker's memos stay the size the first
files made them. Each unit here differs from the others in its hidden _xlperf sheet, as units saved
again by a spreadsheet program differ in every sheet (their own shared-string numbers): that sheet is
read for the template marks and patched with the audit stamp, so a fill inflates it twice and splits
it for the byte patch."""

from pathlib import Path

import pytest

from fixtures import Pkg, set_cells
from xlperf import sightings
from xlperf.workbook import inflatememo, partmemo, stringscan
from xlperf.workbook.fill import fill

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-2024.xlsx"


@pytest.fixture
def fresh_process():
    inflatememo.clear()
    partmemo.clear()
    sightings.reset()
    yield
    inflatememo.clear()
    partmemo.clear()
    sightings.reset()


def sizes() -> tuple[int, int, int]:
    return len(inflatememo._held), len(partmemo._memo), len(stringscan._PIECES)


def test_distinct_units_leave_the_memos_as_the_first_files_made_them(tmp_path, fresh_process):
    units = []
    for k in range(5):
        pkg = Pkg(EXAMPLE)
        set_cells(pkg, "_xlperf", {"H40": f"第 {k} 个单位"})
        units.append(pkg.save(tmp_path / f"unit-{k}.xlsx"))
    after = []
    for k, unit in enumerate(units):
        assert fill(unit, tmp_path / f"out-{k}.xlsx").result.total > 0
        after.append(sizes())
    assert after[1] == after[2] == after[3] == after[4]  # nothing of units 2 to 5 is held
    assert after[0][0] > 0 and after[0][1] > 0  # the first file's parts are (the template's come with it)
