"""Performance targets (绩效目标表 目标值): parse the target, judge the actual, explain in Chinese.

Choices (documented here because they decide outcomes):

* A bare number or percent with no operator ("3 场", "95%", "6", "1") means "at least":
  op ``">="``. Quantity, quality and rate targets in these tables are floors; a ceiling is
  always written (``≤100%``, 不超过…, …以内). "1" stays the number 1 (not 100 %); see below
  for how a percent actual is compared with it.
* "以上" / "及以上" include the bound ("10次以上" means ≥10); "以下" / "以内" likewise (≤).
* Percent targets are stored as fractions ("95%" → ``Decimal("0.95")``), exactly; no float
  is ever used, comparison is ``Decimal`` comparison, so 89.995 % < 90 %.
* An actual written as a bare number against a percent target is a percent when it is
  greater than 1 ("98.6" → 98.6 %) and a fraction otherwise ("0.986" → 98.6 %, "1" → 100 %).
* An actual with no unit against a target with a unit is taken in the target's unit
  ("13" against "3 场" is 13 场). A different unit (场 vs 平方米), or a percent against a
  count, is not compared: 待判断. A percent actual is compared with a unit-less target only
  when that target is at most 1 (a rate written as a fraction, e.g. 验收通过率 "1").
* An actual that itself carries an operator ("≥95%") is not a value: 待判断.
* Word targets: equal to the target, or a recognised positive word → 达成; a recognised
  negative word → 未达成 (negatives are checked first: "未完成" contains "完成"); anything
  else → 待判断. A word actual containing digits is only matched exactly, never by
  containment ("完成85%" is left to the evaluator).
* "预算数" (成本指标 不超过预算) is judged only from words (未超预算 … → 达成,
  超预算 … → 未达成); a number needs the budget amount, so it is 待判断.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache

from .money import HUNDRED, percent_text, round_half_up

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

# Enough digits for any real table; longer numbers are refused rather than rounded.
_MAX_DIGITS = 30
_PREC = 80


@dataclass(frozen=True)
class Target:
    text: str  # as written
    kind: str  # "numeric" | "word" | "not_applicable" | "unparsed"
    op: str | None  # ">=", "<=", ">", "<", "="; a bare number means ">="
    value: Decimal | None  # percent targets stored as fractions: "95%" -> Decimal("0.95")
    percent: bool
    unit: str  # "场", "平方米", "天", "次", "个", "人", "批次", "台", "个月", "" …
    word: str | None  # normalized word target


@dataclass(frozen=True)
class Judgement:
    status: str  # "达成" | "未达成" | "不适用" | "待判断"
    evidence: str  # Chinese


# --------------------------------------------------------------------------- text


_LATEX = [
    (re.compile(r"\\(?:geqslant|geq|ge)(?![A-Za-z])"), "≥"),
    (re.compile(r"\\(?:leqslant|leq|le)(?![A-Za-z])"), "≤"),
    (re.compile(r"\\(?:gt)(?![A-Za-z])"), ">"),
    (re.compile(r"\\(?:lt)(?![A-Za-z])"), "<"),
    (re.compile(r"\\%"), "%"),
]
_PRE_NFKC = [("㎡", "平方米"), ("m²", "平方米"), ("M²", "平方米")]
_POST_NFKC = [
    (">=", "≥"),
    ("=>", "≥"),
    ("<=", "≤"),
    ("=<", "≤"),
    ("⩾", "≥"),
    ("≧", "≥"),
    ("⩽", "≤"),
    ("≦", "≤"),
]
_QUOTES = "“”\"'‘’《》「」『』"
_TRAILING = "。.;；,，、!！"
_DASHES = {"", "-", "—", "——", "/", "\\", "–", "--", "---"}


def _normalize(text: str) -> str:
    """Full-width → ASCII (NFKC), LaTeX operators → symbols, no whitespace, no quotes."""
    for old, new in _PRE_NFKC:
        text = text.replace(old, new)
    text = unicodedata.normalize("NFKC", text)
    for pattern, new in _LATEX:
        text = pattern.sub(new, text)
    text = text.replace("$", "").replace("{", "").replace("}", "")
    text = "".join(text.split())
    for old, new in _POST_NFKC:
        text = text.replace(old, new)
    text = "".join(ch for ch in text if ch not in _QUOTES)
    return text.rstrip(_TRAILING)


# --------------------------------------------------------------------------- operators

# Longest first so that "大于等于" is not read as "大于".
_PREFIX_OPS: list[tuple[str, str]] = sorted(
    [
        ("≥", ">="),
        ("≤", "<="),
        (">", ">"),
        ("<", "<"),
        ("=", "="),
        ("大于或等于", ">="),
        ("大于等于", ">="),
        ("不少于", ">="),
        ("不低于", ">="),
        ("不小于", ">="),
        ("不得少于", ">="),
        ("不得低于", ">="),
        ("至少", ">="),
        ("达到", ">="),
        ("小于或等于", "<="),
        ("小于等于", "<="),
        ("不超过", "<="),
        ("不高于", "<="),
        ("不大于", "<="),
        ("不多于", "<="),
        ("不得超过", "<="),
        ("不得高于", "<="),
        ("至多", "<="),
        ("控制在", "<="),
        ("大于", ">"),
        ("高于", ">"),
        ("超过", ">"),
        ("多于", ">"),
        ("小于", "<"),
        ("低于", "<"),
        ("少于", "<"),
        ("等于", "="),
    ],
    key=lambda pair: -len(pair[0]),
)
_SUFFIX_OPS: list[tuple[str, str]] = sorted(
    [
        ("及以上", ">="),
        ("或以上", ">="),
        ("以上", ">="),
        ("及以下", "<="),
        ("或以下", "<="),
        ("以下", "<="),
        ("以内", "<="),
        ("之内", "<="),
        ("内", "<="),
    ],
    key=lambda pair: -len(pair[0]),
)
_SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


def _split_prefix(text: str) -> tuple[str | None, str]:
    for word, op in _PREFIX_OPS:
        if text.startswith(word):
            return op, text[len(word) :]
    return None, text


def _split_suffix(text: str) -> tuple[str | None, str]:
    for word, op in _SUFFIX_OPS:
        if text.endswith(word):
            return op, text[: -len(word)]
    return None, text


# --------------------------------------------------------------------------- quantities

_NUMBER = re.compile(r"([+-]?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)")
_UNIT = re.compile(r"[A-Za-z\u4e00-\u9fff]{0,8}")
_UNIT_ALIASES = {"平米": "平方米", "平方": "平方米", "m2": "平方米", "场次": "场"}
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")


@dataclass(frozen=True)
class _Quantity:
    op: str | None  # None when no operator was written
    value: Decimal  # percent already divided by 100
    percent: bool
    unit: str
    raw: Decimal  # the number as written (98.6 for "98.6%")


def _number(text: str) -> Decimal | None:
    digits = text.replace(",", "")
    if sum(ch.isdigit() for ch in digits) > _MAX_DIGITS:
        return None
    try:
        return Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
        return None


def _quantity(norm: str) -> _Quantity | None:
    """Read '≥10次', '95%', '1,200平方米', '10次以上' …; None when it is anything else."""
    body = _BRACKETS.sub("", norm) if norm else norm
    if not body:
        return None
    prefix_op, rest = _split_prefix(body)
    match = _NUMBER.match(rest)
    if match is None:
        return None
    sign, digits = match.groups()
    number = _number(sign + digits)
    if number is None:
        return None
    rest = rest[match.end() :]
    percent = rest.startswith("%")
    if percent:
        rest = rest[1:]
    suffix_op, rest = _split_suffix(rest)
    if not _UNIT.fullmatch(rest):
        return None
    unit = _UNIT_ALIASES.get(rest, rest)
    if percent and unit:
        return None
    if prefix_op and suffix_op and prefix_op != suffix_op:
        return None
    op = prefix_op or suffix_op
    with localcontext() as ctx:
        ctx.prec = _PREC
        value = number.scaleb(-2) if percent else number
    return _Quantity(op=op, value=value, percent=percent, unit=unit, raw=number)


# --------------------------------------------------------------------------- words

_NA_WORDS = {"不适用", "不涉及", "无此项", "本项不适用", "NA", "N/A", "na", "n/a"}
_BUDGET_WORDS = {"预算数", "预算", "预算金额", "预算额", "年度预算数", "预算控制数", "预算数额"}
_WORD = re.compile(r"[\u4e00-\u9fff]+")

POSITIVE_WORDS: tuple[str, ...] = (
    "已完成",
    "完成",
    "全部完成",
    "圆满完成",
    "顺利完成",
    "按期完成",
    "按时完成",
    "及时完成",
    "当年完成",
    "如期完成",
    "及时",
    "按时",
    "按期",
    "如期",
    "合格",
    "合规",
    "达标",
    "达成",
    "已达成",
    "实现",
    "已实现",
    "正常开放",
    "正常运行",
    "正常运转",
    "正常使用",
    "正常",
    "有效保障",
    "保障",
    "得到提升",
    "有所提升",
    "明显提升",
    "提升",
    "显著",
    "明显",
    "通过",
    "已通过",
    "提出咨询意见",
    "是",
)
NEGATIVE_WORDS: tuple[str, ...] = (
    "未完成",
    "没有完成",
    "没完成",
    "部分完成",
    "尚未",
    "未能",
    "未按时",
    "未按期",
    "未及时",
    "不及时",
    "延期",
    "延迟",
    "延误",
    "逾期",
    "滞后",
    "推迟",
    "不合格",
    "不合规",
    "违规",
    "未达成",
    "未达到",
    "未达标",
    "不达标",
    "未实现",
    "未开放",
    "暂停开放",
    "停止开放",
    "未运行",
    "停止运行",
    "运行异常",
    "异常",
    "未正常",
    "不正常",
    "未保障",
    "未提升",
    "没有提升",
    "未得到提升",
    "不显著",
    "不明显",
    "未通过",
    "未提出",
    "未使用",
    "闲置",
    "否",
    "无",
    "未",
    "没有",
    "不",
)
# These are matched only as the whole answer ("无延期" is not "无", "没有问题" is not "没有").
_EXACT_ONLY = {"否", "无", "未", "不", "没有"}
# Negated negatives are positive and are removed before looking for negatives.
_NEGATED_NEGATIVES: tuple[str, ...] = (
    "无延期",
    "未延期",
    "没有延期",
    "无延迟",
    "未延迟",
    "无延误",
    "未延误",
    "无逾期",
    "未逾期",
    "无滞后",
    "未滞后",
    "无违规",
    "未违规",
    "无异常",
    "未见异常",
    "无不合格",
)
_BUDGET_OK: tuple[str, ...] = (
    "未超预算",
    "未超出预算",
    "未超过预算",
    "不超预算",
    "没有超预算",
    "没有超出预算",
    "未超支",
    "未超出",
    "未超过",
    "未超",
    "预算以内",
    "预算之内",
    "预算范围内",
    "预算内",
    "符合预算",
    "预算数",
)
_BUDGET_BAD: tuple[str, ...] = ("超预算", "超出预算", "超过预算", "超支", "超出", "超过")


def _word_of(norm: str) -> str | None:
    """The normalized word when ``norm`` is Chinese text only, else None."""
    return norm if _WORD.fullmatch(norm) else None


def _budget_target(norm: str) -> str | None:
    """'预算数', '≤预算数', '不超过预算数', '预算数以内' → the operator (default '<=')."""
    prefix_op, rest = _split_prefix(norm)
    suffix_op, rest = _split_suffix(rest)
    if rest not in _BUDGET_WORDS:
        return None
    if prefix_op and suffix_op and prefix_op != suffix_op:
        return None
    return prefix_op or suffix_op or "<="


# A target phrased as an absence (“无”, “无安全事故”, “零投诉”) is not judged by the
# positive/negative lists: “无” would read as a failure. Only these answers meet it.
_ABSENCE_PREFIXES = ("无", "零", "杜绝", "避免", "防止", "未发生", "不发生", "不出现", "未出现", "没有")
_ABSENCE_ANSWERS = {"无", "零", "0", "未发生", "没有", "没有发生", "无发生", "未出现", "杜绝"}


def _by_length(words: tuple[str, ...]) -> list[str]:
    """Longest first, so the evidence names the most specific word found."""
    return sorted(words, key=len, reverse=True)


def _classify_word(actual: str) -> tuple[str | None, str | None]:
    """('positive'|'negative'|None, the word that decided)."""
    if actual in NEGATIVE_WORDS:
        return "negative", actual
    if actual in POSITIVE_WORDS:
        return "positive", actual
    cleaned = actual
    negated = None
    for phrase in _NEGATED_NEGATIVES:
        if phrase in cleaned:
            negated = negated or phrase
            cleaned = cleaned.replace(phrase, "·")
    for word in _by_length(NEGATIVE_WORDS):
        if word not in _EXACT_ONLY and word in cleaned:
            return "negative", word
    if any(ch.isdigit() for ch in actual):
        return None, None
    if negated:
        return "positive", negated
    for word in _by_length(POSITIVE_WORDS):
        if len(word) > 1 and word in cleaned:
            return "positive", word
    return None, None


# --------------------------------------------------------------------------- API


def parse_target(text: str) -> Target:
    """Parse a 目标值 as written; never raises on text (unrecognised → kind 'unparsed')."""
    raw = _as_text(text)
    norm = _normalize(raw)
    if norm in _NA_WORDS:
        return Target(raw, "not_applicable", None, None, False, "", None)
    quantity = _quantity(norm)
    if quantity is not None:
        op = quantity.op or ">="
        return Target(raw, "numeric", op, quantity.value, quantity.percent, quantity.unit, None)
    budget_op = _budget_target(norm)
    if budget_op is not None:
        return Target(raw, "word", budget_op, None, False, "", "预算数")
    word = _word_of(norm)
    if word is not None:
        return Target(raw, "word", None, None, False, "", word)
    return Target(raw, "unparsed", None, None, False, "", None)


def parse_actual(text: str, target: Target) -> Decimal | None:
    """The actual as a number on the target's scale; None when it is not a plain number.

    "13场" → 13; "98.6%" → 0.986; "1,200 平方米" → 1200. Against a percent target a bare
    number above 1 is read as a percent ("98.6" → 0.986) and one at most 1 as a fraction.
    The unit is not checked here (``judge`` does that). An actual with an operator → None.
    """
    quantity = _actual_quantity(text)
    if quantity is None:
        return None
    return _scaled(quantity, target)[0]


@lru_cache(maxsize=4096)  # indicators count the judgements and findings report them: judge each pair once
def judge(target_text: str, actual_text: str | None) -> Judgement:
    """达成 / 未达成 / 不适用 / 待判断 with the evidence in Chinese."""
    target = parse_target(target_text)
    shown_target = _shown(target.text)
    if target.kind == "not_applicable":
        return Judgement(NOT_APPLICABLE, f"目标值为“{shown_target}”，不适用")
    actual_raw = "" if actual_text is None else _as_text(actual_text)
    actual_norm = _normalize(actual_raw)
    shown_actual = _shown(actual_raw)
    if actual_norm in _DASHES:
        return Judgement(UNDECIDED, f"目标“{shown_target}”，未填写实际完成值，需补填后判断")
    if actual_norm in _NA_WORDS:
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
    if word in NEGATIVE_WORDS or word.startswith(_ABSENCE_PREFIXES):
        if actual in _ABSENCE_ANSWERS:
            return Judgement(ACHIEVED, f"{head}，目标为“无/零”类表述，实际为“{actual}”，达成")
        return Judgement(UNDECIDED, f"{head}，目标为“无/零”类表述，需评价人员判断")
    kind, hit = _classify_word(actual)
    if kind == "negative":
        return Judgement(NOT_ACHIEVED, f"{head}，含否定表述“{hit}”，未达成")
    if kind == "positive":
        return Judgement(ACHIEVED, f"{head}，属认可的完成表述（“{hit}”），达成")
    if _actual_quantity(actual) is not None:
        return Judgement(UNDECIDED, f"{head}，目标为文字而实际为数值，需评价人员判断")
    return Judgement(UNDECIDED, f"{head}，无法自动判断，需评价人员判断")


def _judge_budget(target: Target, actual: str, shown_actual: str) -> Judgement:
    head = f"目标为“{_shown(target.text)}”（不超过预算数），实际“{shown_actual}”"
    for word in _BUDGET_OK:
        if word in actual:
            return Judgement(ACHIEVED, f"{head}，未超出预算，达成")
    for word in _BUDGET_BAD:
        if word in actual:
            return Judgement(NOT_ACHIEVED, f"{head}，超出预算，未达成")
    if _actual_quantity(actual) is not None:
        return Judgement(UNDECIDED, f"{head}，需对照预算金额，由评价人员判断")
    return Judgement(UNDECIDED, f"{head}，无法自动判断，需评价人员判断")


def _judge_numeric(target: Target, actual_raw: str, actual: str, shown_actual: str) -> Judgement:
    goal = _target_text(target)
    quantity = _actual_quantity(actual_raw)
    if quantity is None:
        kind, hit = _classify_word(actual) if _WORD.fullmatch(actual) else (None, None)
        if kind == "negative":
            return Judgement(
                NOT_ACHIEVED, f"目标 {goal}，实际“{shown_actual}”含否定表述“{hit}”，未达成"
            )
        if _quantity(actual) is not None:  # it carries an operator
            return Judgement(
                UNDECIDED, f"目标 {goal}，实际“{shown_actual}”不是确定数值，需评价人员判断"
            )
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


def _scaled(quantity: _Quantity, target: Target) -> tuple[Decimal | None, str, str]:
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
                ctx.prec = _PREC
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


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"targets are text (or int/Decimal), got {type(value).__name__}")
    if isinstance(value, (int, Decimal)):
        return str(value)
    raise TypeError(f"targets are text (or int/Decimal), got {type(value).__name__}")


def _shown(text: str) -> str:
    return " ".join(text.split())


def _decimal_text(value: Decimal) -> str:
    with localcontext() as ctx:
        ctx.prec = _PREC
        text = format(value.normalize(), ",f")
    return text


def _plain(value: Decimal, unit: str) -> str:
    number = _decimal_text(value)
    return f"{number} {unit}" if unit else number


def _percent(rate: Decimal) -> str:
    """Two decimals half up; the exact value is added when rounding hides it."""
    with localcontext() as ctx:
        ctx.prec = _PREC
        exact = rate * HUNDRED
        text = percent_text(rate)
        if round_half_up(exact, 2) != exact:
            text += f"（精确值 {_decimal_text(exact)}%）"
    return text


def _target_text(target: Target) -> str:
    """'≥90%', '3 场', '≤100%': the written operator, or none for a bare number."""
    assert target.value is not None
    quantity = _quantity(_normalize(target.text))
    written = quantity is not None and quantity.op is not None
    symbol = _SYMBOL[target.op or ">="] if written else ""
    if target.percent:
        with localcontext() as ctx:
            ctx.prec = _PREC
            number = _decimal_text(target.value * HUNDRED)
        return f"{symbol}{number}%"
    return f"{symbol}{_plain(target.value, target.unit)}"


def _actual_quantity(text: str) -> _Quantity | None:
    """A plain number (with unit/percent) as an actual; an operator makes it not plain."""
    quantity = _quantity(_normalize(_as_text(text)))
    if quantity is None or quantity.op is not None:
        return None
    return quantity
