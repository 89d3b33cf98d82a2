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
from .messages import message, text_of
from .money import ONE

# Any rate typed by a person beyond this is almost surely a percentage typed as 98.7 (for 98.7 %).
# The one limit: the engine refuses it, the workbook reader names it, the template's validation stops it.
MAX_SENSIBLE_RATE = Decimal("1.5")


@dataclass(frozen=True)
class BudgetStage:
    """One column of the budget: 年初预算, 调整后预算 or 全年支出."""

    total: Decimal
    basic: Decimal
    project: Decimal
    personnel: Decimal | None = None  # 人员经费 (part of 基本支出)
    public: Decimal | None = None  # 公用经费 (part of 基本支出)


@dataclass(frozen=True)
class Budget:
    initial: BudgetStage
    adjusted: BudgetStage
    spent: BudgetStage
    prior_year: BudgetStage | None = None  # last year's 年初预算, for year-on-year change


@dataclass(frozen=True)
class Quarterly:
    """Cumulative spending at the end of March / June / September / December.

    Either the amounts or, when only the report's percentages are known, the
    progress rates (cumulative ÷ adjusted budget).
    """

    cumulative: tuple[Decimal, Decimal, Decimal, Decimal] | None = None
    progress: tuple[Decimal, Decimal, Decimal, Decimal] | None = None


@dataclass(frozen=True)
class Procurement:
    plan: Decimal  # 政府采购计划金额
    contracted: Decimal  # 实际采购(成交)金额
    paid: Decimal  # 实际支付金额


@dataclass(frozen=True)
class SanGong:
    """“三公”经费: totals, optionally broken into the four categories."""

    budget: Decimal
    actual: Decimal
    prior_budget: Decimal | None = None  # last year's budgeted 三公, for 变动率
    outbound_budget: Decimal | None = None  # 因公出国(境)费
    outbound_actual: Decimal | None = None
    reception_budget: Decimal | None = None  # 公务接待费
    reception_actual: Decimal | None = None
    vehicle_purchase_budget: Decimal | None = None  # 公务用车购置费
    vehicle_purchase_actual: Decimal | None = None
    vehicle_operation_budget: Decimal | None = None  # 公务用车运行维护费
    vehicle_operation_actual: Decimal | None = None


SANGONG_CATEGORIES = (
    ("outbound", "因公出国(境)费"),
    ("reception", "公务接待费"),
    ("vehicle_purchase", "公务用车购置费"),
    ("vehicle_operation", "公务用车运行维护费"),
)


@dataclass(frozen=True)
class DailyPublic:
    """日常公用经费."""

    adjusted_budget: Decimal
    actual: Decimal


ASSET_STATUSES = ("在用", "待处置", "闲置", "出租出借", "待报废", "其他")


@dataclass(frozen=True)
class AssetGroup:
    """Fixed assets of one status (or one item when counted singly)."""

    status: str
    count: int
    value: Decimal  # 原值
    name: str = ""


@dataclass(frozen=True)
class Assets:
    """固定资产: the stated totals and the groups by status (or an item list)."""

    total_count: int
    total_value: Decimal
    groups: tuple[AssetGroup, ...] = ()


@dataclass(frozen=True)
class Staff:
    authorized: int  # 核定编制数
    on_payroll: int  # 在编人数
    dispatched: int = 0  # 劳务派遣
    direct_hire: int = 0  # 直接聘用的编外人员

    @property
    def outside(self) -> int:
        return self.dispatched + self.direct_hire


PROJECT_STATUSES = ("按期完成", "逾期完成", "未完成")


@dataclass(frozen=True)
class Project:
    name: str
    budget: Decimal  # 调整后预算
    spent: Decimal
    status: str  # one of PROJECT_STATUSES
    planned_finish: dt.date | None = None
    actual_finish: dt.date | None = None


@dataclass(frozen=True)
class KeyTask:
    name: str
    source: str  # 交办/下达单位
    finished: bool


@dataclass(frozen=True)
class Petitions:
    """群众信访: counts, or the rates when only rates are reported."""

    channel_exists: bool
    received: int | None = None
    replied: int | None = None
    replied_on_time: int | None = None
    reply_rate: Decimal | None = None
    on_time_rate: Decimal | None = None


@dataclass(frozen=True)
class Survey:
    name: str
    respondents: int | None = None
    satisfied: int | None = None
    rate: Decimal | None = None


@dataclass(frozen=True)
class Adjustment:
    """A budget adjustment or 调剂 during the year (signed amount, 万元)."""

    description: str
    amount: Decimal
    date: dt.date | None = None


@dataclass(frozen=True)
class PerformanceTarget:
    """One line of the unit's 绩效目标表 with its actual value."""

    level1: str
    level2: str
    name: str
    target: str
    actual: str = ""


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
    unit: str
    year: int
    budget: Budget
    quarterly: Quarterly
    procurement: Procurement
    sangong: SanGong
    daily_public: DailyPublic
    assets: Assets
    staff: Staff
    projects: tuple[Project, ...] = ()
    key_tasks: tuple[KeyTask, ...] = ()
    petitions: Petitions = Petitions(channel_exists=False)
    surveys: tuple[Survey, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    targets: tuple[PerformanceTarget, ...] = ()
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
        problems.append(Problem(code, message(code, field=path, value=value, **kw), field=path, value=str(text_of(value))))

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
    for path, rate in shares:
        if rate is not None and ONE < rate <= MAX_SENSIBLE_RATE:  # beyond: RATE_TOO_LARGE
            add("RATE_ABOVE_100", path, rate)
    for i, sv in enumerate(inputs.surveys):
        if sv.rate is None and (sv.respondents is None or sv.satisfied is None):
            add("SURVEY_INCOMPLETE", f"surveys[{i}]", sv.name,
                tuple(f"surveys[{i}].{c}" for c in ("rate", "respondents", "satisfied")))
        if sv.respondents is not None and sv.satisfied is not None and sv.satisfied > sv.respondents:
            add("COUNT_EXCEEDS", f"surveys[{i}].satisfied", sv.satisfied, total=sv.respondents)
    for i, pr in enumerate(inputs.projects):
        if pr.status not in PROJECT_STATUSES:
            add("CHOICE", f"projects[{i}].status", pr.status, choices="/".join(PROJECT_STATUSES))
    del s
    return problems


_LEAVES = (str, bool, type(None), dt.date)
# Per record class: (field name, True when the field holds a number) — annotations are strings here.
_FIELD_NAMES: dict[type, tuple[tuple[str, bool], ...]] = {}
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
            (f.name, str(f.type).split(" |")[0] in _NUMERIC) for f in fields(obj)) if is_dataclass(obj) else ()
    for name, numeric in names:
        value = getattr(obj, name)
        if type(value) not in _LEAVES:
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
