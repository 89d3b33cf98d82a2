"""Every number a person reads is in plain notation with the precision it was given (50, never 5E+1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fixtures import Pkg, build_example, set_cells, table_cell
from xlperf.errors import ProblemsError
from xlperf.engine.messages import message
from xlperf.workbook.fill import fill


@pytest.mark.parametrize("stored, shown, fraction", [
    ("50", "50", "0.5"),          # the codec reads <v>50</v>; Decimal('50').normalize() printed 5E+1
    ("5E+1", "50", "0.5"),        # a writer's exponent notation
    ("98.70", "98.7", "0.987"),   # the double at 15 digits: trailing zeros of the text are not data
])
def test_percent_typed_as_number_is_plain(tmp_path, stored, shown, fraction):
    base = build_example(tmp_path / "base.xlsx")
    pkg = Pkg(base)
    ref = table_cell(pkg, "满意度调查", "xp_surveys", "满意率")
    set_cells(pkg, "满意度调查", {ref: Decimal(stored)})
    src = pkg.save(tmp_path / "in.xlsx")
    with pytest.raises(ProblemsError) as info:
        fill(src, tmp_path / "out.xlsx")
    [problem] = info.value.problems
    assert (problem.code, problem.sheet, problem.cell, problem.value) == (
        "PERCENT_TYPED_AS_NUMBER", "满意度调查", ref, shown)
    assert f"填了 {shown}，" in problem.message and f"请填 {shown}% 或 {fraction}" in problem.message
    assert "E+" not in problem.message


def test_messages_print_decimals_plainly():
    assert message("NEGATIVE", field="sangong.budget", value=Decimal("-1E+3")).endswith("实际为 -1000")
    # The precision given is kept: 50.50 stays 50.50.
    assert "填了 50.50，" in message("PERCENT_TYPED_AS_NUMBER", field="surveys[0].rate", value=Decimal("50.50"),
                                  fraction=Decimal("0.5050"))
