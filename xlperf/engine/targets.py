"""Performance targets (绩效目标表 目标值): parse the target, judge the actual, explain in Chinese.

Choices (documented here because they decide outcomes):

* A bare number or percent with no operator ("3 场", "95%", "6", "1") means "at least":
  op ``">="``. Quantity, quality and rate targets in these tables are floors; a ceiling is
  always written (``≤100%``, 不超过…, …以内). "1" stays the number 1 (not 100 %); see below
  for how a percent actual is compared with it. A bare zero ("0起", "0次", "0%") is the one
  exception: "at least 0" would be met by anything, so it means none at all (``"<="``).
* "以上" / "及以上" include the bound ("10次以上" means ≥10); "以下" / "以内" likewise (≤).
* Percent targets are stored as fractions ("95%" → ``Decimal("0.95")``), exactly; no float
  is ever used, comparison is ``Decimal`` comparison, so 89.995 % < 90 %.
* An actual written as a bare number against a percent target is a percent when it is
  greater than 1 ("98.6" → 98.6 %) and a fraction otherwise ("0.986" → 98.6 %, "1" → 100 %).
* An actual with no unit against a target with a unit is taken in the target's unit
  ("13" against "3 场" is 13 场). A different unit (场 vs 平方米), or a percent against a
  count, is not compared: 待判断. A percent actual is compared with a unit-less target only
  when that target is at most 1 (a rate written as a fraction, e.g. 验收通过率 "1").
* An actual that itself carries an operator ("95%以上", "≤3天") is a bound: 达成 when every value
  it allows meets the target, 未达成 when none does, else 待判断 ("90%以上" against ≥95%).
* Word targets: equal to the target, or a recognised positive word → 达成; a recognised
  negative word → 未达成 (negatives are checked first: "未完成" contains "完成"); an answer
  that qualifies itself ("基本完成", "已完成部分") → 待判断, before the positive words are
  looked for ("基本完成" contains "完成"); anything else → 待判断. A word actual containing
  digits is only matched exactly, never by containment ("完成85%" is left to the evaluator).
* "预算数" (成本指标 不超过预算) is judged only from words (未超预算 … → 达成,
  超预算 … → 未达成); a number needs the budget amount, so it is 待判断.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from ..memo import remembered
from .money import HUNDRED, percent_text, round_half_up
from .target_text import (
    ABSENCE_ANSWERS,
    ABSENCE_PREFIXES,
    BUDGET_BAD,
    BUDGET_OK,
    DASHES,
    NA_WORDS,
    NEGATIVE_WORDS,
    PREC,
    Quantity,
    SYMBOL,
    Target,
    WORD,
    actual_quantity,
    as_text,
    classify_word,
    normalize,
    parse_target,
    read_quantity,
)

__all__ = [
    "Target",
    "Judgement",
    "parse_target",
    "parse_actual",
    "judge",
    "ACHIEVED",
    "NOT_ACHIEVED",
    "NOT_APPLICABLE",
    "UNDECIDED",
]

ACHIEVED = "达成"
NOT_ACHIEVED = "未达成"
NOT_APPLICABLE = "不适用"
UNDECIDED = "待判断"

@dataclass(frozen=True)
class Judgement:
    status: str  # "达成" | "未达成" | "不适用" | "待判断"
    evidence: str  # Chinese


# --------------------------------------------------------------------------- API


def parse_actual(text: str, target: Target) -> Decimal | None:
    """The actual as a number on the target's scale; None when it is not a plain number.

    "13场" → 13; "98.6%" → 0.986; "1,200 平方米" → 1200. Against a percent target a bare
    number above 1 is read as a percent ("98.6" → 0.986) and one at most 1 as a fraction.
    The unit is not checked here (``judge`` does that). An actual with an operator → None.
    """
    quantity = actual_quantity(text)
    if quantity is None:
        return None
    return _scaled(quantity, target)[0]


# Indicators count the judgements and findings report them: judge each pair once (a cell-long text is
# judged every time, never held).
@remembered(4096, lambda target_text, actual_text: len(target_text) + len(actual_text or "") <= 1024)
def judge(target_text: str, actual_text: str | None) -> Judgement:
    """达成 / 未达成 / 不适用 / 待判断 with the evidence in Chinese."""
    target = parse_target(target_text)
    shown_target = _shown(target.text)
    if target.kind == "not_applicable":
        return Judgement(NOT_APPLICABLE, f"目标值为“{shown_target}”，不适用")
    actual_raw = "" if actual_text is None else as_text(actual_text)
    actual_norm = normalize(actual_raw)
    shown_actual = _shown(actual_raw)
    if actual_norm in DASHES:
        return Judgement(UNDECIDED, f"目标“{shown_target}”，未填写实际完成值，需补填后判断")
    if actual_norm in NA_WORDS:
        return Judgement(NOT_APPLICABLE, f"目标“{shown_target}”，实际完成值填“{shown_actual}”，不适用")
    if target.kind == "unparsed":
        return Judgement(
            UNDECIDED,
            f"目标值“{shown_target}”无法识别，实际“{shown_actual}”，需评价人员判断",
        )
    if target.kind == "word" and target.word == "预算数":
        return _judge_budget(target, actual_norm, shown_actual)
    if target.kind == "word":
        return _judge_word(target, actual_norm, shown_actual)
    return _judge_numeric(target, actual_raw, actual_norm, shown_actual)


# --------------------------------------------------------------------------- judging


def _judge_word(target: Target, actual: str, shown_actual: str) -> Judgement:
    word = target.word or ""
    head = f"目标为文字“{word}”，实际“{shown_actual}”"
    if actual == word:
        return Judgement(ACHIEVED, f"{head}，达成")
    if word in NEGATIVE_WORDS or word.startswith(ABSENCE_PREFIXES):
        if actual in ABSENCE_ANSWERS:
            return Judgement(ACHIEVED, f"{head}，目标为“无/零”类表述，实际为“{actual}”，达成")
        return Judgement(UNDECIDED, f"{head}，目标为“无/零”类表述，需评价人员判断")
    kind, hit = classify_word(actual)
    if kind == "negative":
        return Judgement(NOT_ACHIEVED, f"{head}，含否定表述“{hit}”，未达成")
    if kind == "positive":
        return Judgement(ACHIEVED, f"{head}，属认可的完成表述（“{hit}”），达成")
    if kind == "qualified":
        return Judgement(UNDECIDED, f"{head}，含限定表述“{hit}”，需评价人员判断")
    if actual_quantity(actual) is not None:
        return Judgement(UNDECIDED, f"{head}，目标为文字而实际为数值，需评价人员判断")
    return Judgement(UNDECIDED, f"{head}，无法自动判断，需评价人员判断")


def _judge_budget(target: Target, actual: str, shown_actual: str) -> Judgement:
    head = f"目标为“{_shown(target.text)}”（不超过预算数），实际“{shown_actual}”"
    for word in BUDGET_OK:
        if word in actual:
            return Judgement(ACHIEVED, f"{head}，未超出预算，达成")
    for word in BUDGET_BAD:
        if word in actual:
            return Judgement(NOT_ACHIEVED, f"{head}，超出预算，未达成")
    if actual_quantity(actual) is not None:
        return Judgement(UNDECIDED, f"{head}，需对照预算金额，由评价人员判断")
    return Judgement(UNDECIDED, f"{head}，无法自动判断，需评价人员判断")


def _judge_numeric(target: Target, actual_raw: str, actual: str, shown_actual: str) -> Judgement:
    goal = _target_text(target)
    quantity = actual_quantity(actual_raw)
    if quantity is None:
        kind, hit = classify_word(actual) if WORD.fullmatch(actual) else (None, None)
        if kind == "negative":
            return Judgement(
                NOT_ACHIEVED, f"目标 {goal}，实际“{shown_actual}”含否定表述“{hit}”，未达成"
            )
        bound = read_quantity(actual)
        if bound is not None:  # it carries an operator: a bound, which may settle the target either way
            return _judge_bound(target, bound, shown_actual, goal)
        return Judgement(
            UNDECIDED, f"目标 {goal}，实际“{shown_actual}”不是数值，需评价人员判断"
        )
    value, unit, note = _scaled(quantity, target)
    if value is None:
        return Judgement(
            UNDECIDED,
            f"目标 {goal}，实际“{shown_actual}”{note}，单位不一致，需评价人员判断",
        )
    assert target.value is not None and target.op is not None
    met = _compare(value, target.op, target.value)
    relation = _relation(target.op, met)
    if target.percent or quantity.percent:
        shown_value = _percent(value)
    else:
        shown_value = _plain(value, unit)
    status = ACHIEVED if met else NOT_ACHIEVED
    return Judgement(status, f"实际 {shown_value}{note} {relation} 目标 {goal}，{status}")


_FLOOR, _CEILING = (">=", ">"), ("<=", "<")


def _judge_bound(target: Target, bound: Quantity, shown_actual: str, goal: str) -> Judgement:
    """An actual given as a bound ("95%以上", "≤3天"): 达成 when every value it allows meets the target,
    未达成 when none does, 待判断 otherwise (a floor below a floor says nothing)."""
    value, _, note = _scaled(bound, target)
    t_op, a_op = target.op, bound.op
    if value is None or target.value is None or t_op not in _FLOOR + _CEILING or a_op not in _FLOOR + _CEILING:
        return Judgement(UNDECIDED, f"目标 {goal}，实际“{shown_actual}”不是确定数值，需评价人员判断")
    t, a = target.value, value
    if t_op in _FLOOR:
        if a_op in _FLOOR:  # actual ≥ a (or > a): meets ≥ t when a is above t, or at t without a gap
            met, missed = a > t or (a == t and (t_op == ">=" or a_op == ">")), False
        else:  # actual ≤ a: misses ≥ t when a is below t
            met, missed = False, a < t or (a == t and (t_op == ">" or a_op == "<"))
    elif a_op in _CEILING:
        met, missed = a < t or (a == t and (t_op == "<=" or a_op == "<")), False
    else:
        met, missed = False, a > t or (a == t and (t_op == "<" or a_op == ">"))
    if met:
        return Judgement(ACHIEVED, f"实际“{shown_actual}”{note}，所表示的范围都满足目标 {goal}，达成")
    if missed:
        return Judgement(NOT_ACHIEVED, f"实际“{shown_actual}”{note}，所表示的范围都达不到目标 {goal}，未达成")
    return Judgement(UNDECIDED, f"目标 {goal}，实际“{shown_actual}”是一个范围，不能确定是否达到，需评价人员判断")


def _scaled(quantity: Quantity, target: Target) -> tuple[Decimal | None, str, str]:
    """(value on the target's scale or None on a unit mismatch, unit to show, note)."""
    if target.kind != "numeric" or target.value is None:
        return quantity.value, quantity.unit, ""
    if target.percent:
        if quantity.percent:
            return quantity.value, "", ""
        if quantity.unit:
            return None, quantity.unit, f"（单位“{quantity.unit}”，目标为百分比）"
        if quantity.value > 1:
            with localcontext() as ctx:
                ctx.prec = PREC
                value = quantity.value.scaleb(-2)
            return value, "", f"（填“{_plain(quantity.raw, '')}”，按百分数理解）"
        return quantity.value, "", f"（填“{_plain(quantity.raw, '')}”，按比例理解）"
    if quantity.percent:
        if not target.unit and target.value <= 1:
            return quantity.value, "", ""
        return None, "", "（为百分比，目标为数量）"
    if target.unit:
        if quantity.unit and quantity.unit != target.unit:
            return None, quantity.unit, f"（单位“{quantity.unit}”，目标单位“{target.unit}”）"
        return quantity.value, target.unit, ""
    return quantity.value, quantity.unit, ""


def _compare(actual: Decimal, op: str, goal: Decimal) -> bool:
    if op == ">=":
        return actual >= goal
    if op == "<=":
        return actual <= goal
    if op == ">":
        return actual > goal
    if op == "<":
        return actual < goal
    return actual == goal


def _relation(op: str, met: bool) -> str:
    yes = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}
    no = {">=": "<", "<=": ">", ">": "≤", "<": "≥", "=": "≠"}
    return (yes if met else no)[op]


