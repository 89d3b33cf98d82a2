"""Scoring the reference unit with edits: the starting point of the table-driven engine tests."""

from __future__ import annotations

from collections.abc import Callable

from xlperf.engine import Result, evaluate
from xlperf.examples import reference_data
from xlperf.fields import inputs_from_dict
from xlperf.system import load

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
