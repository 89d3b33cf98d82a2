"""Typed inputs of one unit's evaluation, and their validation (every problem at once).

Amounts are 万元 as ``Decimal``; rates are fractions (0.986 for 98.6 %); counts are ints.
Field paths (``budget.adjusted.total``) name each input for messages and for the
workbook layout, which maps every path to a defined name or a table column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal

from ..errors import InputError, Problem
from .bounds import DATE_WINDOW
from .messages import text_of
from .money import ONE
from .schema import amount, count, date, flag, integer, rate, section, series, table, text

# Any rate typed by a person beyond this is almost surely a percentage typed as 98.7 (for 98.7 %).
# The one limit: the engine refuses it, the workbook reader names it, the template's validation stops it.
MAX_SENSIBLE_RATE = Decimal("1.5")


@dataclass(frozen=True)
class BudgetStage:
    """One column of the budget: 年初预算, 调整后预算 or 全年支出."""

    total: Decimal = amount("合计")
    basic: Decimal = amount("基本支出")
    project: Decimal = amount("项目支出")
    personnel: Decimal | None = amount("人员经费", default=None)  # part of 基本支出
    public: Decimal | None = amount("公用经费", default=None)  # part of 基本支出


_PRIOR_STAGE = ("total", "basic", "project")


@dataclass(frozen=True)
class Budget:
    initial: BudgetStage = section("年初预算")
    adjusted: BudgetStage = section("调整后预算")
    spent: BudgetStage = section("全年支出")
    # last year's 年初预算, for year-on-year change
    prior_year: BudgetStage | None = section("上年预算", optional=True, only=_PRIOR_STAGE, default=None)


@dataclass(frozen=True)
class Quarterly:
    """Cumulative spending at the end of March / June / September / December.

    Either the amounts or, when only the report's percentages are known, the
    progress rates (cumulative ÷ adjusted budget).
    """

    cumulative: tuple[Decimal, Decimal, Decimal, Decimal] | None = series("第{n}季度末累计支出", "amount", 4)
    progress: tuple[Decimal, Decimal, Decimal, Decimal] | None = series("第{n}季度末累计支出进度", "rate", 4)


@dataclass(frozen=True)
class Procurement:
    plan: Decimal = amount("政府采购计划金额")
    contracted: Decimal = amount("实际采购金额")  # 实际采购(成交)金额
    paid: Decimal = amount("实际支付采购金额")


@dataclass(frozen=True)
class SanGong:
    """“三公”经费: totals, optionally broken into the four categories."""

    budget: Decimal = amount("“三公”经费预算数")
    actual: Decimal = amount("“三公”经费实际支出数")
    prior_budget: Decimal | None = amount("上年“三公”经费预算数", default=None)  # for 变动率
    outbound_budget: Decimal | None = amount("因公出国(境)费预算数", default=None)
    outbound_actual: Decimal | None = amount("因公出国(境)费实际数", default=None)
    reception_budget: Decimal | None = amount("公务接待费预算数", default=None)
    reception_actual: Decimal | None = amount("公务接待费实际数", default=None)
    vehicle_purchase_budget: Decimal | None = amount("公务用车购置费预算数", default=None)
    vehicle_purchase_actual: Decimal | None = amount("公务用车购置费实际数", default=None)
    vehicle_operation_budget: Decimal | None = amount("公务用车运行维护费预算数", default=None)
    vehicle_operation_actual: Decimal | None = amount("公务用车运行维护费实际数", default=None)


SANGONG_CATEGORIES = (
    ("outbound", "因公出国(境)费"),
    ("reception", "公务接待费"),
    ("vehicle_purchase", "公务用车购置费"),
    ("vehicle_operation", "公务用车运行维护费"),
)


@dataclass(frozen=True)
class DailyPublic:
    """日常公用经费."""

    adjusted_budget: Decimal = amount("日常公用经费调整预算数")
    actual: Decimal = amount("日常公用经费决算数")


ASSET_STATUSES = ("在用", "待处置", "闲置", "出租出借", "待报废", "其他")


@dataclass(frozen=True)
class AssetGroup:
    """Fixed assets of one status (or one item when counted singly)."""

    status: str = text("状态")
    count: int = count("数量（件）")
    value: Decimal = amount("原值")
    name: str = text("资产名称或类别", default="")


@dataclass(frozen=True)
class Assets:
    """固定资产: the stated totals and the groups by status (or an item list)."""

    total_count: int = count("固定资产总数（件）")
    total_value: Decimal = amount("固定资产原值合计")
    groups: tuple[AssetGroup, ...] = table("固定资产", order=("name", "status", "count", "value"))


@dataclass(frozen=True)
class Staff:
    authorized: int = count("核定编制数")
    on_payroll: int = count("在编人数")
    dispatched: int = count("劳务派遣人数", default=0)
    direct_hire: int = count("直接聘用编外人数", default=0)  # 直接聘用的编外人员

    @property
    def outside(self) -> int:
        return self.dispatched + self.direct_hire


PROJECT_STATUSES = ("按期完成", "逾期完成", "未完成")


@dataclass(frozen=True)
class Project:
    name: str = text("项目名称")
    budget: Decimal = amount("调整后预算")
    spent: Decimal = amount("实际支出")
    status: str = text("完成状态")  # one of PROJECT_STATUSES
    planned_finish: dt.date | None = date("计划完成日期", default=None)
    actual_finish: dt.date | None = date("实际完成日期", default=None)


@dataclass(frozen=True)
class KeyTask:
    name: str = text("工作任务")
    source: str = text("交办来源", optional=True)  # 交办/下达单位
    finished: bool = flag("是否完成")


@dataclass(frozen=True)
class Petitions:
    """群众信访: counts, or the rates when only rates are reported."""

    channel_exists: bool = flag("已建立群众意见反映渠道和回复机制")
    received: int | None = count("收到信访件数", default=None)
    replied: int | None = count("已回复件数", default=None)
    replied_on_time: int | None = count("按时回复件数", default=None)
    reply_rate: Decimal | None = rate("信访回复率", default=None)
    on_time_rate: Decimal | None = rate("信访按时回复率", default=None)


@dataclass(frozen=True)
class Survey:
    name: str = text("调查名称")
    respondents: int | None = count("调查人数", default=None)
    satisfied: int | None = count("满意人数", default=None)
    rate: Decimal | None = rate("满意率", default=None)


@dataclass(frozen=True)
class Adjustment:
    """A budget adjustment or 调剂 during the year (signed amount, 万元)."""

    description: str = text("调整事项")
    amount: Decimal = amount("调整金额")
    date: dt.date | None = date("日期", default=None)


@dataclass(frozen=True)
class PerformanceTarget:
    """One line of the unit's 绩效目标表 with its actual value."""

    level1: str = text("一级指标", optional=True)
    level2: str = text("二级指标", optional=True)
    name: str = text("三级指标")
    target: str = text("目标值")
    actual: str = text("实际完成值", default="")


