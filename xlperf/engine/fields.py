"""Input field paths: their Chinese labels and kinds, and building ``Inputs`` from plain data.

The fields themselves are declared once, on the dataclasses in ``inputs.py``.

A nested plain dict (as JSON would give, or as the workbook reader produces) is
turned into typed ``Inputs``; every missing or mistyped field is collected.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Any

from . import paths
from ..memo import remembered
from .bounds import LIMITS, out_of_range, shown_number
from ..errors import InputError, Problem
from .inputs import EvaluatorEntry, Inputs, Quarterly, validate
from .messages import text_of
from .money import D
from .schema import build, derive

# path → (label, kind), and table path → (label, {column: (label, kind)}): derived from
# the schema declared on the ``Inputs`` dataclasses (see schema.py).
SCALARS = derive(Inputs).scalars
TABLES = derive(Inputs).tables

_INDEXED = re.compile(r"^(?P<table>[a-z_.]+)\[(?P<row>\d+)\](?:\.(?P<col>\w+))?$")


@lru_cache(maxsize=8192)  # pure in the path; asked for every cell an indicator cites
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
    if path.startswith("stated."):  # the evaluator sheet's 报告数 of an indicator (all of them rates)
        from .indicators import NAMES

        indicator = path.removeprefix("stated.")
        return f"报告数“{NAMES.get(indicator, indicator)}”"
    return path


@lru_cache(maxsize=8192)
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
        self.problems.append(Problem.of(code, field=path, value=text_of(value), **kw))

    def raw(self, path: str) -> Any:
        return paths.get(self.data, path)

    def get(self, path: str, kind: str | None = None, node: Any = ...) -> Any:
        kind = kind or kind_of(path)
        split = _SPLIT_KINDS.get(kind)
        if split is None:
            split = _SPLIT_KINDS[kind] = (kind.rstrip("?"), kind.endswith("?"))
        kind, optional = split
        value = self.raw(path) if node is ... else node
        if type(value) is str:  # the reader gives every value as text: its cases first, one strip
            if not value.isprintable():  # rare: a newline, or a character that shows as nothing
                value = _without_invisible(value)
            text = value.strip()
            if not text:
                return self._blank_value(path, optional)
            if kind == "text":
                return text  # what convert gives; text has no bounds
            if kind in LIMITS:
                # Parsed once, then bounded and converted as below would (text that parses has no
                # trailing %, so the slow path's two parses give this same Decimal).
                found, answer = _text_number(value, kind)
                if found == _NUMBER:
                    return answer
                if found == _BOUND:
                    self.problem("OUT_OF_RANGE", path, shown_number(value), expected=answer)
                    return None
                if found == _FRACTION:
                    self.problem("NOT_INTEGER", path, value)
                    return None
                # not plain digits ("98.7%", "abc"): the general path decides
        elif blank(value):  # None, or blank text of a str subclass
            return self._blank_value(path, optional)
        if isinstance(value, float) and kind in LIMITS:
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
            more = {"advice": _placeholder_advice(value, kind, optional)}
            conversion = _money_unit(value) if kind == "amount" and isinstance(value, str) else None
            if conversion:  # 万元 was taken above: a figure in 元, 千元, 百万元 or 亿元
                code, more = "AMOUNT_IN_YUAN", {"conversion": conversion}
            if isinstance(value, bool) and kind != "bool":
                value = "TRUE" if value else "FALSE"  # as the spreadsheet shows the cell
            self.problem(code, path, value, **more)
            return None

    def _blank_value(self, path: str, optional: bool) -> None:
        if not optional:
            self.problem("REQUIRED", path)
        return None

    # schema.Source, for schema.build (get itself: asked for every cell)
    value = get

    def rows(self, path: str) -> list[Any]:
        return self.raw(path) or []


_SPLIT_KINDS: dict[str, tuple[str, bool]] = {}  # "amount?" → ("amount", True): a few kinds, asked per cell
_NUMBER, _BOUND, _FRACTION, _OTHER = range(4)


_SHORT_NUMBER = 40  # characters: more than any number a person or a spreadsheet writes


# Pure in (text, kind); a workbook repeats its numbers (0, 1, the same budget line). Only short texts are
# held: a hostile 30,000-digit cell is parsed every time.
@remembered(8192, lambda value, kind: len(value) <= _SHORT_NUMBER)
def _text_number(value: str, kind: str) -> tuple[int, Any]:
    """(_NUMBER, the number) | (_BOUND, what it should be) | (_FRACTION, None): a count with a fraction
    | (_OTHER, None): not plain digits."""
    try:
        number = D(value)
    except (ValueError, TypeError, ArithmeticError):
        return _OTHER, None
    bound = _bound_of(number, kind)
    if bound:
        return _BOUND, bound
    try:
        return _NUMBER, _number(number, kind)
    except ValueError:
        return _FRACTION, None


def _out_of_range(value: Any, kind: str) -> str | None:
    if kind not in LIMITS or isinstance(value, bool):
        return None
    try:
        text = _without_unit(value, kind).strip().rstrip("%％") if isinstance(value, str) else value
        return _bound_of(D(text), kind)
    except (ValueError, TypeError, ArithmeticError):
        return None  # not a number at all: convert says so


def _bound_of(number: Decimal, kind: str) -> str | None:
    try:
        return out_of_range(number, kind)
    except ArithmeticError:
        return None


def blank(value: Any) -> bool:
    """What a person left empty: no value, or text of nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


