"""Findings: rounding-aware consistency checks on the inputs and the computed figures.

Published figures are rounded to the cent (or to 0.01 % for rates). A check
decides by the interval the unrounded values could span: a sum of n rounded
parts may differ from its rounded total by up to (n + 1) × 0.005; a stated rate
is consistent when its own rounding interval meets the interval the rounded
amounts behind it can give.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .indicators import HALF_CENT, Indicator
from .inputs import SANGONG_CATEGORIES, Inputs
from .messages import finding_text
from .money import ZERO, amount_text, percent_text

# A stated rate printed as 88.71 % is within ±0.005 % of what was computed.
STATED_RATE_HALF = Decimal("0.00005")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # 错误 | 警告 | 提示
    message: str
    field: str = ""  # input path, mapped to a cell by the workbook layer
    item: str = ""  # indicator-system item id, when the finding is about a score


def sum_tolerance(n_parts: int) -> Decimal:
    return HALF_CENT * (n_parts + 1)


def check(inputs: Inputs, indicators: dict[str, Indicator], undefined_handling: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    out += _sums(inputs)
    out += _overspending(inputs)
    out += _quarters(inputs)
    out += _counts(inputs)
    out += _zero_denominators(indicators, undefined_handling)
    out += _stated(inputs, indicators)
    out += _projects(inputs)
    out += _targets(inputs)
    return out


def _sum_check(what: str, parts: list[Decimal | None], total: Decimal | None, field: str) -> list[Finding]:
    if total is None or any(p is None for p in parts) or not parts:
        return []
    got = sum(parts, ZERO)  # type: ignore[arg-type]
    diff = abs(got - total)
    tol = sum_tolerance(len(parts))
    if diff <= tol:
        return []
    return [Finding("SUM_MISMATCH", "错误", finding_text("SUM_MISMATCH", what=what, parts=amount_text(got),
                    total=amount_text(total), diff=amount_text(diff), tolerance=tol.normalize()), field=field)]


def _sums(i: Inputs) -> list[Finding]:
    out: list[Finding] = []
    stages = [("initial", "年初预算"), ("adjusted", "调整后预算"), ("spent", "全年支出")]
    if i.budget.prior_year is not None:
        stages.append(("prior_year", "上年预算"))
    for stage, zh in stages:
        s = getattr(i.budget, stage)
        out += _sum_check(f"{zh}：基本支出 + 项目支出", [s.basic, s.project], s.total, f"budget.{stage}.total")
        if s.personnel is not None and s.public is not None:
            out += _sum_check(f"{zh}：人员经费 + 公用经费", [s.personnel, s.public], s.basic, f"budget.{stage}.basic")
    sg = i.sangong
    for kind, zh in (("budget", "预算数"), ("actual", "实际数")):
        parts = [getattr(sg, f"{cat}_{kind}") for cat, _ in SANGONG_CATEGORIES]
        if any(p is not None for p in parts):
            out += _sum_check(f"“三公”经费{zh}：四类之和", [p or ZERO for p in parts], getattr(sg, kind),
                              f"sangong.{kind}")
    if i.projects:
        out += _sum_check("项目清单调整后预算之和与项目支出调整后预算", [p.budget for p in i.projects],
                          i.budget.adjusted.project, "budget.adjusted.project")
        out += _sum_check("项目清单实际支出之和与项目支出全年支出", [p.spent for p in i.projects],
                          i.budget.spent.project, "budget.spent.project")
    q = i.quarterly.cumulative
    if q is not None and abs(q[3] - i.budget.spent.total) > sum_tolerance(1):
        out.append(Finding("SUM_MISMATCH", "错误", finding_text(
            "SUM_MISMATCH", what="第4季度末累计支出与全年支出", parts=amount_text(q[3]),
            total=amount_text(i.budget.spent.total), diff=amount_text(abs(q[3] - i.budget.spent.total)),
            tolerance=sum_tolerance(1).normalize()), field="quarterly.cumulative[3]"))
    a = i.assets
    if a.groups:
        out += _sum_check("固定资产各状态原值之和与原值合计", [g.value for g in a.groups], a.total_value,
                          "assets.total_value")
    return out


def _counts(i: Inputs) -> list[Finding]:
    a = i.assets
    if a.groups and sum(g.count for g in a.groups) != a.total_count:
        return [Finding("COUNT_MISMATCH", "错误", finding_text(
            "COUNT_MISMATCH", what="固定资产各状态件数（在用 + 待处置 + …）", parts=sum(g.count for g in a.groups),
            total=a.total_count), field="assets.total_count")]
    return []


def _overspending(i: Inputs) -> list[Finding]:
    out: list[Finding] = []
    checks = [
        ("预算总额", i.budget.spent.total, i.budget.adjusted.total, "budget.spent.total"),
        ("基本支出", i.budget.spent.basic, i.budget.adjusted.basic, "budget.spent.basic"),
        ("项目支出", i.budget.spent.project, i.budget.adjusted.project, "budget.spent.project"),
        ("政府采购", i.procurement.contracted, i.procurement.plan, "procurement.contracted"),
        ("“三公”经费", i.sangong.actual, i.sangong.budget, "sangong.actual"),
        ("日常公用经费", i.daily_public.actual, i.daily_public.adjusted_budget, "daily_public.actual"),
    ]
    for what, spent, budget, field in checks:
        if spent > budget:
            out.append(Finding("OVERSPENT", "警告", finding_text("OVERSPENT", what=what, spent=amount_text(spent),
                                                                 budget=amount_text(budget)), field=field))
    return out


def _quarters(i: Inputs) -> list[Finding]:
    q = i.quarterly
    seq, show = (q.cumulative, amount_text) if q.cumulative is not None else (q.progress, percent_text)
    out = []
    for k in range(1, 4 if seq is None else len(seq)):
        if seq is not None and seq[k] < seq[k - 1]:
            name = "cumulative" if q.cumulative is not None else "progress"
            out.append(Finding("QUARTER_DECREASE", "错误", finding_text(
                "QUARTER_DECREASE", q=k + 1, value=show(seq[k]), previous=show(seq[k - 1])),
                field=f"quarterly.{name}[{k}]"))
    return out


def _zero_denominators(indicators: dict[str, Indicator], handling: dict[str, str]) -> list[Finding]:
    out = []
    for ind in indicators.values():
        if ind.unit == "rate" and ind.value is None and "分母为 0" in ind.note:
            how = handling.get(ind.id, "该比率不参与评分")
            if ind.unbounded and ind.id in handling:
                how = "分子大于 0，按比率超出所有上限计分"
            label, field = ind.denominator
            out.append(Finding("ZERO_DENOMINATOR", "提示", finding_text(
                "ZERO_DENOMINATOR", what=ind.name, denominator=label or "分母", handling=how), field=field))
    return out


def stated_consistent(stated: Decimal, envelope: tuple[Decimal, Decimal]) -> bool:
    low, high = envelope
    return stated + STATED_RATE_HALF >= low and stated - STATED_RATE_HALF <= high


def _stated(i: Inputs, indicators: dict[str, Indicator]) -> list[Finding]:
    out = []
    for id_, stated in i.stated.items():
        ind = indicators.get(id_)
        if ind is None or ind.value is None:
            continue
        envelope = ind.envelope or (ind.value, ind.value)
        if ind.unit == "rate" and not stated_consistent(stated, envelope):
            out.append(Finding("STATED_MISMATCH", "警告", finding_text(
                "STATED_MISMATCH", what=ind.name, stated=percent_text(stated), computed=percent_text(ind.value),
                low=percent_text(envelope[0]), high=percent_text(envelope[1])), field=f"stated.{id_}"))
    return out


def _projects(i: Inputs) -> list[Finding]:
    out = []
    for k, p in enumerate(i.projects):
        if p.spent > p.budget:
            out.append(Finding("PROJECT_OVERSPENT", "警告", finding_text(
                "PROJECT_OVERSPENT", name=p.name, spent=amount_text(p.spent), budget=amount_text(p.budget)),
                field=f"projects[{k}].spent"))
        if p.planned_finish and p.actual_finish:
            late = p.actual_finish > p.planned_finish
            if (p.status == "按期完成" and late) or (p.status == "逾期完成" and not late):
                out.append(Finding("PROJECT_STATUS_DATES", "警告", finding_text(
                    "PROJECT_STATUS_DATES", name=p.name, status=p.status, planned=p.planned_finish,
                    actual=p.actual_finish), field=f"projects[{k}].status"))
    return out


def _targets(i: Inputs) -> list[Finding]:
    if not i.targets:
        return []
    from .targets import judge

    out = []
    for k, t in enumerate(i.targets):
        j = judge(t.target, t.actual)
        if j.status == "未达成":
            out.append(Finding("TARGET_MISSED", "提示", finding_text("TARGET_MISSED", name=t.name, evidence=j.evidence),
                               field=f"targets[{k}].actual"))
        elif j.status == "待判断":
            out.append(Finding("TARGET_UNJUDGED", "提示", finding_text("TARGET_UNJUDGED", name=t.name,
                                                                       evidence=j.evidence), field=f"targets[{k}].actual"))
    return out
