"""The worksheet functions as plain functions (xlwings' decorators are inert off Windows), and their
declarations read back through xlwings' own UDF decorators."""

from __future__ import annotations

import importlib
import io
import re
import sys
import types
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import xwfake  # noqa: E402

from xlperf.excel import udfs  # noqa: E402
from xlperf.excel.catalog import FUNCTIONS  # noqa: E402
from xlperf.workbook.zipbook import ZipBook  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


# --- hand-derived values ------------------------------------------------------------------------------


@pytest.mark.parametrize("num, den, want", [
    (1912.34, 1936.12, 0.9877),  # 0.98771… → 0.9877
    (1, 3, 0.3333),
    (2, 3, 0.6667),
    (1, 8, 0.125),  # 0.125 exactly: nothing to round
    (0.00125, 1, 0.0013),  # half up at the fifth decimal (a float 0.00125 is below it; Excel's 15 digits are not)
])
def test_rate(num, den, want):
    assert udfs.xlperf_rate(num, den) == want


@pytest.mark.parametrize("num, den, words", [
    (1, 0, "分母为 0"), ("很多", 1, "分子应为数字"), (None, 1, "分子应为数字"), (1, True, "分母应为数字"),
])
def test_rate_refuses_with_chinese_text(num, den, words):
    got = udfs.xlperf_rate(num, den)
    assert isinstance(got, str) and got.startswith("错误：") and words in got


@pytest.mark.parametrize("indicator, rate, band, points", [
    ("sangong_control_rate", 0.95, "[90%, 100%]", 2),
    ("sangong_control_rate", 0.8999, "[0%, 90%)", 3),
    ("sangong_control_rate", 0.9, "[90%, 100%]", 2),  # the edge belongs to the upper band
    ("sangong_control_rate", 1.0001, "(100%, ∞)", 0),
    ("staff_control_rate", 1.0, "[0%, 100%]", 1),
])
def test_band_and_points(indicator, rate, band, points):
    assert udfs.xlperf_band(indicator, rate) == band
    assert udfs.xlperf_points(indicator, rate) == points


def test_points_of_a_rate_scored_item():
    # 项目完成及时性: on-time rate × 6 points, capped at 100 %.
    assert udfs.xlperf_points("project_on_time_rate", 0.5) == 3
    assert udfs.xlperf_points("project_on_time_rate", 1.2) == 6
    assert udfs.xlperf_band("project_on_time_rate", 0.5).startswith("错误：")
    assert udfs.xlperf_points("no_such_rate", 0.5).startswith("错误：")


def test_quarterly():
    assert udfs.xlperf_quarterly(0.25, 0.5, 0.75, 1) == 6
    # r1 = 0.2 / 25 % = 0.8; the others 1: 0.8 + 3 = 3.8, mean (0.8 + 3) / 4 = 0.95 × 2 = 1.9 → 5.7
    assert udfs.xlperf_quarterly(0.2, 0.5, 0.75, 1) == 5.7
    assert udfs.xlperf_quarterly(0.2, "x", 0.75, 1).startswith("错误：第2季度")


def test_quarterly_agrees_with_the_engine_on_the_reference_unit():
    from xlperf.engine.evaluate import evaluate
    from xlperf.examples import reference_inputs

    inputs = reference_inputs()
    total = inputs.budget.adjusted.total
    progress = [float(c / total) for c in inputs.quarterly.cumulative]
    want = evaluate(inputs, "shenzhen-2024").item("budget_execution").points
    assert Decimal(str(udfs.xlperf_quarterly(*progress))) == want


def test_item_reads_the_calling_workbook():
    memory = ZipBook.open(ROOT / "workbooks" / "example-2024.xlsx").to_memory()
    world = xwfake.world_from_book(xwfake.spec_from_xlwings(), memory)
    caller = world.book().sheets["说明"].range("D1")
    assert udfs.xlperf_item("procurement", caller=caller) == 1.89
    assert udfs.xlperf_item("nothing", caller=caller).startswith("错误：没有编号")
    assert udfs.xlperf_item("procurement").startswith("错误：")


@pytest.mark.parametrize("fn", FUNCTIONS, ids=[f.name for f in FUNCTIONS])
def test_the_readme_examples_give_what_they_say(fn):
    m = re.fullmatch(r"=(\w+)\((.*)\)", fn.example)
    assert m and m[1] == fn.name.upper()
    args = [a.strip().strip('"') if a.strip().startswith('"') else float(a) for a in m[2].split(",")]
    kwargs = {}
    if fn.name == "xlperf_item":
        memory = ZipBook.open(ROOT / "workbooks" / "example-2024.xlsx").to_memory()
        kwargs["caller"] = xwfake.world_from_book(xwfake.spec_from_xlwings(), memory).book().sheets["说明"].range("D1")
    got = getattr(udfs, fn.name)(*args, **kwargs)
    shown = fn.returns.split("（")[0]
    assert (str(got) if isinstance(got, str) else f"{got:g}") == shown


# --- the declarations, through xlwings' real UDF decorators -------------------------------------------------


@pytest.fixture
def declared(monkeypatch):
    """xlperf.excel.udfs imported with xlwings.udfs' xlfunc/xlarg/xlret (pywin32 stubbed out)."""
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        monkeypatch.setitem(sys.modules, name, mock.MagicMock())
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    import xlwings
    import xlwings.udfs as real

    monkeypatch.setattr(xlwings, "func", real.xlfunc)
    monkeypatch.setattr(xlwings, "arg", real.xlarg)
    monkeypatch.setattr(xlwings, "ret", real.xlret)
    module = importlib.reload(udfs)
    yield module, real
    monkeypatch.undo()
    importlib.reload(udfs)


def test_declarations_read_back(declared):
    module, _ = declared
    for fn in FUNCTIONS:
        info = getattr(module, fn.name).__xlfunc__
        assert info["name"] == fn.name and info["category"] == udfs.CATEGORY
        docs = [a["doc"] for a in info["args"] if a["name"] != "caller"]
        assert all(not d.startswith("Positional argument") for d in docs), fn.name  # every argument explained
    rate = module.xlperf_rate.__xlfunc__
    assert [a["name"] for a in rate["args"]] == ["numerator", "denominator"]
    assert rate["ret"] == {"doc": udfs.xlperf_rate.__doc__, "options": {}}  # Excel's function help
    assert [a["name"] for a in module.xlperf_item.__xlfunc__["args"]] == ["item", "caller"]


def test_vba_wrappers_xlwings_would_import(declared):
    module, real = declared
    out = io.StringIO()
    real.generate_vba_wrapper("xlperf.excel.udfs", module, out, types.SimpleNamespace(Name="模板.xlsm"))
    vba = out.getvalue()
    assert "Function xlperf_rate(numerator, denominator)" in vba
    assert "Function xlperf_band(indicator, rate)" in vba  # caller is xlwings' own, not an Excel argument
    assert "Function xlperf_quarterly(q1, q2, q3, q4)" in vba
    assert 'XLPy.CallUDF("xlperf.excel.udfs", "xlperf_item"' in vba