# --------------------------------------------------------------------------- display


def _shown(text: str) -> str:
    return " ".join(text.split())


def _decimal_text(value: Decimal) -> str:
    with localcontext() as ctx:
        ctx.prec = PREC
        text = format(value.normalize(), ",f")
    return text


def _plain(value: Decimal, unit: str) -> str:
    number = _decimal_text(value)
    return f"{number} {unit}" if unit else number


def _percent(rate: Decimal) -> str:
    """Two decimals half up; the exact value is added when rounding hides it."""
    with localcontext() as ctx:
        ctx.prec = PREC
        exact = rate * HUNDRED
        text = percent_text(rate)
        if round_half_up(exact, 2) != exact:
            text += f"（精确值 {_decimal_text(exact)}%）"
    return text


def _target_text(target: Target) -> str:
    """'≥90%', '3 场', '≤100%': the written operator, or none for a bare number."""
    assert target.value is not None
    quantity = read_quantity(normalize(target.text))
    written = quantity is not None and quantity.op is not None
    symbol = SYMBOL[target.op or ">="] if written else ""
    if target.percent:
        with localcontext() as ctx:
            ctx.prec = PREC
            number = _decimal_text(target.value * HUNDRED)
        return f"{symbol}{number}%"
    return f"{symbol}{_plain(target.value, target.unit)}"