@dataclass(frozen=True)
class EvaluatorEntry:
    """What the evaluator entered for one input key of the indicator system.

    ``ticks`` for checklists, ``count`` for deductions, ``choice`` for tier
    choices, ``points`` for judgments, ``flag`` for vetoes; ``reason`` explains
    anything below the maximum.
    """

    ticks: tuple[bool, ...] | None = None
    count: int | None = None
    choice: str | None = None
    points: Decimal | None = None
    flag: bool | None = None
    reason: str = ""


@dataclass(frozen=True)
class Inputs:
    unit: str = text("单位名称")
    year: int = integer("评价年度")
    budget: Budget = section()
    quarterly: Quarterly = section()
    procurement: Procurement = section()
    sangong: SanGong = section()
    daily_public: DailyPublic = section()
    assets: Assets = section()
    staff: Staff = section()
    projects: tuple[Project, ...] = table("项目清单")
    key_tasks: tuple[KeyTask, ...] = table("重点工作")
    petitions: Petitions = section(default=Petitions(channel_exists=False))
    surveys: tuple[Survey, ...] = table("满意度调查")
    adjustments: tuple[Adjustment, ...] = table("预算调整")
    targets: tuple[PerformanceTarget, ...] = table("绩效目标")
    # Built by hand (their keys come from the indicator system and the report), so not in the schema:
    evaluator: dict[str, EvaluatorEntry] = field(default_factory=dict)
    # Figures as the unit's report states them (indicator id → value), checked
    # against the recomputation within the rounding envelope.
    stated: dict[str, Decimal] = field(default_factory=dict)


