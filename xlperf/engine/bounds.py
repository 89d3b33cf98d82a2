"""Sane bounds for every number an input can hold, checked before any conversion or arithmetic.

A cell may hold ``1E+999999999``: ``int()`` of it never ends, ``abs()`` overflows the decimal
context, ``timedelta(days=…)`` overflows. So each kind has bounds far beyond any real unit's
figures yet small enough for every later step, compared without touching the decimal context
(``copy_abs``, ``adjusted``), and a value outside is one located problem like any other.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

# 万元: 10^12 万元 is 10^16 元, a hundred times China's yearly GDP.
AMOUNT_LIMIT = Decimal("1e12")
# A rate as a fraction: typed percentages (98.7 for 98.7 %) are caught later, with their own message.
RATE_LIMIT = Decimal("1e6")
COUNT_LIMIT = Decimal("1e9")  # people, assets, letters
INT_LIMIT = Decimal("1e4")  # the year: its own 1990–2100 check follows
DATE_SERIALS = (Decimal(1), Decimal(2_958_465))  # Excel's 1900-01-01 … 9999-12-31
# The dates an input may hold, as the template's date cells validate them. Outside is a slip, not a plan:
# 2024.6 typed for June 2024 is the number 2024.6, which a date cell shows as 1905-07-16.
DATE_WINDOW = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))
MAX_DIGITS = 40  # significant digits; Excel keeps 15
MIN_EXPONENT = -30  # 1E-31 万元 is not an amount anyone typed

# An evaluator's points: each item's maximum is checked later (check_evaluator); this keeps arithmetic sane.
POINTS_LIMIT = Decimal("1e4")

LIMITS = {"amount": AMOUNT_LIMIT, "rate": RATE_LIMIT, "count": COUNT_LIMIT, "int": INT_LIMIT, "points": POINTS_LIMIT}


def _plain(limit: Decimal) -> str:
    return f"{int(limit):,}"


def out_of_range(value: Decimal, kind: str) -> str | None:
    """What the value should be, if it is outside the kind's bounds; None when it is fine (or not numeric)."""
    kind = kind.rstrip("?")
    if not isinstance(value, Decimal) or not value.is_finite():
        return None
    digits = value.as_tuple()
    if len(digits.digits) > MAX_DIGITS or (value and digits.exponent < MIN_EXPONENT):
        return f"有效数字不超过 {MAX_DIGITS} 位的数"
    if kind == "date":
        low, high = DATE_SERIALS
        if not low <= value <= high:
            return "1900-01-01 至 9999-12-31 之间的日期"
        return None
    limit = LIMITS.get(kind)
    if limit is not None and value.copy_abs() > limit:
        return f"绝对值不超过 {_plain(limit)} 的数"
    return None


def shown_number(value: object, limit: int = 40) -> str:
    """A number echoed in a message, capped: a 5,000-digit value must not make a 5 KB message."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit - 1]}…"
