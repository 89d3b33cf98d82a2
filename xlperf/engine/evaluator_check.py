"""Checking the evaluator's entries against the indicator system that will read them.

A tier that is not one of the item's options, points beyond a part's maximum or
more ticks than criteria are input errors, reported with every other problem
rather than silently scored as 0 or capped.
"""

from __future__ import annotations

from decimal import Decimal

from ..errors import Problem
from .inputs import Inputs
from .kinds import number
from .system import System


_FIELD = {"EVALUATOR_POINTS_RANGE": "points", "EVALUATOR_CHOICE": "choice", "EVALUATOR_TICKS": "ticks",
          "EVALUATOR_UNKNOWN_ITEM": "points"}


def check_evaluator(system: System, inputs: Inputs) -> list[Problem]:
    problems: list[Problem] = []
    items = {item.id: item for item in system.items}

    def add(code: str, key: str, value: object, item_name: str, **kw: object) -> None:
        # The path of the value itself (….points, ….choice): a workbook's reader knows its cell and words.
        path = f"evaluator.{key}.{_FIELD[code]}"
        problems.append(Problem.of(code, field=path, label=item_name, value=value, **kw))

    for key, item, params in system.evaluator_keys():
        entry = inputs.evaluator.get(key)
        if entry is None or key != params.get("input"):
            continue
        kind = params.get("kind", item.kind)
        label = params.get("name", item.name)
        if kind == "judgment" and entry.points is not None:
            top = number(params.get("points", item.points))
            if not Decimal(0) <= entry.points <= top:
                add("EVALUATOR_POINTS_RANGE", key, entry.points, label, expected=f"{top.normalize():f}")
        elif kind == "choice" and entry.choice is not None:
            options = [o["value"] for o in params["options"]]
            if entry.choice not in options:
                add("EVALUATOR_CHOICE", key, entry.choice, label, choices="/".join(options))
        elif kind == "checklist" and entry.ticks is not None:
            manual = sum(1 for c in params["checks"] if "when" not in c)
            if len(entry.ticks) > manual:
                add("EVALUATOR_TICKS", key, len(entry.ticks), label, expected=manual)
    for key, entry in inputs.evaluator.items():
        if key.startswith("override:") and entry.points is not None:
            item = items.get(key.removeprefix("override:"))
            if item is None:
                add("EVALUATOR_UNKNOWN_ITEM", key, key.removeprefix("override:"), key)
            elif not Decimal(0) <= entry.points <= item.points:
                add("EVALUATOR_POINTS_RANGE", key, entry.points, item.name, expected=f"{item.points.normalize():f}")
    return problems
