"""The layout's single-value inputs: worked out once per layout, the same answer every time."""

from __future__ import annotations

import dataclasses

from xlperf.book.layout import load_layout, name_for
from xlperf.engine.fields import SCALARS


def test_scalar_fields_are_remembered_without_changing_the_layout():
    layout = load_layout()
    fresh = dataclasses.replace(layout)  # the same fields, nothing remembered yet
    first = fresh.scalar_fields()
    assert fresh.scalar_fields() is first  # remembered
    assert first == layout.scalar_fields()
    # Remembering is not a field: equality and hash are the layout's own.
    assert fresh == layout and hash(fresh) == hash(layout)
    assert "_scalar_fields" not in {f.name for f in dataclasses.fields(fresh)}


def test_every_single_value_input_has_its_defined_name():
    paths = [p for p, _ in load_layout().scalar_fields()]
    assert len(paths) == len(set(paths)) and set(paths) <= set(SCALARS)
    assert name_for("budget.adjusted.total") == "xp_budget_adjusted_total"
    assert name_for("quarterly.cumulative[0]") == "xp_quarterly_cumulative_0"
    assert len({name_for(p) for p in paths}) == len(paths)
