"""Scoring: each item's points under its rule, subtotals, the total, and evaluator checks.

The total is the sum of the item scores as displayed (each rounded half up to
0.01), so the score sheet always adds up on paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .findings import Finding
from .indicators import NAMES, Indicator
from .inputs import Inputs
from .kinds import KINDS, Ctx, Outcome
from .messages import finding_text, message
from .money import ZERO, points as display_points
from .system import Item, Node, System

OVERRIDE_PREFIX = "override:"


@dataclass(frozen=True)
class ItemScore:
    item: Item
    level1: Node
    level2: Node
    points: Decimal  # as displayed: half up to 0.01
    exact: Decimal  # before rounding
    implied: Decimal  # what the rule gives from the data, before any evaluator override
    rule: str  # the rule or band applied
    reason: str  # 扣分说明 ("" at full points)
    overridden: bool = False

    @property
    def lost(self) -> Decimal:
        return self.item.points - self.points


def score_items(system: System, inputs: Inputs, indicators: dict[str, Indicator]) -> tuple[list[ItemScore], list[Finding]]:
    by_id = {n.id: n for n in (*system.level1, *system.level2)}
    scores: list[ItemScore] = []
    findings: list[Finding] = []
    for item in system.items:
        ctx = Ctx(indicators, inputs.evaluator, band_on=system.band_on)
        outcome: Outcome = KINDS[item.kind][1](item.params, item.points, ctx)
        level2 = by_id[item.parent]
        level1 = by_id[level2.parent]
        exact, reason, overridden = outcome.points, outcome.reason, False
        override = inputs.evaluator.get(OVERRIDE_PREFIX + item.id)
        if override is not None and override.points is not None and override.points != display_points(exact):
            if override.reason:
                exact = min(max(override.points, ZERO), item.points)
                reason = f"评价人调整为 {display_points(exact)} 分（数据推算 {display_points(outcome.points)} 分）：{override.reason}"
                overridden = True
            else:
                findings.append(Finding("POINTS_DIFFER_FROM_DATA", "警告", finding_text(
                    "POINTS_DIFFER_FROM_DATA", item=item.name, given=override.points,
                    implied=display_points(outcome.points)), field=f"evaluator.{OVERRIDE_PREFIX}{item.id}.reason",
                    item=item.id))
        shown = display_points(exact)
        if shown >= item.points and not overridden:
            reason = ""  # the sheet shows full points: nothing to explain (a 0.0004 loss rounds away)
        if shown < item.points and outcome.unexplained and not overridden:
            findings.append(Finding("POINTS_WITHOUT_REASON", "警告", finding_text(
                "POINTS_WITHOUT_REASON", item=item.name, points=shown, max=item.points), field=_blamed(ctx),
                item=item.id))
        elif outcome.unexplained and not overridden:
            # Full points where the data implies a deduction: a finding, not a 扣分说明.
            findings.append(Finding("POINTS_DIFFER_FROM_DATA", "警告", finding_text(
                "FULL_DESPITE_DATA", item=item.name, reason=outcome.reason), field=_blamed(ctx), item=item.id))
            reason = ""
        for key, (what, handling) in ctx.missing.items():
            findings.append(Finding("EVALUATOR_MISSING", "警告", message(
                "EVALUATOR_MISSING", label=item.name, key=key, what=what, handling=handling),
                field=f"evaluator.{key}", item=item.id))
        for ref in _indicator_refs(item):
            if ref not in indicators:
                findings.append(Finding("INDICATOR_MISSING", "警告", finding_text(
                    "INDICATOR_MISSING", item=item.name, indicator=NAMES.get(ref, ref)), item=item.id))
        scores.append(ItemScore(item, level1, level2, shown, exact, outcome.points, outcome.rule, reason, overridden))
    return scores, findings


def _blamed(ctx: Ctx) -> str:
    """The evaluator entry a finding is about: where the reason should have been written."""
    return f"evaluator.{ctx.blamed[0]}" if ctx.blamed else ""


def _indicator_refs(item: Item) -> list[str]:
    return [p["indicator"] for p in item.rules if "indicator" in p]


def subtotals(system: System, scores: list[ItemScore]) -> tuple[dict[str, Decimal], dict[str, Decimal], Decimal]:
    level2 = {n.id: sum((s.points for s in scores if s.level2.id == n.id), ZERO) for n in system.level2}
    level1 = {n.id: sum((s.points for s in scores if s.level1.id == n.id), ZERO) for n in system.level1}
    return level1, level2, sum((s.points for s in scores), ZERO)
