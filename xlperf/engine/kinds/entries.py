"""The kinds that score what the evaluator entered: checklists, deductions, judgments, tier choices."""

from __future__ import annotations

from decimal import Decimal

from ..intervals import condition, holds, number
from ..money import ZERO
from ..shown import lost_text, points_text
from .base import Ctx, Outcome, entry_for, fmt, get, indicator_of, need, show, value_of


def check_checklist(params: dict, points: Decimal) -> list[str]:
    problems = need(params, "checks")
    criteria = params.get("checks", [])
    if not problems:
        total = sum((number(c.get("points", "0")) for c in criteria), ZERO)
        if total != points:
            problems.append(f"各项标准分值之和 {fmt(total)} ≠ {fmt(points)}")
        for c in criteria:
            if "when" in c:
                condition(c["when"])
        if any("when" not in c for c in criteria) and "input" not in params:
            problems.append("有需评价人勾选的标准，但缺少参数 input")
    return problems


def score_checklist(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    criteria = params["checks"]
    manual = [i for i, c in enumerate(criteria) if "when" not in c]
    entry = entry_for(ctx, params["input"], "各项标准的“是/否”", "各项标准按未满足计分", "ticks") if manual else None
    ticks = list(entry.ticks or ()) if entry is not None else []
    got, lost = ZERO, []
    for i, c in enumerate(criteria):
        worth = number(c["points"])
        if "when" in c:
            ind_id, op, target = condition(c["when"])
            ind = get(ctx, ind_id)
            value = value_of(ind, ctx)
            ok = value is not None and holds(value, op, target)
            detail = f"{ind.name} {show(ind, ctx, (lambda x, op=op, t=target: holds(x, op, t),))}"
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
    problems = need(params, "per")
    if ("input" in params) == ("indicator" in params):
        problems.append("参数 input（评价人填写的次数）与 indicator（计算的次数）须二选一")
    return problems


def score_deduction(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    per = number(params["per"])
    what = params.get("what", "不符合项")
    if "indicator" in params:
        ind = indicator_of(ctx, params)
        count = int(ind.value or 0)
        source = ind.name
        reason_given = False
        extra = ""
    else:
        entry = entry_for(ctx, params["input"], f"{what}的项数", "本项暂按 0 分计；没有此类情形请填 0", "count")
        if entry is None or entry.count is None:
            # A blank count is no count of 0: nothing the evaluator confirmed earns points (as a blank tick,
            # judgment or tier), so the item scores 0 until the count is entered.
            why = f"评价人未填写{what}的项数，暂按 0 分计"
            return Outcome(ZERO, why, f"{why}，扣 {lost_text(points)} 分")
        count = entry.count
        source = "评价人填写"
        reason_given = bool(entry and entry.reason)
        extra = f"。评价人说明：{entry.reason}" if entry and entry.reason else ""
    got = max(points - per * count, ZERO)
    rule = f"{what} {count} 项（{source}），每项扣 {fmt(per)} 分，扣完为止"
    reason = f"{what} {count} 项，扣 {lost_text(points - got)} 分{extra}" if got < points else ""
    return Outcome(got, rule, reason, reason_given)


def check_judgment(params: dict, points: Decimal) -> list[str]:
    return need(params, "input")


def score_judgment(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    entry = entry_for(ctx, params["input"], f"{params.get('name', '')}评分", "暂按 0 分计", "points")
    if entry is None or entry.points is None:
        return Outcome(ZERO, "评价人酌情评分", "评价人未评分，暂按 0 分计")
    got = min(max(entry.points, ZERO), points)
    rule = f"评价人评分 {points_text(got)} / {fmt(points)} 分"
    if params.get("evidence") == "targets":
        counts = {k: int(get(ctx, f"targets_{k}").value or 0) for k in ("total", "met", "missed", "unjudged")}
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
    problems = need(params, "input", "options")
    for o in params.get("options", []):
        if number(o["points"]) > points:
            problems.append(f"选项“{o['value']}”分值超过 {fmt(points)}")
    return problems


def score_choice(params: dict, points: Decimal, ctx: Ctx) -> Outcome:
    entry = entry_for(ctx, params["input"], f"{params.get('name', '')}档次", "暂按 0 分计", "choice")
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
