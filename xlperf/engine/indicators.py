"""Computed indicators: every rate and figure of the evaluation, as pure Decimal functions.

Each indicator carries its value, the inputs it used (by field path, so the
workbook can show their cells), the formula in Chinese words, and — for ratios
of rounded published amounts — the interval the unrounded amounts could give.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from . import paths
from .fields import label_of
from .inputs import SANGONG_CATEGORIES, Inputs
from .money import HUNDRED, ONE, ZERO, div

# Published amounts carry two decimals: each is within ±0.005 of the true value.
HALF_CENT = Decimal("0.005")
QUARTER_TIMELINE = (Decimal("0.25"), Decimal("0.50"), Decimal("0.75"), Decimal("1"))


class Used(NamedTuple):
    """One input a figure cites. A named tuple, not a frozen dataclass: a unit's long lists cite
    hundreds, and a tuple is made several times faster."""

    path: str
    label: str
    value: object


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    value: Decimal | None
    unit: str  # "rate" | "amount" | "count"
    formula: str
    used: tuple[Used, ...] = ()
    envelope: tuple[Decimal, Decimal] | None = None  # what unrounded inputs could give
    note: str = ""  # why the value is missing, or how it was derived
    # n ÷ 0 with n > 0 (spending with no budget): no value to show, but rules score it as
    # above every bound, never as the 0 ÷ 0 case that ``if_undefined`` settles.
    unbounded: bool = False
    # The figure a ratio divides by, as (label, input path): a zero denominator is named, not just "分母为 0".
    denominator: tuple[str, str] = ("", "")


def _used(inputs: Inputs, *used: str) -> tuple[Used, ...]:
    return tuple(_cited(p, paths.get(inputs, p)) for p in used)


def _cited(path: str, value: object) -> Used:
    """One input cell a figure cites, its value read off the record in hand (what _used finds by path)."""
    return Used(path, label_of(path), value)


def _ratio(id_: str, name: str, formula: str, num: Decimal, den: Decimal, used: tuple[Used, ...],
           num_terms: int = 1, den_terms: int = 1, rounded: bool = True,
           den_of: tuple[str, str] | None = None) -> Indicator:
    value = div(num, den)
    envelope = None
    if rounded and value is not None:
        en, ed = HALF_CENT * num_terms, HALF_CENT * den_terms
        low = div(max(num - en, ZERO), den + ed)
        high = div(num + en, den - ed) if den - ed > 0 else None
        if low is not None and high is not None:
            envelope = (low, high)
    unbounded = value is None and num > 0
    note = "" if value is not None else "分母为 0 而分子大于 0，比率视为无穷大" if unbounded else "分母为 0，比率无法计算"
    # Unless told otherwise, the denominator is the last input used (every ratio lists it last).
    denominator = den_of or ((used[-1].label, used[-1].path) if used else ("", ""))
    return Indicator(id_, name, value, "rate", formula, used, envelope, note, unbounded, denominator)


def _amount(id_: str, name: str, formula: str, value: Decimal | None, used: tuple[Used, ...]) -> Indicator:
    return Indicator(id_, name, value, "amount", formula, used)


def _count(id_: str, name: str, formula: str, value: int | None, used: tuple[Used, ...]) -> Indicator:
    return Indicator(id_, name, None if value is None else Decimal(value), "count", formula, used)


def compute(inputs: Inputs) -> dict[str, Indicator]:
    """All indicators, keyed by id, in display order."""
    result: dict[str, Indicator] = {}
    for group in (_budget, _quarters, _procurement, _sangong, _daily_public, _assets, _staff, _projects,
                  _key_tasks, _petitions, _satisfaction, _adjustments, _targets):
        for ind in group(inputs):
            result[ind.id] = ind
    return result


def _budget(i: Inputs) -> list[Indicator]:
    b = i.budget
    out = [
        _ratio("budget_execution_rate", "预算执行率", "全年支出 ÷ 调整后预算 × 100%", b.spent.total, b.adjusted.total,
               _used(i, "budget.spent.total", "budget.adjusted.total")),
        _ratio("basic_execution_rate", "基本支出预算执行率", "基本支出全年支出 ÷ 基本支出调整后预算 × 100%",
               b.spent.basic, b.adjusted.basic, _used(i, "budget.spent.basic", "budget.adjusted.basic")),
        _ratio("project_execution_rate", "项目支出预算执行率", "项目支出全年支出 ÷ 项目支出调整后预算 × 100%",
               b.spent.project, b.adjusted.project, _used(i, "budget.spent.project", "budget.adjusted.project")),
        _amount("midyear_adjustment", "年中调整金额", "调整后预算 − 年初预算", b.adjusted.total - b.initial.total,
                _used(i, "budget.adjusted.total", "budget.initial.total")),
        _ratio("budget_control_rate", "预算控制率（年中追加比例）", "max(调整后预算 − 年初预算, 0) ÷ 年初预算 × 100%",
               max(b.adjusted.total - b.initial.total, ZERO), b.initial.total,
               _used(i, "budget.adjusted.total", "budget.initial.total"), num_terms=2),
    ]
    if b.prior_year is not None:
        for part, zh in (("total", "预算总额"), ("basic", "基本支出预算"), ("project", "项目支出预算")):
            now, before = getattr(b.initial, part), getattr(b.prior_year, part)
            paths = (f"budget.initial.{part}", f"budget.prior_year.{part}")
            out.append(_amount(f"yoy_change_{part}", f"{zh}比上年增减额", "本年年初预算 − 上年预算", now - before,
                               _used(i, *paths)))
            out.append(_ratio(f"yoy_rate_{part}", f"{zh}比上年增减率", "(本年年初预算 − 上年预算) ÷ 上年预算 × 100%",
                              now - before, before, _used(i, *paths), rounded=False))
    return out


def quarter_progress(i: Inputs) -> tuple[list[Decimal | None], list[tuple[Used, ...]]]:
    """Each quarter's progress and the inputs it used (that quarter's figure, and the budget it divides by)."""
    q = i.quarterly
    if q.cumulative is not None:
        den = i.budget.adjusted.total
        return [div(c, den) for c in q.cumulative], [
            _used(i, f"quarterly.cumulative[{k}]", "budget.adjusted.total") for k in range(4)]
    assert q.progress is not None
    return list(q.progress), [_used(i, f"quarterly.progress[{k}]") for k in range(4)]


def _quarters(i: Inputs) -> list[Indicator]:
    progress, used_by = quarter_progress(i)
    out: list[Indicator] = []
    rates: list[Decimal | None] = []
    for k, (p, line, used) in enumerate(zip(progress, QUARTER_TIMELINE, used_by, strict=True), start=1):
        out.append(Indicator(f"quarter_progress_{k}", f"第{k}季度支出进度", p, "rate",
                             f"第{k}季度末累计支出 ÷ 调整后预算 × 100%", used))
        r = div(p, line) if p is not None else None
        rates.append(r)
        out.append(Indicator(f"quarter_rate_{k}", f"第{k}季度预算执行率", r, "rate",
                             f"第{k}季度支出进度 ÷ 序时进度 {line * HUNDRED:.0f}%", used))
    # The mean uses every quarter's figure, then the budget they share.
    used = tuple(dict.fromkeys([us[0] for us in used_by] + [u for us in used_by for u in us[1:]]))
    mean = sum(rates, ZERO) / 4 if all(r is not None for r in rates) else None  # type: ignore[arg-type]
    out.append(Indicator("quarter_rate_mean", "全年平均执行率", mean, "rate",
                         "四个季度执行率（不封顶）之和 ÷ 4", used))
    return out


def _procurement(i: Inputs) -> list[Indicator]:
    p = i.procurement
    return [
        _ratio("procurement_execution_rate", "政府采购执行率", "实际采购金额 ÷ 政府采购计划金额 × 100%",
               p.contracted, p.plan, _used(i, "procurement.contracted", "procurement.plan")),
        _ratio("procurement_payment_rate", "政府采购支付进度", "实际支付金额 ÷ 实际采购金额 × 100%",
               p.paid, p.contracted, _used(i, "procurement.paid", "procurement.contracted")),
    ]


def _sangong(i: Inputs) -> list[Indicator]:
    s = i.sangong
    out = [_ratio("sangong_control_rate", "“三公”经费控制率", "“三公”经费实际支出数 ÷ “三公”经费预算安排数 × 100%",
                  s.actual, s.budget, _used(i, "sangong.actual", "sangong.budget"))]
    for cat, zh in SANGONG_CATEGORIES:
        actual = getattr(s, f"{cat}_actual")
        if actual is not None:
            out.append(_amount(f"sangong_{cat}_actual", f"{zh}实际支出", "填报数", actual,
                               _used(i, f"sangong.{cat}_actual")))
    if s.prior_budget is not None:
        out.append(_ratio("sangong_change_rate", "“三公”经费变动率",
                          "(本年“三公”经费预算 − 上年预算) ÷ 上年预算 × 100%", s.budget - s.prior_budget,
                          s.prior_budget, _used(i, "sangong.budget", "sangong.prior_budget"), rounded=False))
    return out


def _daily_public(i: Inputs) -> list[Indicator]:
    d = i.daily_public
    return [_ratio("daily_public_control_rate", "日常公用经费控制率", "日常公用经费决算数 ÷ 日常公用经费调整预算数 × 100%",
                   d.actual, d.adjusted_budget, _used(i, "daily_public.actual", "daily_public.adjusted_budget"))]


def _assets(i: Inputs) -> list[Indicator]:
    a = i.assets
    in_use = [g for g in a.groups if g.status == "在用"]
    pending = [g for g in a.groups if g.status == "待处置"]

    def cells(status: str, column: str) -> tuple[Used, ...]:
        # Each figure cites exactly the cells it adds up: the groups of that status, that column.
        return tuple(_cited(f"assets.groups[{k}].{column}", getattr(g, column))
                     for k, g in enumerate(a.groups) if g.status == status)

    return [
        _ratio("asset_utilization_rate", "固定资产利用率", "实际在用固定资产原值 ÷ 所有固定资产原值 × 100%",
               sum((g.value for g in in_use), ZERO), a.total_value,
               cells("在用", "value") + _used(i, "assets.total_value"), num_terms=max(len(in_use), 1)),
        _count("assets_in_use_count", "在用资产数量（件）", "状态为“在用”的资产件数之和",
               sum(g.count for g in in_use), cells("在用", "count")),
        _amount("assets_in_use_value", "在用资产原值", "状态为“在用”的资产原值之和", sum((g.value for g in in_use), ZERO),
                cells("在用", "value")),
        _count("assets_pending_count", "待处置资产数量（件）", "状态为“待处置”的资产件数之和",
               sum(g.count for g in pending), cells("待处置", "count")),
        _amount("assets_pending_value", "待处置资产原值", "状态为“待处置”的资产原值之和",
                sum((g.value for g in pending), ZERO), cells("待处置", "value")),
    ]


def _staff(i: Inputs) -> list[Indicator]:
    s = i.staff
    return [
        _ratio("staff_control_rate", "财政供养人员控制率", "在编人数 ÷ 核定编制数 × 100%", Decimal(s.on_payroll),
               Decimal(s.authorized), _used(i, "staff.on_payroll", "staff.authorized"), rounded=False),
        _ratio("outside_staff_rate", "编外人员控制率", "编外人员（劳务派遣 + 直接聘用）÷（在编 + 编外）× 100%",
               Decimal(s.outside), Decimal(s.on_payroll + s.outside),
               _used(i, "staff.dispatched", "staff.direct_hire", "staff.on_payroll"), rounded=False,
               den_of=("在编人数与编外人员之和", "staff.on_payroll")),
    ]


def _projects(i: Inputs) -> list[Indicator]:
    ps = i.projects
    used = tuple(_cited(f"projects[{k}].status", p.status) for k, p in enumerate(ps))
    money_used = tuple(_cited(f"projects[{k}].{c}", getattr(p, c)) for k, p in enumerate(ps) for c in ("spent", "budget"))
    on_time = sum(1 for p in ps if p.status == "按期完成")
    return [
        _ratio("project_budget_execution_rate", "项目预算执行率", "各项目实际支出之和 ÷ 各项目调整后预算之和 × 100%",
               sum((p.spent for p in ps), ZERO), sum((p.budget for p in ps), ZERO), money_used,
               num_terms=max(len(ps), 1), den_terms=max(len(ps), 1),
               den_of=("各项目调整后预算之和" if ps else "项目清单（未填写任何项目）", "projects")),
        _count("projects_planned", "计划完成项目数", "项目清单行数", len(ps), used),
        _count("projects_on_time", "按期完成项目数", "状态为“按期完成”的项目数", on_time, used),
        _ratio("project_on_time_rate", "项目按期完成率", "按期完成项目数 ÷ 计划完成项目总数 × 100%",
               Decimal(on_time), Decimal(len(ps)), used, rounded=False,
               den_of=("计划完成项目数（项目清单未填写任何项目）", "projects")),
    ]


def _key_tasks(i: Inputs) -> list[Indicator]:
    used = tuple(_cited(f"key_tasks[{k}].finished", t.finished) for k, t in enumerate(i.key_tasks))
    return [
        _count("key_tasks_total", "重点工作数", "重点工作清单行数", len(i.key_tasks), used),
        _count("key_tasks_unfinished", "未完成重点工作数", "“是否完成”为否的重点工作数",
               sum(1 for t in i.key_tasks if not t.finished), used),
    ]


def _petitions(i: Inputs) -> list[Indicator]:
    p = i.petitions
    out = [_count("petition_channel", "群众意见反映渠道和回复机制", "已建立为 1，否则为 0", int(p.channel_exists),
                  _used(i, "petitions.channel_exists"))]
    for id_, name, num_field, rate_field in (
        ("petition_reply_rate", "信访回复率", "replied", "reply_rate"),
        ("petition_on_time_rate", "信访按时回复率", "replied_on_time", "on_time_rate"),
    ):
        num = getattr(p, num_field)
        if p.received is not None and num is not None:
            if p.received == 0:
                # Nothing received means nothing left unanswered: the rate is 100 %.
                out.append(Indicator(id_, name, ONE, "rate", f"{name} = 回复件数 ÷ 收到件数；未收到信访件，按 100% 计",
                                     _used(i, "petitions.received", f"petitions.{num_field}"),
                                     note="未收到信访件，按 100% 计"))
            else:
                out.append(_ratio(id_, name, f"{label_of('petitions.' + num_field)} ÷ 收到信访件数 × 100%",
                                  Decimal(num), Decimal(p.received),
                                  _used(i, f"petitions.{num_field}", "petitions.received"), rounded=False))
        else:
            rate = getattr(p, rate_field)
            out.append(Indicator(id_, name, rate, "rate", "填报的比率", _used(i, f"petitions.{rate_field}"),
                                 note="" if rate is not None else "未填写信访件数或比率"))
    return out


def _satisfaction(i: Inputs) -> list[Indicator]:
    rates: list[Decimal] = []
    used: list[Used] = []
    for k, s in enumerate(i.surveys):
        if s.rate is not None:
            rates.append(s.rate)
            used.append(Used(f"surveys[{k}].rate", label_of(f"surveys[{k}].rate"), s.rate))
        elif s.respondents:
            rates.append(div(Decimal(s.satisfied or 0), Decimal(s.respondents)))  # type: ignore[arg-type]
            used.append(Used(f"surveys[{k}].satisfied", label_of(f"surveys[{k}].satisfied"), s.satisfied))
            used.append(Used(f"surveys[{k}].respondents", label_of(f"surveys[{k}].respondents"), s.respondents))
    mean = div(sum(rates, ZERO), Decimal(len(rates))) if rates else None
    return [Indicator("satisfaction_rate", "公众或服务对象满意度",
                      mean, "rate", "各项满意度调查的满意率（满意人数 ÷ 调查人数）的平均值", tuple(used),
                      note="" if rates else "未填写满意度调查")]


def _adjustments(i: Inputs) -> list[Indicator]:
    used = tuple(Used(f"adjustments[{k}].amount", label_of(f"adjustments[{k}].amount"), a.amount)
                 for k, a in enumerate(i.adjustments)) + _used(i, "budget.initial.total")
    total = sum((abs(a.amount) for a in i.adjustments), ZERO)
    return [
        _amount("adjustments_total", "累计调整调剂金额", "各项调整调剂金额绝对值之和", total, used),
        _ratio("adjustment_ratio", "调整调剂比例", "累计调整调剂金额 ÷ 年初预算总额 × 100%", total,
               i.budget.initial.total, used, num_terms=max(len(i.adjustments), 1)),
    ]


def _targets(i: Inputs) -> list[Indicator]:
    # A target is judged by comparing its 目标值 with its 实际完成值: both cells are cited.
    used = tuple(Used(f"targets[{k}].{c}", label_of(f"targets[{k}].{c}"), getattr(t, c))
                 for k, t in enumerate(i.targets) for c in ("target", "actual"))
    statuses: list[str] = []
    if i.targets:
        from .targets import judge  # only when needed: its word tables cost the CLI ~5 ms to import

        statuses = [judge(t.target, t.actual).status for t in i.targets]
    return [
        _count("targets_total", "绩效目标数", "绩效目标表行数", len(statuses), used),
        _count("targets_met", "已达成的绩效目标数", "实际完成值与目标值对比为“达成”的项数", statuses.count("达成"), used),
        _count("targets_missed", "未达成的绩效目标数", "实际完成值与目标值对比为“未达成”的项数", statuses.count("未达成"),
               used),
        _count("targets_unjudged", "需人工判断的绩效目标数", "无法自动对比、需评价人判断的项数",
               statuses.count("待判断"), used),
    ]


# Every indicator ``compute`` can produce, in display order: (id, name, unit). Some
# appear only when their inputs are given (year-on-year figures need last year's
# budget). System files are checked against it; the template lays out one row each.
CATALOG: tuple[tuple[str, str, str], ...] = (
    ("budget_execution_rate", "预算执行率", "rate"),
    ("basic_execution_rate", "基本支出预算执行率", "rate"),
    ("project_execution_rate", "项目支出预算执行率", "rate"),
    ("midyear_adjustment", "年中调整金额", "amount"),
    ("budget_control_rate", "预算控制率（年中追加比例）", "rate"),
    ("yoy_change_total", "预算总额比上年增减额", "amount"),
    ("yoy_rate_total", "预算总额比上年增减率", "rate"),
    ("yoy_change_basic", "基本支出预算比上年增减额", "amount"),
    ("yoy_rate_basic", "基本支出预算比上年增减率", "rate"),
    ("yoy_change_project", "项目支出预算比上年增减额", "amount"),
    ("yoy_rate_project", "项目支出预算比上年增减率", "rate"),
    *((f"quarter_{kind}_{k}", f"第{k}季度{zh}", "rate") for k in range(1, 5)
      for kind, zh in (("progress", "支出进度"), ("rate", "预算执行率"))),
    ("quarter_rate_mean", "全年平均执行率", "rate"),
    ("procurement_execution_rate", "政府采购执行率", "rate"),
    ("procurement_payment_rate", "政府采购支付进度", "rate"),
    ("sangong_control_rate", "“三公”经费控制率", "rate"),
    *((f"sangong_{cat}_actual", f"{zh}实际支出", "amount") for cat, zh in SANGONG_CATEGORIES),
    ("sangong_change_rate", "“三公”经费变动率", "rate"),
    ("daily_public_control_rate", "日常公用经费控制率", "rate"),
    ("asset_utilization_rate", "固定资产利用率", "rate"),
    ("assets_in_use_count", "在用资产数量（件）", "count"),
    ("assets_in_use_value", "在用资产原值", "amount"),
    ("assets_pending_count", "待处置资产数量（件）", "count"),
    ("assets_pending_value", "待处置资产原值", "amount"),
    ("staff_control_rate", "财政供养人员控制率", "rate"),
    ("outside_staff_rate", "编外人员控制率", "rate"),
    ("project_budget_execution_rate", "项目预算执行率", "rate"),
    ("projects_planned", "计划完成项目数", "count"),
    ("projects_on_time", "按期完成项目数", "count"),
    ("project_on_time_rate", "项目按期完成率", "rate"),
    ("key_tasks_total", "重点工作数", "count"),
    ("key_tasks_unfinished", "未完成重点工作数", "count"),
    ("petition_channel", "群众意见反映渠道和回复机制", "count"),
    ("petition_reply_rate", "信访回复率", "rate"),
    ("petition_on_time_rate", "信访按时回复率", "rate"),
    ("satisfaction_rate", "公众或服务对象满意度", "rate"),
    ("adjustments_total", "累计调整调剂金额", "amount"),
    ("adjustment_ratio", "调整调剂比例", "rate"),
    ("targets_total", "绩效目标数", "count"),
    ("targets_met", "已达成的绩效目标数", "count"),
    ("targets_missed", "未达成的绩效目标数", "count"),
    ("targets_unjudged", "需人工判断的绩效目标数", "count"),
)
KNOWN_IDS = frozenset(id_ for id_, _, _ in CATALOG)
NAMES = {id_: name for id_, name, _ in CATALOG}


MISSING_NOTE = "缺少计算所需的数据"


def missing(id_: str) -> Indicator:
    """Stand-in for an indicator whose inputs were not given."""
    return Indicator(id_, NAMES.get(id_, id_), None, "rate", "", note=MISSING_NOTE)
