"""The engine's one entry point: typed inputs + an indicator system → a Result.

Pure computation: no spreadsheet library is imported here or below.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from . import gaps
from . import findings as findings_mod
from . import indicators as indicators_mod
from .findings import Finding
from .indicators import Indicator
from ..errors import InputError
from .evaluator_check import check_evaluator
from .inputs import Inputs, validate
from .scoring import ItemScore, score_items, subtotals
from .system import System, load

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Result:
    system: System
    inputs: Inputs
    indicators: dict[str, Indicator]
    items: tuple[ItemScore, ...]
    level1: dict[str, Decimal]
    level2: dict[str, Decimal]
    total: Decimal
    findings: tuple[Finding, ...]

    def item(self, item_id: str) -> ItemScore:
        return next(s for s in self.items if s.item.id == item_id)

    def indicators_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{"id": i.id, "指标": i.name, "值": i.value, "单位": i.unit, "计算公式": i.formula}
                             for i in self.indicators.values()]).set_index("id")

    def items_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{"id": s.item.id, "一级指标": s.level1.name, "二级指标": s.level2.name,
                              "三级指标": s.item.name, "参考分值": s.item.points, "评分": s.points,
                              "扣分说明": s.reason} for s in self.items]).set_index("id")

    def findings_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{"代码": f.code, "级别": f.severity, "说明": f.message, "字段": f.field}
                             for f in self.findings], columns=["代码", "级别", "说明", "字段"])

    def to_dict(self) -> dict:
        """Plain JSON-ready data (decimals as strings)."""
        return {
            "unit": self.inputs.unit,
            "year": self.inputs.year,
            "system": {"id": self.system.id, "name": self.system.name, "sha256": self.system.sha256},
            "total": str(self.total),
            "level1": {n.name: str(self.level1[n.id]) for n in self.system.level1},
            "level2": {n.name: str(self.level2[n.id]) for n in self.system.level2},
            "items": [{"id": s.item.id, "name": s.item.name, "max": str(s.item.points), "points": str(s.points),
                       "rule": s.rule, "reason": s.reason} for s in self.items],
            "indicators": {i.id: {"name": i.name, "value": None if i.value is None else str(i.value),
                                  "unit": i.unit} for i in self.indicators.values()},
            "findings": [{"code": f.code, "severity": f.severity, "message": f.message, "field": f.field}
                         for f in self.findings],
        }


def evaluate(inputs: Inputs, system: System | str = "shenzhen-2024", *, validated: bool = False,
             checked: bool = False) -> Result:
    """Score ``inputs`` (validated first; InputError lists every problem) under ``system``.

    ``validated``: the inputs come from ``inputs_from_dict``, which already ran ``validate``.
    ``checked``: the evaluator's entries were already checked against this ``system`` (the book
    reader's load_inputs does, to locate what it finds); else they are checked here.
    """
    if isinstance(system, str):
        system = load(system)
    problems = ([] if validated else validate(inputs)) + ([] if checked else check_evaluator(system, inputs))
    if problems:
        raise InputError(problems)
    indicators = indicators_mod.compute(inputs)
    items, scoring_findings = score_items(system, inputs, indicators)
    level1, level2, total = subtotals(system, items)
    data_findings = findings_mod.check(inputs, indicators, _undefined_handling(system))
    data_findings += gaps.check(inputs, indicators, system) + gaps.flags_without_reason(system, inputs)
    return Result(system, inputs, indicators, tuple(items), level1, level2, total,
                  tuple(data_findings + scoring_findings))


def _undefined_handling(system: System) -> dict[str, str]:
    """How each rate used by the system is scored when its denominator is zero."""
    handling: dict[str, str] = {}
    for item in system.items:
        for params in item.rules:
            if "indicator" in params:
                full = params.get("if_undefined", "zero") == "full"
                handling[params["indicator"]] = f"“{item.name}”相应部分按{'满分' if full else ' 0 分'}计"
    return handling
