"""The closed set of rule kinds: each checks its parameters and scores one item or part.

A kind is a pair of small functions found by name in ``KINDS``: ``check(params,
points) -> list[str]`` (problems with the system file) and ``score(params,
points, ctx) -> Outcome``. Parameters are plain data from the system file.
"""

from __future__ import annotations

from decimal import Decimal

# The system file's numbers, intervals and conditions; importers of kinds keep finding them here.
from ..intervals import Interval, condition, holds, interval, number
from ..money import ZERO
from ..shown import lost_text
from .base import BAND_ON, PRINTED_PLACES, Ctx, KindCheck, KindScore, Outcome, edge_tests, entry_for, fmt, need
from .entries import (check_checklist, check_choice, check_deduction, check_judgment, score_checklist, score_choice,
                      score_deduction, score_judgment)
from .rates import (check_bands, check_linear, check_quarterly, check_rate_points, score_bands, score_linear,
                    score_quarterly, score_rate_points)

__all__ = ["KINDS", "INDICATOR_PARAMS", "EVALUATOR_PARAMS", "BAND_ON", "PRINTED_PLACES", "Ctx", "Outcome",
           "KindCheck", "KindScore", "edge_tests", "Interval", "condition", "holds", "interval", "number"]


def check_composite(params: dict, points: Decimal) -> list[str]:
    problems = need(params, "parts")
    parts = params.get("parts", [])
    total = sum((number(p.get("points", "0")) for p in parts), ZERO)
    if parts and total != points:
        problems.append(f"各部分分值之和 {fmt(total)} ≠ {fmt(points)}")
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
            label = params.get(f"{key}_text", params[key])
            handling = "本项按各部分计分，不直接得满分" if full else "本项暂按 0 分计；没有此类情形请填“否”"
            entry = entry_for(ctx, params[key], f"“{label}”（是/否）", handling, "flag")
            if not full and (entry is None or entry.flag is None):
                # Whether a violation happened is not known: the points it would cost are not confirmed as
                # earned (a blank never earns points), so the whole item is 0 until 是 or 否 is entered.
                why = f"评价人未填写“{label}”（是/否），暂按 0 分计"
                return Outcome(ZERO, why, f"{why}，扣 {lost_text(points)} 分")
            if entry is not None and entry.flag:
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
