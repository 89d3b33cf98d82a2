"""Each figure on 计算指标 cites exactly the inputs it used (issue 6, point 5)."""

from __future__ import annotations

import pytest

from xlperf.examples import reference_inputs
from xlperf.engine.indicators import compute

# The reference unit: assets group 0 is 在用 (169 件, 58.53), group 1 待处置 (34 件, 5.84); quarters are
# cumulative amounts divided by the adjusted budget.
SOURCES = {
    "asset_utilization_rate": ["assets.groups[0].value", "assets.total_value"],
    "assets_in_use_count": ["assets.groups[0].count"],
    "assets_in_use_value": ["assets.groups[0].value"],
    "assets_pending_count": ["assets.groups[1].count"],
    "assets_pending_value": ["assets.groups[1].value"],
    "quarter_progress_2": ["quarterly.cumulative[1]", "budget.adjusted.total"],
    "quarter_rate_4": ["quarterly.cumulative[3]", "budget.adjusted.total"],
    "quarter_rate_mean": [*(f"quarterly.cumulative[{k}]" for k in range(4)), "budget.adjusted.total"],
}


@pytest.mark.parametrize("indicator, paths", SOURCES.items())
def test_each_figure_cites_the_cells_it_used(indicator, paths):
    assert [u.path for u in compute(reference_inputs())[indicator].used] == paths


def test_cited_values_are_the_values_used():
    ind = compute(reference_inputs())["assets_pending_count"]
    assert [u.value for u in ind.used] == [34] and ind.value == 34
