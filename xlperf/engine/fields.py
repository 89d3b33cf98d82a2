"""Input field paths: their Chinese labels and kinds, and building ``Inputs`` from plain data.

A nested plain dict (as JSON would give, or as the workbook reader produces) is
turned into typed ``Inputs``; every missing or mistyped field is collected.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from . import paths
from .bounds import LIMITS, out_of_range, shown_number
from ..errors import InputError, Problem
from .inputs import (
    Adjustment,
    AssetGroup,
    Assets,
    Budget,
    BudgetStage,
    DailyPublic,
    EvaluatorEntry,
    Inputs,
    KeyTask,
    PerformanceTarget,
    Petitions,
    Procurement,
    Project,
    Quarterly,
    SanGong,
    Staff,
    Survey,
    validate,
)
from .messages import message, text_of
from .money import D

# path → (label, kind). kind: amount | rate | count | int | bool | text | date;
# a trailing "?" marks an optional field.
SCALARS: dict[str, tuple[str, str]] = {
    "unit": ("单位名称", "text"),
    "year": ("评价年度", "int"),
    **{
        f"budget.{stage}.{part}": (f"{stage_zh}{part_zh}", "amount" + ("?" if opt else ""))
        for stage, stage_zh in (("initial", "年初预算"), ("adjusted", "调整后预算"), ("spent", "全年支出"))
        for part, part_zh, opt in (
            ("total", "合计", False),
            ("basic", "基本支出", False),
            ("project", "项目支出", False),
            ("personnel", "人员经费", True),
            ("public", "公用经费", True),
        )
    },
    **{
        f"budget.prior_year.{part}": (f"上年预算{part_zh}", "amount?")
        for part, part_zh in (("total", "合计"), ("basic", "基本支出"), ("project", "项目支出"))
    },
    **{f"quarterly.cumulative[{i}]": (f"第{i + 1}季度末累计支出", "amount?") for i in range(4)},
    **{f"quarterly.progress[{i}]": (f"第{i + 1}季度末累计支出进度", "rate?") for i in range(4)},
    "procurement.plan": ("政府采购计划金额", "amount"),
    "procurement.contracted": ("实际采购金额", "amount"),
    "procurement.paid": ("实际支付采购金额", "amount"),
    "sangong.budget": ("“三公”经费预算数", "amount"),
    "sangong.actual": ("“三公”经费实际支出数", "amount"),
    "sangong.prior_budget": ("上年“三公”经费预算数", "amount?"),
    **{
        f"sangong.{cat}_{kind}": (f"{zh}{kind_zh}", "amount?")
        for cat, zh in (
            ("outbound", "因公出国(境)费"),
            ("reception", "公务接待费"),
            ("vehicle_purchase", "公务用车购置费"),
            ("vehicle_operation", "公务用车运行维护费"),
        )
        for kind, kind_zh in (("budget", "预算数"), ("actual", "实际数"))
    },
    "daily_public.adjusted_budget": ("日常公用经费调整预算数", "amount"),
    "daily_public.actual": ("日常公用经费决算数", "amount"),
    "assets.total_count": ("固定资产总数（件）", "count"),
    "assets.total_value": ("固定资产原值合计", "amount"),
    "staff.authorized": ("核定编制数", "count"),
    "staff.on_payroll": ("在编人数", "count"),
    "staff.dispatched": ("劳务派遣人数", "count?"),
    "staff.direct_hire": ("直接聘用编外人数", "count?"),
    "petitions.channel_exists": ("已建立群众意见反映渠道和回复机制", "bool"),
    "petitions.received": ("收到信访件数", "count?"),
    "petitions.replied": ("已回复件数", "count?"),
    "petitions.replied_on_time": ("按时回复件数", "count?"),
    "petitions.reply_rate": ("信访回复率", "rate?"),
    "petitions.on_time_rate": ("信访按时回复率", "rate?"),
}

# table → (label, {column: (label, kind)})
TABLES: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "projects": (
        "项目清单",
        {
            "name": ("项目名称", "text"),
            "budget": ("调整后预算", "amount"),
            "spent": ("实际支出", "amount"),
            "status": ("完成状态", "text"),
            "planned_finish": ("计划完成日期", "date?"),
            "actual_finish": ("实际完成日期", "date?"),
        },
    ),
    "assets.groups": (
        "固定资产",
        {
            "name": ("资产名称或类别", "text?"),
            "status": ("状态", "text"),
            "count": ("数量（件）", "count"),
            "value": ("原值", "amount"),
        },
    ),
    "key_tasks": (
        "重点工作",
        {"name": ("工作任务", "text"), "source": ("交办来源", "text?"), "finished": ("是否完成", "bool")},
    ),
    "surveys": (
        "满意度调查",
        {
            "name": ("调查名称", "text"),
            "respondents": ("调查人数", "count?"),
            "satisfied": ("满意人数", "count?"),
            "rate": ("满意率", "rate?"),
        },
    ),
    "adjustments": (
        "预算调整",
        {"description": ("调整事项", "text"), "amount": ("调整金额", "amount"), "date": ("日期", "date?")},
    ),
    "targets": (
        "绩效目标",
        {
            "level1": ("一级指标", "text?"),
            "level2": ("二级指标", "text?"),
            "name": ("三级指标", "text"),
            "target": ("目标值", "text"),
            "actual": ("实际完成值", "text?"),
        },
    ),
}

_INDEXED = re.compile(r"^(?P<table>[a-z_.]+)\[(?P<row>\d+)\](?:\.(?P<col>\w+))?$")


def label_of(path: str) -> str:
    """'projects[2].status' → '项目清单第 3 行“完成状态”'."""
    if path in SCALARS:
        return SCALARS[path][0]
    m = _INDEXED.match(path)
    if m and m["table"] in TABLES:
        table_label, columns = TABLES[m["table"]]
        row = f"{table_label}第 {int(m['row']) + 1} 行"
        col = m["col"]
        return f"{row}“{columns[col][0]}”" if col in columns else row
    if path.startswith("evaluator."):
        return f"评价项 {path.removeprefix('evaluator.')}"
    return path


def kind_of(path: str) -> str:
    if path in SCALARS:
        return SCALARS[path][1]
    m = _INDEXED.match(path)
    if m and m["table"] in TABLES and m["col"]:
        return TABLES[m["table"]][1].get(m["col"], ("", "text?"))[1]
    return "text?"


class _Builder:
    """Pulls typed values out of a nested plain dict, recording problems by path."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.problems: list[Problem] = []

    def problem(self, code: str, path: str, value: object = "", **kw: object) -> None:
        self.problems.append(Problem(code, message(code, field=path, value=value, **kw), field=path, value=str(text_of(value))))

    def raw(self, path: str) -> Any:
        return paths.get(self.data, path)

    def get(self, path: str, kind: str | None = None, node: Any = ..., required: bool | None = None) -> Any:
        kind = kind or kind_of(path)
        optional = kind.endswith("?")
        kind = kind.rstrip("?")
        value = self.raw(path) if node is ... else node
        if _blank(value):
            if not optional if required is None else required:
                self.problem("REQUIRED", path)
            return None
        if isinstance(value, float) and kind in ("amount", "rate", "count", "int"):
            self.problem("NOT_EXACT", path, value)
            return None
        bound = _out_of_range(value, kind)
        if bound:  # checked before converting: int() of 1E+999999999 never ends
            self.problem("OUT_OF_RANGE", path, shown_number(value), expected=bound)
            return None
        try:
            return convert(value, kind)
        except (ValueError, TypeError):
            code = {"amount": "NOT_NUMBER", "rate": "NOT_NUMBER", "count": "NOT_INTEGER", "int": "NOT_INTEGER",
                    "bool": "NOT_BOOL", "date": "NOT_DATE"}.get(kind, "NOT_NUMBER")
            self.problem(code, path, value)
            return None