def validate(inputs: Inputs, skip: frozenset[str] = frozenset()) -> list[Problem]:
    """Every semantic problem in ``inputs``; an empty list means usable.

    ``skip``: paths already reported as missing or unreadable (and defaulted to 0 by
    the caller); a check that reads one of them would only repeat that problem.
    """
    problems: list[Problem] = []

    def add(code: str, path: str, value: object = "", reads: tuple[str, ...] = (), **kw: object) -> None:
        if path in skip or skip.intersection(reads):
            return
        problems.append(Problem.of(code, field=path, value=text_of(value), **kw))

    _walk_numbers(inputs, "", add)
    if any(p.code == "NOT_NUMBER" for p in problems):
        return problems  # the checks below do arithmetic on these values

    if not str(inputs.unit).strip():
        add("REQUIRED", "unit")
    if not 1990 <= inputs.year <= 2100:
        add("YEAR_RANGE", "year", inputs.year)

    q = inputs.quarterly
    if q.cumulative is None and q.progress is None:
        add("REQUIRED", "quarterly.cumulative")
    for name, seq in (("cumulative", q.cumulative), ("progress", q.progress)):
        if seq is not None and len(seq) != 4:
            add("QUARTERS", f"quarterly.{name}", len(seq))

    a = inputs.assets
    in_use = [g for g in a.groups if g.status == "在用"]
    if sum(g.count for g in in_use) > a.total_count:
        add("IN_USE_EXCEEDS", "assets.groups", sum(g.count for g in in_use), ("assets.total_count",),
            total=a.total_count)
    if sum((g.value for g in in_use), Decimal(0)) > a.total_value:
        add("IN_USE_EXCEEDS", "assets.groups", sum(g.value for g in in_use), ("assets.total_value",),
            total=a.total_value)
    for i, g in enumerate(a.groups):
        if g.status not in ASSET_STATUSES:
            add("CHOICE", f"assets.groups[{i}].status", g.status, choices="/".join(ASSET_STATUSES))

    s = inputs.staff
    p = inputs.petitions
    if p.received is not None:
        for name in ("replied", "replied_on_time"):
            got = getattr(p, name)
            if got is not None and got > p.received:
                add("COUNT_EXCEEDS", f"petitions.{name}", got, total=p.received)
        if p.replied is not None and p.replied_on_time is not None and p.replied_on_time > p.replied:
            add("COUNT_EXCEEDS", "petitions.replied_on_time", p.replied_on_time, total=p.replied)
    # Shares of a whole cannot pass 100 %: 1.2 is a typing error, not a bonus.
    shares = [(f"petitions.{n}", getattr(p, n)) for n in ("reply_rate", "on_time_rate")]
    shares += [(f"surveys[{i}].rate", sv.rate) for i, sv in enumerate(inputs.surveys)]
    for path, share in shares:
        if share is not None and ONE < share <= MAX_SENSIBLE_RATE:  # beyond: RATE_TOO_LARGE
            add("RATE_ABOVE_100", path, share)
    for i, sv in enumerate(inputs.surveys):
        if sv.rate is None and (sv.respondents is None or sv.satisfied is None):
            add("SURVEY_INCOMPLETE", f"surveys[{i}]", sv.name,
                tuple(f"surveys[{i}].{c}" for c in ("rate", "respondents", "satisfied")))
        if sv.respondents is not None and sv.satisfied is not None and sv.satisfied > sv.respondents:
            add("COUNT_EXCEEDS", f"surveys[{i}].satisfied", sv.satisfied, total=sv.respondents)
    for i, pr in enumerate(inputs.projects):
        if pr.status not in PROJECT_STATUSES:
            add("CHOICE", f"projects[{i}].status", pr.status, choices="/".join(PROJECT_STATUSES))
    first, last = DATE_WINDOW
    dated = [(f"projects[{i}].{name}", getattr(pr, name)) for i, pr in enumerate(inputs.projects)
             for name in ("planned_finish", "actual_finish")]
    dated += [(f"adjustments[{i}].date", adj.date) for i, adj in enumerate(inputs.adjustments)]
    for path, day in dated:
        if day is not None and not first <= day <= last:
            add("DATE_RANGE", path, day.isoformat())
    del s
    return problems


