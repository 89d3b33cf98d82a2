"""The kinds that score a computed figure: points per rate, bands, linear deduction, quarterly progress."""

from __future__ import annotations

from decimal import Decimal

from ..intervals import interval, number
from ..money import HUNDRED, ONE, ZERO
from ..shown import Test, edge_text, lost_text, points_text
from .base import Ctx, Outcome, fmt, get, indicator_of, need, show, tests_of, undefined, value_of


def check_rate_points(params: dict, points: Decimal) -> list[str]:
    return need(params, "indicator")


def score_rate_points(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    ind = indicator_of(ctx, params)
    value = value_of(ind, ctx)
    if value is None:
        return undefined(params, points, ind)
    limit = number(params["zero_above"]) if "zero_above" in params else None
    shown = show(ind, ctx, tests_of("rate_points", params))
    if limit is not None and value > limit:
        why = f"{ind.name} {shown} > {edge_text(limit)}，得 0.00 分"
        return Outcome(ZERO, why, f"{ind.name} {shown} 超过上限 {edge_text(limit)}，扣 {lost_text(points)} 分")
    rate = min(value, number(params["cap"])) if "cap" in params else value
    got = points if rate.is_infinite() else min(rate * points, points)
    rule = f"{ind.name} {shown} × {fmt(points)} 分"
    reason = f"{ind.name} {shown} 低于 100%，得 {points_text(got)} 分" if got < points else ""
    return Outcome(got, rule, reason)


def check_bands(params: dict, points: Decimal) -> list[str]:
    problems = need(params, "indicator", "bands")
    if problems:
        return problems
    bands = [(interval(b["range"]), number(b["points"])) for b in params["bands"]]
    for iv, p in bands:
        if p > points or p < 0:
            problems.append(f"分档 {iv.text()} 的分值 {fmt(p)} 不在 0–{fmt(points)} 之间")
    bands.sort(key=lambda b: (b[0].low, not b[0].low_closed))
    domain = interval(params.get("domain", "[0, inf)"))
    if bands and (bands[0][0].low != domain.low or bands[0][0].low_closed != domain.low_closed):
        problems.append(f"分档未从 {domain.text()} 的下限开始")
    if bands and (bands[-1][0].high != domain.high or bands[-1][0].high_closed != domain.high_closed):
        problems.append(f"分档未覆盖到 {domain.text()} 的上限")
    for (a, _), (b, _) in zip(bands, bands[1:]):
        if a.high < b.low or (a.high == b.low and not a.high_closed and not b.low_closed):
            problems.append(f"分档 {a.text()} 与 {b.text()} 之间有空隙")
        elif a.high > b.low or (a.high == b.low and a.high_closed and b.low_closed):
            problems.append(f"分档 {a.text()} 与 {b.text()} 重叠")
    return problems


def score_bands(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    ind = indicator_of(ctx, params)
    value = value_of(ind, ctx)
    if value is None:
        return undefined(params, points, ind)
    bands = [(interval(b["range"]), number(b["points"])) for b in params["bands"]]
    shown = show(ind, ctx, tests_of("bands", params))
    for iv, got in bands:
        if iv.contains(value) or (value.is_infinite() and iv.high == value):
            rule = f"{ind.name} {shown} 落在 {iv.text()} 档，得 {points_text(got)} 分"
            if got >= points:
                return Outcome(got, rule)
            # 扣分说明 says what the 计分依据 does not: which band would have given full points.
            best = [b.text() for b, p in bands if p >= points]
            target = f"未达满分档 {'、'.join(best)}" if best else "未达满分"
            return Outcome(got, rule, f"{ind.name} {shown} {target}，扣 {lost_text(points - got)} 分")
    why = f"{ind.name} {shown} 不在任何分档内，得 0.00 分"
    return Outcome(ZERO, why, why)


def check_linear(params: dict, points: Decimal) -> list[str]:
    problems = need(params, "indicator", "threshold", "per")
    if params.get("direction", "above") not in ("above", "below"):
        problems.append("参数 direction 应为 above 或 below")
    if params.get("steps", "exact") not in ("exact", "whole"):
        problems.append("参数 steps 应为 exact 或 whole")
    return problems


def score_linear(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    """Full points up to a threshold; ``per`` points off per ``step`` percentage points beyond it."""
    ind = indicator_of(ctx, params)
    value = value_of(ind, ctx)
    if value is None:
        return undefined(params, points, ind)
    threshold, per = number(params["threshold"]), number(params["per"])
    step = number(params.get("step", "1"))
    above = params.get("direction", "above") == "above"
    beyond_pp = ((value - threshold) if above else (threshold - value)) * HUNDRED
    beyond_pp = max(beyond_pp, ZERO)
    steps = beyond_pp / step
    if params.get("steps", "exact") == "whole":
        steps = steps.to_integral_value(rounding="ROUND_FLOOR")
    got = ZERO if steps.is_infinite() else max(points - per * steps, ZERO)
    side = "超过" if above else "低于"
    shown_pp = "无穷多" if beyond_pp.is_infinite() else lost_text(beyond_pp)  # 0.004 pp never prints as 0.00
    shown = show(ind, ctx, tests_of("linear", params))
    rule = (f"{ind.name} {shown}，{side} {edge_text(threshold)} {shown_pp} 个百分点，"
            f"每 {fmt(step)} 个百分点扣 {fmt(per)} 分")
    return Outcome(got, rule, f"扣 {lost_text(points - got)} 分，得 {points_text(got)} 分" if got < points else "")



def check_quarterly(params: dict, points: Decimal) -> list[str]:
    q, m = number(params.get("quarter_points", "1")), number(params.get("mean_points", "2"))
    return [] if q * 4 + m == points else [f"季度分值 4×{fmt(q)} + 平均分值 {fmt(m)} ≠ {fmt(points)}"]


def score_quarterly(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    """Σ min(r_q, 1) × q + min(mean of uncapped r_q, 1) × m."""
    q, m = number(params.get("quarter_points", "1")), number(params.get("mean_points", "2"))
    rates = [get(ctx, f"quarter_rate_{k}") for k in range(1, 5)]
    mean = get(ctx, "quarter_rate_mean")
    if any(r.value is None for r in rates) or mean.value is None:
        return undefined(params, points, mean)
    values = [value_of(r, ctx) for r in rates]
    mean_value = value_of(mean, ctx)
    parts = [min(v, ONE) * q for v in values]  # type: ignore[type-var]
    got = sum(parts, ZERO) + min(mean_value, ONE) * m  # type: ignore[type-var]
    full: tuple[Test, ...] = (lambda x: x >= ONE,)
    shown = "、".join(show(r, ctx, full) for r in rates)
    rule = (f"季度执行率 {shown}（各封顶 100%）× {fmt(q)} 分 + 全年平均 {show(mean, ctx, full)}（封顶 100%）"
            f"× {fmt(m)} 分")
    lost = [f"第{k}季度执行率 {show(r, ctx, full)} 未达序时进度" for k, (r, v) in enumerate(zip(rates, values), 1)
            if v < ONE]  # type: ignore[operator]
    if mean_value < ONE:  # type: ignore[operator]
        lost.append(f"全年平均执行率 {show(mean, ctx, full)} 低于 100%")
    return Outcome(got, rule, "；".join(lost) + f"，得 {points_text(got)} 分" if got < points else "")
