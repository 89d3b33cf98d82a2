"""Worksheet functions (xlwings UDFs): XLPERF_RATE, XLPERF_BAND, XLPERF_POINTS, XLPERF_QUARTERLY, XLPERF_ITEM.

Imported into a workbook by the 导入工作表函数 action (the template's ``xlwings.conf`` sheet names
this module under "UDF Modules"); listed with examples on the 说明 sheet (``catalog.FUNCTIONS``).
They run the engine itself with its Decimal, half-up rules: arguments arrive from Excel as floats
and are taken at Excel's 15 significant digits, exactly as the workbook reader takes cells.

A wrong argument gives a readable Chinese error text in the cell ("错误：…"), never a Python
error. ``caller`` is xlwings' special argument (the calling cell), hidden from Excel; it tells
the functions which workbook, and so which indicator system, they serve.

Results are plain numbers or text, so no ``@xw.ret`` converter is declared. Off Windows the
xlwings decorators are inert and these are plain functions: the tests call them
directly, and read the declarations back through xlwings' own UDF decorators.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Callable

import xlwings as xw

from ..errors import XlperfError
from ..engine.kinds import KINDS, Ctx, interval
from ..engine.money import div, round_half_up
from ..engine.money import points as display_points
from ..engine.system import System, load
from .xwbook import from_excel

CATEGORY = "xlperf 绩效评价"
RATE_PLACES = 4  # a rate as the report shows it: 0.01 %
RATE_KINDS = ("bands", "rate_points", "linear")


class ArgError(ValueError):
    """A wrong argument, said in the words the cell shows."""


def _safe(compute: Callable[[], Any]) -> Any:
    try:
        return compute()
    except (ArgError, XlperfError, KeyError, ValueError) as exc:
        return f"错误：{exc.args[0] if exc.args else exc}"
    except Exception as exc:  # noqa: BLE001 - a cell shows text, never a traceback
        return f"错误：{type(exc).__name__}"


def _number(value: Any, what: str) -> Decimal:
    got = from_excel(value)
    if isinstance(got, bool) or not isinstance(got, Decimal):
        raise ArgError(f"{what}应为数字（现为“{'' if value is None else value}”）")
    return got


def _system(caller: Any) -> System:
    """The indicator system of the calling workbook (its xp_system_id cell); the default without one."""
    from ..book.layout import load_layout

    if caller is not None:
        try:
            value = caller.sheet.book.names[load_layout().system_name].refers_to_range.value
        except Exception:  # noqa: BLE001 - a workbook without the name uses the default system
            value = None
        if isinstance(value, str) and value.strip():
            return load(value.strip())
    return load("shenzhen-2024")


def _rate_rule(system: System, indicator: str) -> tuple[dict, Decimal]:
    """(params, points) of the rule that scores ``indicator`` by its rate: an item or a composite's part."""
    for item in system.items:
        for params in item.rules:
            kind = params.get("kind", item.kind)
            if params.get("indicator") == indicator and kind in RATE_KINDS:
                part_points = Decimal(str(params["points"])) if params is not item.params else item.points
                return {**params, "kind": kind}, part_points
    raise ArgError(f"指标体系“{system.name}”中没有按比率计分的指标“{indicator}”")


def _scored(params: dict, points: Decimal, indicator: str, rate: Decimal):
    from ..engine.indicators import Indicator

    ctx = Ctx({indicator: Indicator(indicator, indicator, rate, "rate", "")}, {})
    return KINDS[params["kind"]][1](params, points, ctx)


@xw.func(category=CATEGORY)
@xw.arg("numerator", doc="分子，如全年支出")
@xw.arg("denominator", doc="分母，如调整后预算")
def xlperf_rate(numerator, denominator):
    """分子 ÷ 分母，按报告口径四舍五入到 0.01%。"""
    def compute():
        rate = div(_number(numerator, "分子"), _number(denominator, "分母"))
        if rate is None:
            raise ArgError("分母为 0，比率无法计算")
        return float(round_half_up(rate, RATE_PLACES))
    return _safe(compute)


@xw.func(category=CATEGORY)
@xw.arg("indicator", doc="指标编号，如 staff_control_rate")
@xw.arg("rate", doc="比率（小数或百分比）")
def xlperf_band(indicator, rate, caller=None):
    """比率在该指标分档中所在的档次，如 [90%, 100%]。"""
    def compute():
        params, _ = _rate_rule(_system(caller), str(indicator))
        if params["kind"] != "bands":
            raise ArgError(f"指标“{indicator}”按比率计分，不分档")
        value = _number(rate, "比率")
        for band in params["bands"]:
            iv = interval(band["range"])
            if iv.contains(value):
                return iv.text()
        raise ArgError(f"比率 {value} 不在任何分档内")
    return _safe(compute)


@xw.func(category=CATEGORY)
@xw.arg("indicator", doc="指标编号，如 staff_control_rate")
@xw.arg("rate", doc="比率（小数或百分比）")
def xlperf_points(indicator, rate, caller=None):
    """该指标按比率计得的分数（两位小数，四舍五入）。"""
    def compute():
        params, points = _rate_rule(_system(caller), str(indicator))
        return float(display_points(_scored(params, points, str(indicator), _number(rate, "比率")).points))
    return _safe(compute)


@xw.func(category=CATEGORY)
@xw.arg("q1", doc="3 月末累计支出进度")
@xw.arg("q2", doc="6 月末累计支出进度")
@xw.arg("q3", doc="9 月末累计支出进度")
@xw.arg("q4", doc="12 月末累计支出进度")
def xlperf_quarterly(q1, q2, q3, q4, caller=None):
    """四个季度末支出进度 → 预算执行率得分（各季度执行率封顶 100%）。"""
    def compute():
        from ..engine.indicators import _quarters  # the engine's own quarter indicators, from progress alone

        progress = tuple(_number(q, f"第{k}季度支出进度") for k, q in enumerate((q1, q2, q3, q4), start=1))
        system = _system(caller)
        item = next((i for i in system.items if i.kind == "quarterly"), None)
        if item is None:
            raise ArgError(f"指标体系“{system.name}”没有按季度计分的评分项")
        quarterly = SimpleNamespace(cumulative=None, progress=progress)
        indicators = {ind.id: ind for ind in _quarters(SimpleNamespace(quarterly=quarterly))}
        outcome = KINDS["quarterly"][1](item.params, item.points, Ctx(indicators, {}))
        return float(display_points(outcome.points))
    return _safe(compute)


@xw.func(category=CATEGORY)
@xw.arg("item", doc="评分项编号，如 procurement")
def xlperf_item(item, caller=None):
    """按本工作簿当前填报的数据计算的评分项得分（按 Ctrl+Alt+F9 重新计算）。"""
    def compute():
        from ..book.fill import compute as book_compute
        from .xwbook import XwBook

        if caller is None:
            raise ArgError("只能在工作表单元格中使用")
        result = book_compute(XwBook(caller.sheet.book)).result
        for score in result.items:
            if score.item.id == str(item):
                return float(score.points)
        raise ArgError(f"没有编号为“{item}”的评分项")
    return _safe(compute)
