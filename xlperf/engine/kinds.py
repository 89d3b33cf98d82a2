"""The closed set of rule kinds: each checks its parameters and scores one item or part.

A kind is a pair of small functions found by name in ``KINDS``: ``check(params,
points) -> list[str]`` (problems with the system file) and ``score(params,
points, ctx) -> Outcome``. Parameters are plain data from the system file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .indicators import Indicator
from .inputs import EvaluatorEntry
# The system file's numbers, intervals and conditions; importers of kinds keep finding them here.
from .intervals import Interval, condition, holds, interval, number  # noqa: F401
from .money import HUNDRED, ONE, ZERO, round_half_up
from .shown import Test, edge_text, exact, lost_text, points_text, rate_text


@dataclass
class Ctx:
    indicators: dict[str, Indicator]
    evaluator: dict[str, EvaluatorEntry]
    # Evaluator keys an item read, so the scorer can report what was missing.
    missing: list[str] = field(default_factory=list)
    # "exact": rules compare the exact rate; "printed": the rate rounded as 计算指标 prints it (0.01 %).
    band_on: str = "exact"
    # Evaluator keys whose entry lacks the reason its points need: findings point at their cells.
    blamed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    points: Decimal  # exact, before display rounding
    rule: str  # the rule or band applied, in Chinese
    reason: str = ""  # why points were lost, in Chinese ("" at full points)
    reason_given: bool = False  # reason came from the evaluator
    unexplained: bool = False  # evaluator's points below the maximum with no reason


# The rate printed on 计算指标 carries two decimals of a percentage: four of the fraction.
PRINTED_PLACES = 4
BAND_ON = ("exact", "printed")


def _show(ind: Indicator, ctx: Ctx | None = None, tests: tuple[Test, ...] = ()) -> str:
    """The figure as a text beside a rule: on the same side of every edge the rule tests."""
    if ind.value is None:
        return "无穷大（分母为 0）" if ind.unbounded else "无法计算"
    if ind.unit != "rate":
        return exact(ind.value)
    return rate_text(_value(ind, ctx) if ctx else ind.value, tests)  # type: ignore[arg-type]


_fmt = exact  # a parameter from the system file, as written there


# --- the kinds -----------------------------------------------------------------------------

KindCheck = Callable[[dict, Decimal], list[str]]
KindScore = Callable[[dict, Decimal, Ctx], Outcome]


def _need(params: dict, *keys: str) -> list[str]:
    return [f"缺少参数 {k}" for k in keys if k not in params]


def _entry(ctx: Ctx, key: str) -> EvaluatorEntry | None:
    entry = ctx.evaluator.get(key)
    if entry is None:
        ctx.missing.append(key)
    return entry


def _indicator(ctx: Ctx, params: dict) -> Indicator:
    return _get(ctx, params["indicator"])


def _get(ctx: Ctx, id_: str) -> Indicator:
    from .indicators import missing

    return ctx.indicators.get(id_) or missing(id_)


def _value(ind: Indicator, ctx: Ctx | None = None) -> Decimal | None:
    """The value a rule scores: n ÷ 0 with n > 0 is +∞, beyond every threshold.

    Under ``band_on = "printed"`` a rate is first rounded half up as 计算指标 prints it.
    """
    if ind.unbounded:
        return Decimal("Infinity")
    if ctx is not None and ctx.band_on == "printed" and ind.unit == "rate" and ind.value is not None:
        return round_half_up(ind.value, PRINTED_PLACES)
    return ind.value


def _undefined(params: dict, points: Decimal, ind: Indicator) -> Outcome:
    from .indicators import MISSING_NOTE

    # if_undefined settles 0 ÷ 0; a figure whose inputs were never given earns nothing.
    full = params.get("if_undefined", "zero") == "full" and ind.note != MISSING_NOTE
    got = points if full else ZERO
    why = f"{ind.name}{ind.note or '无法计算'}，按{'满分' if full else ' 0 分'}计"
    return Outcome(got, why, "" if full else f"{why}，扣 {lost_text(points)} 分")


def check_checklist(params: dict, points: Decimal) -> list[str]:
    problems = _need(params, "checks")
    criteria = params.get("checks", [])
    if not problems:
        total = sum((number(c.get("points", "0")) for c in criteria), ZERO)
        if total != points:
            problems.append(f"各项标准分值之和 {_fmt(total)} ≠ {_fmt(points)}")
        for c in criteria:
            if "when" in c:
                condition(c["when"])
        if any("when" not in c for c in criteria) and "input" not in params:
            problems.append("有需评价人勾选的标准，但缺少参数 input")
    return problems


def score_checklist(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    criteria = params["checks"]
    manual = [i for i, c in enumerate(criteria) if "when" not in c]
    entry = _entry(ctx, params["input"]) if manual else None
    ticks = list(entry.ticks or ()) if entry is not None else []
    got, lost = ZERO, []
    for i, c in enumerate(criteria):
        worth = number(c["points"])
        if "when" in c:
            ind_id, op, target = condition(c["when"])
            ind = _get(ctx, ind_id)
            value = _value(ind, ctx)
            ok = value is not None and holds(value, op, target)
            detail = f"{ind.name} {_show(ind, ctx, (lambda x, op=op, t=target: holds(x, op, t),))}"
        else:
            k = manual.index(i)
            ok = k < len(ticks) and ticks[k]
            detail = "评价人未勾选" if entry is not None else "评价人未填写"
        if ok:
            got += worth
        else:
            lost.append(f"第 {i + 1} 项“{c.get('short', c['text'])}”未满足（{detail}），扣 {lost_text(worth)} 分")
    reason = "；".join(lost)
    if entry is not None and entry.reason and reason:
        reason = f"{reason}。评价人说明：{entry.reason}"
    return Outcome(got, f"逐项计分：满足 {len(criteria) - len(lost)}/{len(criteria)} 项", reason,
                   bool(entry and entry.reason))


def check_deduction(params: dict, points: Decimal) -> list[str]:
    problems = _need(params, "per")
    if ("input" in params) == ("indicator" in params):
        problems.append("参数 input（评价人填写的次数）与 indicator（计算的次数）须二选一")
    return problems


def score_deduction(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    per = number(params["per"])
    what = params.get("what", "不符合项")
    if "indicator" in params:
        ind = _indicator(ctx, params)
        count = int(ind.value or 0)
        source = ind.name
        reason_given = False
        extra = ""
    else:
        entry = _entry(ctx, params["input"])
        count = entry.count if entry is not None and entry.count is not None else 0
        source = "评价人填写"
        reason_given = bool(entry and entry.reason)
        extra = f"。评价人说明：{entry.reason}" if entry and entry.reason else ""
    got = max(points - per * count, ZERO)
    rule = f"{what} {count} 项（{source}），每项扣 {_fmt(per)} 分，扣完为止"
    reason = f"{what} {count} 项，扣 {lost_text(points - got)} 分{extra}" if got < points else ""
    return Outcome(got, rule, reason, reason_given)


def check_rate_points(params: dict, points: Decimal) -> list[str]:
    return _need(params, "indicator")


def score_rate_points(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    ind = _indicator(ctx, params)
    value = _value(ind, ctx)
    if value is None:
        return _undefined(params, points, ind)
    limit = number(params["zero_above"]) if "zero_above" in params else None
    shown = _show(ind, ctx, _tests("rate_points", params))
    if limit is not None and value > limit:
        why = f"{ind.name} {shown} > {edge_text(limit)}，得 0.00 分"
        return Outcome(ZERO, why, f"{ind.name} {shown} 超过上限 {edge_text(limit)}，扣 {lost_text(points)} 分")
    rate = min(value, number(params["cap"])) if "cap" in params else value
    got = points if rate.is_infinite() else min(rate * points, points)
    rule = f"{ind.name} {shown} × {_fmt(points)} 分"
    reason = f"{ind.name} {shown} 低于 100%，得 {points_text(got)} 分" if got < points else ""
    return Outcome(got, rule, reason)


def check_bands(params: dict, points: Decimal) -> list[str]:
    problems = _need(params, "indicator", "bands")
    if problems:
        return problems
    bands = [(interval(b["range"]), number(b["points"])) for b in params["bands"]]
    for iv, p in bands:
        if p > points or p < 0:
            problems.append(f"分档 {iv.text()} 的分值 {_fmt(p)} 不在 0–{_fmt(points)} 之间")
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
    ind = _indicator(ctx, params)
    value = _value(ind, ctx)
    if value is None:
        return _undefined(params, points, ind)
    bands = [(interval(b["range"]), number(b["points"])) for b in params["bands"]]
    shown = _show(ind, ctx, _tests("bands", params))
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
    problems = _need(params, "indicator", "threshold", "per")
    if params.get("direction", "above") not in ("above", "below"):
        problems.append("参数 direction 应为 above 或 below")
    if params.get("steps", "exact") not in ("exact", "whole"):
        problems.append("参数 steps 应为 exact 或 whole")
    return problems


def score_linear(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    """Full points up to a threshold; ``per`` points off per ``step`` percentage points beyond it."""
    ind = _indicator(ctx, params)
    value = _value(ind, ctx)
    if value is None:
        return _undefined(params, points, ind)
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
    shown = _show(ind, ctx, _tests("linear", params))
    rule = (f"{ind.name} {shown}，{side} {edge_text(threshold)} {shown_pp} 个百分点，"
            f"每 {_fmt(step)} 个百分点扣 {_fmt(per)} 分")
    return Outcome(got, rule, f"扣 {lost_text(points - got)} 分，得 {points_text(got)} 分" if got < points else "")



def check_quarterly(params: dict, points: Decimal) -> list[str]:
    q, m = number(params.get("quarter_points", "1")), number(params.get("mean_points", "2"))
    return [] if q * 4 + m == points else [f"季度分值 4×{_fmt(q)} + 平均分值 {_fmt(m)} ≠ {_fmt(points)}"]


def score_quarterly(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    """Σ min(r_q, 1) × q + min(mean of uncapped r_q, 1) × m."""
    q, m = number(params.get("quarter_points", "1")), number(params.get("mean_points", "2"))
    rates = [_get(ctx, f"quarter_rate_{k}") for k in range(1, 5)]
    mean = _get(ctx, "quarter_rate_mean")
    if any(r.value is None for r in rates) or mean.value is None:
        return _undefined(params, points, mean)
    values = [_value(r, ctx) for r in rates]
    mean_value = _value(mean, ctx)
    parts = [min(v, ONE) * q for v in values]  # type: ignore[type-var]
    got = sum(parts, ZERO) + min(mean_value, ONE) * m  # type: ignore[type-var]
    full: tuple[Test, ...] = (lambda x: x >= ONE,)
    shown = "、".join(_show(r, ctx, full) for r in rates)
    rule = (f"季度执行率 {shown}（各封顶 100%）× {_fmt(q)} 分 + 全年平均 {_show(mean, ctx, full)}（封顶 100%）"
            f"× {_fmt(m)} 分")
    lost = [f"第{k}季度执行率 {_show(r, ctx, full)} 未达序时进度" for k, (r, v) in enumerate(zip(rates, values), 1)
            if v < ONE]  # type: ignore[operator]
    if mean_value < ONE:  # type: ignore[operator]
        lost.append(f"全年平均执行率 {_show(mean, ctx, full)} 低于 100%")
    return Outcome(got, rule, "；".join(lost) + f"，得 {points_text(got)} 分" if got < points else "")


def check_judgment(params: dict, points: Decimal) -> list[str]:
    return _need(params, "input")


def score_judgment(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    entry = _entry(ctx, params["input"])
    if entry is None or entry.points is None:
        return Outcome(ZERO, "评价人酌情评分", "评价人未评分，暂按 0 分计")
    got = min(max(entry.points, ZERO), points)
    rule = f"评价人评分 {points_text(got)} / {_fmt(points)} 分"
    if params.get("evidence") == "targets":
        counts = {k: int(_get(ctx, f"targets_{k}").value or 0) for k in ("total", "met", "missed", "unjudged")}
        rule += (f"；绩效目标 {counts['total']} 项：达成 {counts['met']}，未达成 {counts['missed']}，"
                 f"需人工判断 {counts['unjudged']}")
        if got >= points and counts["missed"] and not entry.reason:
            # Full points although targets were missed: the data implies a deduction.
            ctx.blamed.append(params["input"])
            return Outcome(got, rule, f"有 {counts['missed']} 项绩效目标未达成，但评价人给满分且未说明理由",
                           unexplained=True)
    if got >= points:
        return Outcome(got, rule)
    reason = entry.reason or f"评价人给分 {points_text(got)} 分，未填写扣分理由"
    if not entry.reason:
        ctx.blamed.append(params["input"])
    return Outcome(got, rule, reason, bool(entry.reason), unexplained=not entry.reason)


def check_choice(params: dict, points: Decimal) -> list[str]:
    problems = _need(params, "input", "options")
    for o in params.get("options", []):
        if number(o["points"]) > points:
            problems.append(f"选项“{o['value']}”分值超过 {_fmt(points)}")
    return problems


def score_choice(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    entry = _entry(ctx, params["input"])
    chosen = entry.choice if entry is not None else None
    for o in params["options"]:
        if chosen == o["value"]:
            got = number(o["points"])
            rule = f"“{chosen}”，得 {points_text(got)} 分"
            reason = f"选择“{chosen}”，扣 {lost_text(points - got)} 分" + (
                f"。评价人说明：{entry.reason}" if entry and entry.reason else "")
            return Outcome(got, rule, reason if got < points else "", bool(entry and entry.reason))
    why = f"未选择档次（应为 {'/'.join(o['value'] for o in params['options'])} 之一），暂按 0 分计"
    return Outcome(ZERO, why, why)


def check_composite(params: dict, points: Decimal) -> list[str]:
    problems = _need(params, "parts")
    parts = params.get("parts", [])
    total = sum((number(p.get("points", "0")) for p in parts), ZERO)
    if parts and total != points:
        problems.append(f"各部分分值之和 {_fmt(total)} ≠ {_fmt(points)}")
    for i, part in enumerate(parts, 1):
        kind = part.get("kind")
        if kind not in KINDS or kind == "composite":
            problems.append(f"第 {i} 部分的规则类型“{kind}”未知")
            continue
        problems += [f"第 {i} 部分：{p}" for p in KINDS[kind][0](part, number(part.get("points", "0")))]
    return problems


def score_composite(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    for key, full in (("veto", False), ("full_if_flag", True)):
        if key in params:
            entry = _entry(ctx, params[key])
            if entry is not None and entry.flag:
                label = params.get(f"{key}_text", params[key])
                if full:
                    return Outcome(points, f"{label}，直接得满分")
                why = f"{label}，本项得 0.00 分"
                return Outcome(ZERO, why, f"{label}，扣 {lost_text(points)} 分" + (
                    f"。{entry.reason}" if entry.reason else ""), bool(entry.reason))
    got, rules, reasons, given, unexplained = ZERO, [], [], False, False
    for i, part in enumerate(params["parts"], 1):
        out = KINDS[part["kind"]][1](part, number(part["points"]), ctx)
        got += out.points
        name = part.get("name", f"第 {i} 部分")
        rules.append(f"{name}：{out.rule}")
        if out.reason:
            reasons.append(f"{name}：{out.reason}")
        given = given or out.reason_given
        unexplained = unexplained or out.unexplained
    return Outcome(got, "；".join(rules), "；".join(reasons), given, unexplained)


def _tests(kind: str, params: dict) -> tuple[Test, ...]:
    return tuple(t for _, t in edge_tests(kind, params))


def edge_tests(kind: str, params: dict) -> list[tuple[str, Test]]:
    """(indicator id, test) for every edge a rule compares a rate with: where a printed rate must not cross."""
    ind = params.get("indicator", "")
    if kind == "bands":
        return [(ind, interval(b["range"]).contains) for b in params["bands"]]
    if kind == "rate_points":
        limit = [number(params["zero_above"])] if "zero_above" in params else []
        return [(ind, lambda x: x >= ONE)] + [(ind, lambda x, t=t: x > t) for t in limit]
    if kind == "linear":
        t = number(params["threshold"])
        return [(ind, (lambda x: x > t) if params.get("direction", "above") == "above" else (lambda x: x < t))]
    if kind == "quarterly":
        return [(f"quarter_rate_{k}", lambda x: x >= ONE) for k in range(1, 5)] + [
            ("quarter_rate_mean", lambda x: x >= ONE)]
    if kind == "checklist":
        return [(i, lambda x, op=op, t=t: holds(x, op, t))
                for i, op, t in (condition(c["when"]) for c in params["checks"] if "when" in c)]
    return []


KINDS: dict[str, tuple[KindCheck, KindScore]] = {
    "checklist": (check_checklist, score_checklist),
    "deduction": (check_deduction, score_deduction),
    "rate_points": (check_rate_points, score_rate_points),
    "bands": (check_bands, score_bands),
    "linear": (check_linear, score_linear),
    "quarterly": (check_quarterly, score_quarterly),
    "judgment": (check_judgment, score_judgment),
    "choice": (check_choice, score_choice),
    "composite": (check_composite, score_composite),
}

# Parameters that name an indicator or an evaluator key, checked by the loader.
INDICATOR_PARAMS = ("indicator",)
EVALUATOR_PARAMS = ("input", "veto", "full_if_flag")