# A date typed as text: 2024-12-31, 2024/1/5, 2024.1.5, 2024年1月5日 (a time of day after it is ignored), 20241231.
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
                   r"|(\d{4})(\d{2})(\d{2})")
# 有 and 已建立: "已建立…渠道" answered as people do; 是的 as people say yes; ✔ ☑ ✘ ☒ as Word's and WPS's
# symbol menus insert them.
_TRUE = {"是", "是的", "y", "yes", "true", "1", "√", "✓", "✔", "☑", "已完成", "完成", "有", "已建立"}
_FALSE = {"否", "不是", "n", "no", "false", "0", "×", "✗", "✘", "☒", "未完成", "无", "没有", "未建立"}


# What people type for "none" where a figure or a date belongs: a dash or a slash (as many as they like) or a word.
# Compared after NFKC and casefold, so the full-width － ／ and Ｎ/Ａ are these too.
_PLACEHOLDER_MARKS = frozenset("-‐‑‒–—―﹣/\\")
_PLACEHOLDER_WORDS = frozenset({"无", "没有", "暂无", "不适用", "不涉及", "空", "n/a", "na", "none", "null"})


def _placeholder_advice(value: Any, kind: str, optional: bool) -> str:
    """What to do instead of a placeholder for "none" ("—", "/", "无", "N/A") in a figure's or a date's cell;
    "" for anything else. It stays refused: a blank (no figure) and 0 (the figure is zero) are scored apart."""
    if not isinstance(value, str) or (kind not in LIMITS and kind != "date"):
        return ""
    text = unicodedata.normalize("NFKC", value).strip().casefold()
    if text not in _PLACEHOLDER_WORDS and not (text and set(text) <= _PLACEHOLDER_MARKS):
        return ""
    if kind == "date":
        return "；没有该日期请留空" if optional else ""
    return "；没有该项数据请留空，数值为零请填 0" if optional else "；此项必填，数值为零请填 0"


def _without_invisible(text: str) -> str:
    """Text without the characters that show as nothing (Unicode format characters: zero-width space,
    BOM, the direction marks Windows adds to copied figures). Pasted from a web page or another program,
    they made 1912.37 no number and 按期完成 no choice, in a message that showed the same text back."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _without_unit(text: str, kind: str) -> str:
    """A figure typed with its unit: an amount in the 万元 every amount is in ("1912.37万元", "1912.37 万"),
    a count of people or things ("25人", "3 件"), the year ("2024年度"), points ("0.8分"). The number;
    anything else stays as it is."""
    units = _UNITS.get(kind)
    if units:
        stripped = text.strip()
        if stripped.endswith((")", "）")):  # the unit in brackets, as a form's column heads write it: 12.5（万元）
            bracketed = _BRACKETED_UNIT.search(stripped)
            if bracketed and bracketed.group(1) in units:
                return stripped[:bracketed.start()]
            return text
        for unit in units:
            if stripped.endswith(unit):
                return stripped[:-len(unit)]
    return text


_BRACKETED_UNIT = re.compile(r"\s*[（(]\s*([^()（）\s]+)\s*[)）]$")

# An amount in another unit of 元 than the 万元 every amount is in, and how a figure in it becomes 万元.
_TO_WAN = {"元": "元数 ÷ 10000", "千元": "千元数 ÷ 10", "百万元": "百万元数 × 100", "亿元": "亿元数 × 10000"}
_IN_MONEY_UNIT = re.compile(r"(?P<figure>.*?)\s*(?:[（(]\s*(?P<bracketed>百万元|千元|亿元|元)\s*[)）]|(?P<unit>百万元|千元|亿元|元))")


def _money_unit(text: str) -> str | None:
    """How to make 万元 of a figure typed in 元, 千元, 百万元 or 亿元 ("1912370千元", "53100（元）"): "千元数 ÷ 10".
    None for anything else, such as text that is no figure before its 元."""
    found = _IN_MONEY_UNIT.fullmatch(text.strip())
    if found is None:
        return None
    try:
        D(found["figure"])
    except (ValueError, TypeError, ArithmeticError):
        return None
    return _TO_WAN[found["bracketed"] or found["unit"]]


# A count's word after it says what was counted, never a multiple (a count in 万 stays refused: "2万人" is no number).
# The one whole number that is no count, the year, is written 2024年 or 2024年度 (longest first).
# An evaluator's points are written 0.8分.
_UNITS = {"amount": ("万元", "万"), "count": tuple("人名个项件次场户家台辆套条份篇"), "int": ("年度", "年"),
          "points": ("分",)}


def convert(value: Any, kind: str) -> Any:
    """Convert one plain value to the field's kind; ValueError when it does not fit."""
    if kind == "text":
        return str(value).strip()
    if kind in LIMITS and isinstance(value, bool):
        raise ValueError("bool")  # a TRUE/FALSE cell is no figure (Decimal would read it as 1 or 0)
    if kind in ("amount", "rate", "points"):
        if isinstance(value, float):
            raise ValueError("float")  # exact decimals only: pass str or Decimal
        if kind == "rate" and isinstance(value, str) and value.strip().endswith(("%", "％")):
            return D(value.strip()[:-1]) / 100
        return D(_without_unit(value, kind) if isinstance(value, str) else value)
    if kind in ("count", "int"):
        if isinstance(value, str):
            value = _without_unit(value, kind)
        return _number(D(value) if not isinstance(value, int) else Decimal(value), kind)
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
        found = _DATE.fullmatch(str(value).strip())
        if found is None:
            raise ValueError("not date")
        year, month, day = (int(found.group(k) or found.group(k + 3)) for k in (1, 2, 3))
        return dt.date(year, month, day)  # ValueError for 2024-02-30
    raise ValueError(kind)