def _out_of_range(value: Any, kind: str) -> str | None:
    if kind not in LIMITS or isinstance(value, bool):
        return None
    try:
        text = value.strip().rstrip("%％") if isinstance(value, str) else value
        return out_of_range(D(text), kind)
    except (ValueError, TypeError, ArithmeticError):
        return None  # not a number at all: convert says so


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "已完成", "完成"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "未完成"}


def convert(value: Any, kind: str) -> Any:
    """Convert one plain value to the field's kind; ValueError when it does not fit."""
    if kind == "text":
        return str(value).strip()
    if kind in ("amount", "rate"):
        if isinstance(value, float):
            raise ValueError("float")  # exact decimals only: pass str or Decimal
        if kind == "rate" and isinstance(value, str) and value.strip().endswith(("%", "％")):
            return D(value.strip()[:-1]) / 100
        return D(value)
    if kind in ("count", "int"):
        number = D(value) if not isinstance(value, int) else Decimal(value)
        if number != number.to_integral_value():
            raise ValueError("not integer")
        return int(number)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("not bool")
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip()[:10].replace("/", "-"))
        except ValueError:
            raise ValueError("not date") from None
    raise ValueError(kind)


def inputs_from_dict(data: dict[str, Any]) -> Inputs:
    """Build and validate ``Inputs`` from nested plain data; InputError lists every problem."""
    b = _Builder(data)
    g = b.get

    def stage(name: str, required: bool = True) -> BudgetStage | None:
        vals = {p: g(f"budget.{name}.{p}", required=None if required else False) for p in
                ("total", "basic", "project", "personnel", "public")}
        if not required and vals["total"] is None:
            return None
        return BudgetStage(**{k: v if v is not None or k in ("personnel", "public") else Decimal(0)
                              for k, v in vals.items()})

    def rows(table: str) -> list[dict[str, Any]]:
        raw = b.raw(table) or []
        columns = TABLES[table][1]
        result = []
        for i, row in enumerate(raw):
            result.append({col: g(f"{table}[{i}].{col}", kind, node=(row or {}).get(col))
                           for col, (_, kind) in columns.items()})
        return result

    cumulative = [g(f"quarterly.cumulative[{i}]") for i in range(4)]
    progress = [g(f"quarterly.progress[{i}]") for i in range(4)]
    quarterly = Quarterly(
        cumulative=tuple(cumulative) if all(v is not None for v in cumulative) else None,
        progress=tuple(progress) if all(v is not None for v in progress) else None,
    )
    if quarterly.cumulative is None and quarterly.progress is None:
        # Name the quarters left blank of a partly filled series; nothing at all: the first.
        given = {name: [not _blank(b.raw(f"quarterly.{name}[{i}]")) for i in range(4)]
                 for name in ("cumulative", "progress")}
        name = "progress" if any(given["progress"]) and not any(given["cumulative"]) else "cumulative"
        blanks = [i for i, filled in enumerate(given[name]) if not filled] if any(given[name]) else [0]
        for i in blanks:
            b.problem("REQUIRED", f"quarterly.{name}[{i}]")

    def opt(path: str) -> Any:
        return g(path)

    sangong_fields = {
        k.split(".", 1)[1]: opt(k) for k in SCALARS if k.startswith("sangong.")
    }
    asset_rows = rows("assets.groups")
    inputs_kwargs = dict(
        unit=g("unit") or "",
        year=g("year") or 0,
        budget=Budget(initial=stage("initial"), adjusted=stage("adjusted"), spent=stage("spent"),
                      prior_year=stage("prior_year", required=False)),
        quarterly=quarterly,
        procurement=Procurement(*(g(f"procurement.{p}") or Decimal(0) for p in ("plan", "contracted", "paid"))),
        sangong=SanGong(**{k: (v if v is not None or k not in ("budget", "actual") else Decimal(0))
                           for k, v in sangong_fields.items()}),
        daily_public=DailyPublic(g("daily_public.adjusted_budget") or Decimal(0), g("daily_public.actual") or Decimal(0)),
        assets=Assets(
            total_count=g("assets.total_count") or 0,
            total_value=g("assets.total_value") or Decimal(0),
            groups=tuple(AssetGroup(status=r["status"] or "", count=r["count"] or 0, value=r["value"] or Decimal(0),
                                    name=r["name"] or "") for r in asset_rows),
        ),
        staff=Staff(g("staff.authorized") or 0, g("staff.on_payroll") or 0, g("staff.dispatched") or 0,
                    g("staff.direct_hire") or 0),
        projects=tuple(Project(r["name"] or "", r["budget"] or Decimal(0), r["spent"] or Decimal(0), r["status"] or "",
                               r["planned_finish"], r["actual_finish"]) for r in rows("projects")),
        key_tasks=tuple(KeyTask(r["name"] or "", r["source"] or "", bool(r["finished"])) for r in rows("key_tasks")),
        petitions=Petitions(bool(g("petitions.channel_exists")), *(opt(f"petitions.{p}") for p in
                            ("received", "replied", "replied_on_time", "reply_rate", "on_time_rate"))),
        surveys=tuple(Survey(r["name"] or "", r["respondents"], r["satisfied"], r["rate"]) for r in rows("surveys")),
        adjustments=tuple(Adjustment(r["description"] or "", r["amount"] or Decimal(0), r["date"])
                          for r in rows("adjustments")),
        targets=tuple(PerformanceTarget(r["level1"] or "", r["level2"] or "", r["name"] or "", r["target"] or "",
                                        r["actual"] or "") for r in rows("targets")),
        evaluator=_evaluator(b),
        stated={k: g(f"stated.{k}", "amount") for k in (b.raw("stated") or {})},
    )
    inputs = Inputs(**inputs_kwargs)
    failed = frozenset(p.field for p in b.problems)
    problems = b.problems + [p for p in validate(inputs, skip=failed) if p.code not in ("REQUIRED",) or not b.problems]
    if problems:
        raise InputError(problems)
    return inputs


def _evaluator(b: _Builder) -> dict[str, EvaluatorEntry]:
    entries: dict[str, EvaluatorEntry] = {}
    for key, raw in (b.raw("evaluator") or {}).items():
        path = f"evaluator.{key}"
        raw = raw or {}
        ticks = raw.get("ticks")
        entries[key] = EvaluatorEntry(
            ticks=tuple(b.get(f"{path}.ticks[{i}]", "bool", node=t) or False for i, t in enumerate(ticks))
            if ticks is not None else None,
            count=b.get(f"{path}.count", "count?", node=raw.get("count")),
            choice=b.get(f"{path}.choice", "text?", node=raw.get("choice")),
            points=b.get(f"{path}.points", "amount?", node=raw.get("points")),
            flag=b.get(f"{path}.flag", "bool?", node=raw.get("flag")),
            reason=str(raw.get("reason") or "").strip(),
        )
    return entries
