"""Numbers, intervals and conditions as the indicator-system file writes them ("90%", "[75%, 90%)", "x >= 1")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .money import HUNDRED, D
from .shown import edge_text


# The texts come from indicator-system files, and scoring reads the same few hundred every fill:
# the parsed answers (immutable Decimals and Intervals) are remembered; errors are not.
_TEXTS = 4096


def number(text: object) -> Decimal:
    """'90%' → 0.9, '0.5' → 0.5, 'inf' → Infinity."""
    return _number_text(text) if type(text) is str else _number(text)


def _number(text: object) -> Decimal:
    s = str(text).strip().replace("％", "%")
    if s in ("inf", "+inf", "∞", "+∞"):
        return Decimal("Infinity")
    if s in ("-inf", "-∞"):
        return Decimal("-Infinity")
    if s.endswith("%"):
        return D(s[:-1]) / HUNDRED
    return D(s)


@dataclass(frozen=True)
class Interval:
    low: Decimal
    high: Decimal
    low_closed: bool
    high_closed: bool

    def contains(self, x: Decimal) -> bool:
        above = x > self.low or (self.low_closed and x == self.low)
        below = x < self.high or (self.high_closed and x == self.high)
        return above and below

    def text(self) -> str:
        def fmt(v: Decimal) -> str:
            return "∞" if v.is_infinite() and v > 0 else "−∞" if v.is_infinite() else edge_text(v)

        return f"{'[' if self.low_closed else '('}{fmt(self.low)}, {fmt(self.high)}{']' if self.high_closed else ')'}"


_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,]+?)\s*,\s*([^\])]+?)\s*([\])])\s*$")


_number_text = lru_cache(maxsize=_TEXTS)(_number)


@lru_cache(maxsize=_TEXTS)
def interval(text: str) -> Interval:
    m = _INTERVAL.match(text)
    if not m:
        raise ValueError(f"区间“{text}”应写成 [下限, 上限) 的形式")
    low, high = number(m[2]), number(m[3])
    if low > high:
        raise ValueError(f"区间“{text}”下限大于上限")
    return Interval(low, high, m[1] == "[" and low.is_finite(), m[4] == "]" and high.is_finite())


_COND = re.compile(r"^\s*(\w+)\s*(>=|<=|==|>|<)\s*(\S+)\s*$")


def condition(text: str) -> tuple[str, str, Decimal]:
    m = _COND.match(text)
    if not m:
        raise ValueError(f"条件“{text}”应写成“指标 >= 值”的形式")
    return m[1], m[2], number(m[3])


def holds(value: Decimal, op: str, target: Decimal) -> bool:
    return {">=": value >= target, "<=": value <= target, "==": value == target, ">": value > target,
            "<": value < target}[op]