def _number(number: Decimal, kind: str) -> Decimal | int:
    """An exact number as the kind holds it: amounts, rates and points as they are, counts whole."""
    if kind in ("amount", "rate", "points"):
        return number
    if number != number.to_integral_value():
        raise ValueError("not integer")
    return int(number)


def inputs_from_dict(data: dict[str, Any]) -> Inputs:
    """Build and validate ``Inputs`` from nested plain data; InputError lists every problem."""
    b = _Builder(data)
    inputs = build(Inputs, b)
    _one_quarterly_series(b, inputs.quarterly)
    inputs = dataclasses.replace(inputs, evaluator=_evaluator(b),
                                 stated={k: b.get(f"stated.{k}", "rate") for k in (b.raw("stated") or {})})
    failed = frozenset(p.field for p in b.problems)
    problems = b.problems + [p for p in validate(inputs, skip=failed) if p.code not in ("REQUIRED",) or not b.problems]
    if problems:
        raise InputError(problems)
    return inputs


def _one_quarterly_series(b: _Builder, quarterly: Quarterly) -> None:
    """Cumulative amounts or progress rates, one series in full: name the quarters left blank."""
    if quarterly.cumulative is not None or quarterly.progress is not None:
        return
    # Nothing at all: the first quarter of the amounts.
    given = {name: [not blank(b.raw(f"quarterly.{name}[{i}]")) for i in range(4)]
             for name in ("cumulative", "progress")}
    name = "progress" if any(given["progress"]) and not any(given["cumulative"]) else "cumulative"
    blanks = [i for i, filled in enumerate(given[name]) if not filled] if any(given[name]) else [0]
    for i in blanks:
        b.problem("REQUIRED", f"quarterly.{name}[{i}]")


def _optional(b: _Builder, raw: dict, path: str, name: str, kind: str) -> Any:
    """An entry's optional value: absent is None, as get would say (an entry fills one of its four)."""
    node = raw.get(name)
    return None if node is None else b.get(f"{path}.{name}", kind, node=node)


def _evaluator(b: _Builder) -> dict[str, EvaluatorEntry]:
    entries: dict[str, EvaluatorEntry] = {}
    for key, raw in (b.raw("evaluator") or {}).items():
        path = f"evaluator.{key}"
        raw = raw or {}
        ticks = raw.get("ticks")
        entries[key] = EvaluatorEntry(
            ticks=tuple(b.get(f"{path}.ticks[{i}]", "bool", node=t) or False for i, t in enumerate(ticks))
            if ticks is not None else None,
            count=_optional(b, raw, path, "count", "count?"),
            choice=_optional(b, raw, path, "choice", "text?"),
            points=_optional(b, raw, path, "points", "points?"),
            flag=_optional(b, raw, path, "flag", "bool?"),
            reason=str(raw.get("reason") or "").strip(),
        )
    return entries
