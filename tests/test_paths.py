"""Field paths: the one walker for plain data and typed inputs."""

from decimal import Decimal

import pytest

from xlperf.engine import paths
from xlperf.examples import reference_inputs


def test_put_builds_dicts_and_lists_and_get_reads_them_back():
    data: dict = {}
    paths.put(data, "quarterly.cumulative[2]", "5")
    paths.put(data, "budget.adjusted.total", "1912.37")
    assert data == {"quarterly": {"cumulative": [None, None, "5"]}, "budget": {"adjusted": {"total": "1912.37"}}}
    assert paths.get(data, "quarterly.cumulative[2]") == "5"
    assert paths.get(data, "quarterly.cumulative[7]") is None and paths.get(data, "nope.x") is None


def test_get_walks_typed_inputs_too():
    inputs = reference_inputs()
    assert paths.get(inputs, "budget.adjusted.total") == Decimal("1912.37")  # reference-case-2024.md
    assert paths.get(inputs, "staff.authorized") == 25


@pytest.mark.parametrize("path, up", [
    ("projects[2].name", "projects[2]"), ("projects[2]", "projects"), ("a.b", "a"), ("a", ""),
    ("quarterly.cumulative[0]", "quarterly.cumulative"),
])
def test_parent(path, up):
    assert paths.parent(path) == up
