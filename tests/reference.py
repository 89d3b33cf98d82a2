"""Scoring the reference unit with edits: the starting point of the table-driven engine tests."""

from __future__ import annotations

from collections.abc import Callable

from xlperf.engine.evaluate import Result, evaluate
from xlperf.examples import reference_data
from xlperf.engine.fields import inputs_from_dict
from xlperf.engine.system import load

SYSTEM = load("shenzhen-2024")
Edit = Callable[[dict], None]


def scored(*edits: Edit) -> Result:
    """The reference unit's plain data, each edit applied in turn, scored under the Shenzhen system."""
    data = reference_data()
    for edit in edits:
        edit(data)
    return evaluate(inputs_from_dict(data), SYSTEM)


def found(result: Result) -> set[tuple[str, str]]:
    """(code, field) of every finding."""
    return {(f.code, f.field) for f in result.findings}


# Every item of the reference unit as published (shared/spec/reference-case-2024.md), typed from the spec.
PUBLISHED_ITEMS = {
    "budget_reasonableness": "5", "budget_compliance": "5", "target_completeness": "3", "indicator_clarity": "7",
    "procurement": "1.89", "financial_compliance": "3", "disclosure": "3", "project_procedure": "2",
    "project_supervision": "2", "asset_safety": "2", "asset_utilization": "1", "staff_control": "1",
    "outside_staff_control": "0", "rules_soundness": "3", "public_expense_control": "5", "budget_execution": "5.99",
    "key_tasks": "8", "project_timeliness": "6", "effects": "24", "petitions": "3", "satisfaction": "6",
}
