"""Reading a 绩效目标表's text: normalizing 目标值 and 实际完成值, their numbers, units,
operators and words. ``targets.judge`` decides from what this reads; the choices that
decide outcomes are listed there.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path

from .. import tomlcache

# Enough digits for any real table; longer numbers are refused rather than rounded.
_MAX_DIGITS = 30
PREC = 80


@dataclass(frozen=True)
class Target:
    text: str  # as written
    kind: str  # "numeric" | "word" | "not_applicable" | "unparsed"
    op: str | None  # ">=", "<=", ">", "<", "="; a bare number means ">="
    value: Decimal | None  # percent targets stored as fractions: "95%" -> Decimal("0.95")
    percent: bool
    unit: str  # "场", "平方米", "天", "次", "个", "人", "批次", "台", "个月", "" …
    word: str | None  # normalized word target


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
DASHES = {"", "-", "—", "——", "/", "\\", "–", "--", "---"}


def normalize(text: str) -> str:
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
SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


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
class Quantity:
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


def read_quantity(norm: str) -> Quantity | None:
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
        ctx.prec = PREC
        value = number.scaleb(-2) if percent else number
    return Quantity(op=op, value=value, percent=percent, unit=unit, raw=number)


# --------------------------------------------------------------------------- words

WORD = re.compile(r"[\u4e00-\u9fff]+")

# The word lists are data (target_words.toml, commented there): another region's usage is a new file.
_WORDS = tomlcache.loads((Path(__file__).parent / "target_words.toml").read_bytes())
NA_WORDS = frozenset(_WORDS["not_applicable"])
_BUDGET_WORDS = frozenset(_WORDS["budget_target"])
POSITIVE_WORDS: tuple[str, ...] = tuple(_WORDS["positive"])
NEGATIVE_WORDS: tuple[str, ...] = tuple(_WORDS["negative"])
_EXACT_ONLY = frozenset(_WORDS["whole_answer_only"])
_NEGATED_NEGATIVES: tuple[str, ...] = tuple(_WORDS["negated_negative"])
_QUALIFIED: tuple[str, ...] = tuple(_WORDS["qualified"])
_ACTUAL_PREFIXES: tuple[str, ...] = tuple(sorted(_WORDS["actual_prefix"], key=len, reverse=True))
BUDGET_OK: tuple[str, ...] = tuple(_WORDS["within_budget"])
BUDGET_BAD: tuple[str, ...] = tuple(_WORDS["over_budget"])
ABSENCE_PREFIXES: tuple[str, ...] = tuple(_WORDS["absence_target_prefix"])
ABSENCE_ANSWERS = frozenset(_WORDS["absence_answer"])


def _word_of(norm: str) -> str | None:
    """The normalized word when ``norm`` is Chinese text only, else None."""
    return norm if WORD.fullmatch(norm) else None


def _budget_target(norm: str) -> str | None:
    """'预算数', '≤预算数', '不超过预算数', '预算数以内' → the operator (default '<=')."""
    prefix_op, rest = _split_prefix(norm)
    suffix_op, rest = _split_suffix(rest)
    if rest not in _BUDGET_WORDS:
        return None
    if prefix_op and suffix_op and prefix_op != suffix_op:
        return None
    return prefix_op or suffix_op or "<="


def _by_length(words: tuple[str, ...]) -> list[str]:
    """Longest first, so the evidence names the most specific word found."""
    return sorted(words, key=len, reverse=True)


def classify_word(actual: str) -> tuple[str | None, str | None]:
    """('positive'|'negative'|'qualified'|None, the word that decided)."""
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
    for word in _QUALIFIED:
        if word in cleaned:
            return "qualified", word
    for word in _by_length(POSITIVE_WORDS):
        if len(word) > 1 and word in cleaned:
            return "positive", word
    return None, None


def parse_target(text: str) -> Target:
    """Parse a 目标值 as written; never raises on text (unrecognised → kind 'unparsed')."""
    raw = as_text(text)
    norm = normalize(raw)
    if norm in NA_WORDS:
        return Target(raw, "not_applicable", None, None, False, "", None)
    quantity = read_quantity(norm)
    if quantity is not None:
        # A bare figure is a floor, but a bare 0 (安全事故 0起) can only mean none at all: "at least 0" is met
        # by anything.
        op = quantity.op or (">=" if quantity.value else "<=")
        return Target(raw, "numeric", op, quantity.value, quantity.percent, quantity.unit, None)
    budget_op = _budget_target(norm)
    if budget_op is not None:
        return Target(raw, "word", budget_op, None, False, "", "预算数")
    word = _word_of(norm)
    if word is not None:
        return Target(raw, "word", None, None, False, "", word)
    return Target(raw, "unparsed", None, None, False, "", None)


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"targets are text (or int/Decimal), got {type(value).__name__}")
    if isinstance(value, (int, Decimal)):
        return str(value)
    raise TypeError(f"targets are text (or int/Decimal), got {type(value).__name__}")


def actual_quantity(text: str) -> Quantity | None:
    """A plain number (with unit/percent) as an actual, after the word it is reported with ("已完成3场");
    an operator makes it not plain."""
    norm = normalize(as_text(text))
    for word in _ACTUAL_PREFIXES:
        if norm.startswith(word) and norm[len(word):len(word) + 1].isdigit():
            norm = norm[len(word):]
            break
    quantity = read_quantity(norm)
    if quantity is None or quantity.op is not None:
        return None
    return quantity
