"""The evaluator sheet's rows, derived from an indicator system, and reading them back.

One row per atomic evaluator input: one per checklist criterion ticked by hand,
one per count, judgment, tier choice or flag. The same derivation serves the
template builder (what rows to lay out) and the reader (what each row means).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..engine.kinds import number
from ..engine.system import System, once_per_system

YES_NO = ("是", "否")
# The entry's field each kind of row fills (a tick fills one of its ticks).
FIELD = {"count": "count", "points": "points", "choice": "choice", "flag": "flag", "tick": "ticks"}


@dataclass(frozen=True)
class EvalRow:
    key: str  # "budget_reasonableness#2" for a checklist criterion, else the evaluator key
    item_id: str
    item: str  # 三级指标 name
    what: str  # 评价内容
    expects: str  # 填写要求, shown to the user
    kind: str  # tick | count | points | choice | flag
    choices: tuple[str, ...] = ()
    max_points: str = ""
    example: str = ""  # the value that means "full points", used by the template's defaults

    @cached_property  # asked per row of every fill; the rows are made once per system
    def input_key(self) -> str:
        return self.key.split("#", 1)[0]

    @cached_property  # asked per row of every fill; the rows are made once per system
    def path(self) -> str:
        """The engine's path of this row's value: evaluator.budget_compliance.count, ….ticks[1]."""
        base = f"evaluator.{self.input_key}.{FIELD[self.kind]}"
        return f"{base}[{int(self.key.split('#', 1)[1]) - 1}]" if self.kind == "tick" else base

    @cached_property  # asked per row of every fill; the rows are made once per system
    def label(self) -> str:
        """The row as the evaluator reads it on the sheet: its 三级指标 and 评价内容 (once, where the one
        begins with the other)."""
        return self.what if self.what.startswith(self.item) else f"{self.item}：{self.what}"


def evaluator_rows(system: System) -> list[EvalRow]:
    """The evaluator sheet's rows for a system (a fresh list; the frozen rows are worked out once)."""
    return list(_frozen_rows(system))


@once_per_system
def _frozen_rows(system: System) -> tuple[EvalRow, ...]:
    return tuple(_rows_of(system))


def _rows_of(system: System) -> list[EvalRow]:
    rows: list[EvalRow] = []
    for item in system.items:
        for params in item.rules:
            kind = params.get("kind", item.kind)
            label = params.get("name", item.name)
            if "veto" in params:
                rows.append(EvalRow(params["veto"], item.id, item.name, params.get("veto_text", "否决事项"),
                                    "是/否（是：本项得 0 分）", "flag", YES_NO, example="否"))
            if "full_if_flag" in params:
                rows.append(EvalRow(params["full_if_flag"], item.id, item.name,
                                    params.get("full_if_flag_text", "直接得满分的情形"), "是/否（是：本项直接得满分）",
                                    "flag", YES_NO, example="否"))
            if "input" not in params:
                continue
            key = params["input"]
            points = params.get("points", str(item.points))
            if kind == "checklist":
                manual = [c for c in params["checks"] if "when" not in c]
                for n, check in enumerate(manual, 1):
                    rows.append(EvalRow(f"{key}#{n}", item.id, item.name, f"{check['text']}（{check['points']}分）",
                                        "是/否", "tick", YES_NO, check["points"], "是"))
            elif kind == "deduction":
                rows.append(EvalRow(key, item.id, item.name, f"{params.get('what', '不符合项')}的项数",
                                    f"整数，每项扣 {params['per']} 分", "count", example="0"))
            elif kind == "judgment":
                rows.append(EvalRow(key, item.id, item.name, f"{label}：评价人评分",
                                    f"0–{points} 分，低于满分须填理由", "points", max_points=points, example=points))
            elif kind == "choice":
                options = tuple(o["value"] for o in params["options"])
                best = max(params["options"], key=lambda o: number(o["points"]))["value"]
                rows.append(EvalRow(key, item.id, item.name, f"{label}：档次", "从下拉列表选择", "choice",
                                    options, example=best))
    return rows


def evaluator_data(system: System, cells: dict[str, tuple[object, str]]) -> dict[str, dict]:
    """Nested plain data for ``inputs_from_dict``'s "evaluator" from row values.

    ``cells`` maps row key → (value as read, reason). Blank rows are left out,
    so the engine reports them as not filled in.
    """
    data: dict[str, dict] = {}
    for row in evaluator_rows(system):
        value, reason = cells.get(row.key, (None, ""))
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        entry = data.setdefault(row.input_key, {})
        if reason and not entry.get("reason"):
            entry["reason"] = reason
        if row.kind == "tick":
            index = int(row.key.split("#", 1)[1]) - 1
            ticks = entry.setdefault("ticks", [])
            ticks.extend(["否"] * (index + 1 - len(ticks)))
            ticks[index] = value
        else:
            entry[FIELD[row.kind]] = value
    return data
