"""What every rule kind shares: the scoring context, the outcome, reading the figures a rule scores,
and the edges a rule compares a rate with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ..indicators import Indicator, missing
from ..inputs import EvaluatorEntry
from ..intervals import condition, holds, interval, number
from ..money import ONE, ZERO, round_half_up
from ..shown import Test, exact, lost_text, rate_text


@dataclass
class Ctx:
    indicators: dict[str, Indicator]
    evaluator: dict[str, EvaluatorEntry]
    # Evaluator keys an item read and found blank, so the scorer can report them: key → (what was
    # blank, in words, and how the rule scored it).
    missing: dict[str, tuple[str, str]] = field(default_factory=dict)
    # "exact": rules compare the exact rate; "printed": the rate rounded as 计算指标 prints it (0.01 %).
    band_on: str = "exact"
    # Evaluator keys whose entry lacks the reason its points need: findings point at their cells.
    blamed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    points: Decimal  # exact, before display rounding
    rule: str  # the rule or band applied, in Chinese
    reason: str = ""  # why points were lost, in Chinese ("" at full points)
    reason_given: bool = False  # reason came from the evaluator
    unexplained: bool = False  # evaluator's points below the maximum with no reason


# The rate printed on 计算指标 carries two decimals of a percentage: four of the fraction.
PRINTED_PLACES = 4
BAND_ON = ("exact", "printed")


def show(ind: Indicator, ctx: Ctx | None = None, tests: tuple[Test, ...] = ()) -> str:
    """The figure as a text beside a rule: on the same side of every edge the rule tests."""
    if ind.value is None:
        return "无穷大（分母为 0）" if ind.unbounded else "无法计算"
    if ind.unit != "rate":
        return exact(ind.value)
    return rate_text(value_of(ind, ctx) if ctx else ind.value, tests)  # type: ignore[arg-type]


fmt = exact  # a parameter from the system file, as written there



KindCheck = Callable[[dict, Decimal], list[str]]
KindScore = Callable[[dict, Decimal, Ctx], Outcome]


def need(params: dict, *keys: str) -> list[str]:
    return [f"缺少参数 {k}" for k in keys if k not in params]


def entry_for(ctx: Ctx, key: str, what: str = "评价项", handling: str = "按未满足计分",
              attr: str = "") -> EvaluatorEntry | None:
    """The evaluator's entry for ``key``; a blank one (no entry, or no ``attr`` in it) is recorded as
    missing, with ``what`` was to be entered and ``handling``, how the rule scores the blank."""
    entry = ctx.evaluator.get(key)
    if entry is None or (attr and getattr(entry, attr) is None):
        ctx.missing.setdefault(key, (what, handling))
    return entry


def indicator_of(ctx: Ctx, params: dict) -> Indicator:
    return get(ctx, params["indicator"])


def get(ctx: Ctx, id_: str) -> Indicator:
    return ctx.indicators.get(id_) or missing(id_)


def value_of(ind: Indicator, ctx: Ctx | None = None) -> Decimal | None:
    """The value a rule scores: n ÷ 0 with n > 0 is +∞, beyond every threshold.

    Under ``band_on = "printed"`` a rate is first rounded half up as 计算指标 prints it.
    """
    if ind.unbounded:
        return Decimal("Infinity")
    if ctx is not None and ctx.band_on == "printed" and ind.unit == "rate" and ind.value is not None:
        return round_half_up(ind.value, PRINTED_PLACES)
    return ind.value


def undefined(params: dict, points: Decimal, ind: Indicator) -> Outcome:
    from ..indicators import MISSING_NOTE

    # if_undefined settles 0 ÷ 0; a figure whose inputs were never given earns nothing.
    full = params.get("if_undefined", "zero") == "full" and ind.note != MISSING_NOTE
    got = points if full else ZERO
    why = f"{ind.name}{ind.note or '无法计算'}，按{'满分' if full else ' 0 分'}计"
    return Outcome(got, why, "" if full else f"{why}，扣 {lost_text(points)} 分")


def tests_of(kind: str, params: dict) -> tuple[Test, ...]:
    return tuple(t for _, t in edge_tests(kind, params))


def edge_tests(kind: str, params: dict) -> list[tuple[str, Test]]:
    """(indicator id, test) for every edge a rule compares a rate with: where a printed rate must not cross."""
    ind = params.get("indicator", "")
    if kind == "bands":
        return [(ind, interval(b["range"]).contains) for b in params["bands"]]
    if kind == "rate_points":
        limit = [number(params["zero_above"])] if "zero_above" in params else []
        return [(ind, lambda x: x >= ONE)] + [(ind, lambda x, t=t: x > t) for t in limit]
    if kind == "linear":
        t = number(params["threshold"])
        return [(ind, (lambda x: x > t) if params.get("direction", "above") == "above" else (lambda x: x < t))]
    if kind == "quarterly":
        return [(f"quarter_rate_{k}", lambda x: x >= ONE) for k in range(1, 5)] + [
            ("quarter_rate_mean", lambda x: x >= ONE)]
    if kind == "checklist":
        return [(i, lambda x, op=op, t=t: holds(x, op, t))
                for i, op, t in (condition(c["when"]) for c in params["checks"] if "when" in c)]
    return []