_LEAVES = (str, bool, type(None), dt.date)
# Per record class: (field name, whether it holds a number, whether its name says rate); annotations are
# strings here.
_FIELD_NAMES: dict[type, tuple[tuple[str, bool, bool], ...]] = {}
_NUMERIC = ("Decimal", "int")


def _walk_numbers(obj: object, path: str, add) -> None:
    """Negative amounts and counts, and rates beyond any sensible bound, anywhere."""
    kind = type(obj)
    if kind in _LEAVES:  # exact type checks: this walk visits every value of a large workbook
        return
    if kind is float:
        add("NOT_EXACT", path, obj)
        return
    if kind is Decimal or kind is int or isinstance(obj, Decimal | int):
        if obj < 0 and not _signed(path):
            add("NEGATIVE", path, obj)
        if obj > MAX_SENSIBLE_RATE and _is_rate(path):
            add("RATE_TOO_LARGE", path, obj)
        return
    if kind is tuple:
        for i, item in enumerate(obj):
            if type(item) not in _LEAVES:
                _walk_numbers(item, f"{path}[{i}]", add)
        return
    if kind is dict:
        for key, item in obj.items():
            _walk_numbers(item, f"{path}.{key}" if path else str(key), add)
        return
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(
            (f.name, str(f.type).split(" |")[0] in _NUMERIC, "rate" in f.name) for f in fields(obj)
        ) if is_dataclass(obj) else ()
    maybe_progress = path.startswith("quarterly")
    for name, numeric, rate_name in names:
        value = getattr(obj, name)
        if type(value) is Decimal or type(value) is int:
            # A number that cannot be reported adds nothing: no path is made for it (most fields of a long
            # list). Above the rate bound only a rate can be (a cheap superset of _is_rate, which decides).
            if value < 0 or (value > MAX_SENSIBLE_RATE and (rate_name or maybe_progress)):
                _walk_numbers(value, f"{path}.{name}" if path else name, add)
        elif type(value) not in _LEAVES:
            _walk_numbers(value, f"{path}.{name}" if path else name, add)
        elif numeric and type(value) is str:
            # Inputs built directly: text where an amount belongs (dicts go through fields.convert).
            add("NOT_NUMBER", f"{path}.{name}" if path else name, value)


def _signed(path: str) -> bool:
    # Adjustments can be reductions; stated figures such as year-on-year change can fall.
    return path.startswith("adjustments") or path.startswith("stated")


def _is_rate(path: str) -> bool:
    leaf = path.rsplit(".", 1)[-1]
    return "rate" in leaf or path.startswith("quarterly.progress")


def check(inputs: Inputs) -> Inputs:
    """Return ``inputs`` unchanged, or raise InputError listing every problem."""
    problems = validate(inputs)
    if problems:
        raise InputError(problems)
    return inputs
