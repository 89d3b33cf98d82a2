"""Exact decimal arithmetic: parsing, half-up rounding, percentages.

No float ever enters: values are parsed from text, and a rate that decides a band
is an exact quotient of Decimals.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation, localcontext

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
# Quotients carry 28 significant digits; 8.10 / 9.00 is exactly 0.9.
PRECISION = 28
# Commas only as thousands separators: "1,234.50", never "1,5" (a decimal comma, or a slip) read as 15.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?")


def D(value: object) -> Decimal:
    """Convert int, str or Decimal to Decimal; refuse floats (they are not exact)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        # As typed, with an input method's full-width forms: "１，２３４．５０" is 1234.50 (Decimal reads ４ itself),
        # and the minus sign (U+2212) of a figure copied from a PDF or Word table. A Chinese input method left
        # in Chinese punctuation types the point as 。: "1912。37" is 1912.37, and a 。 after a figure ends it.
        text = value.strip().removesuffix("。")
        text = text.replace("，", ",").replace("．", ".").replace("。", ".").replace("－", "-").replace("\u2212", "-")
        if "," in text:
            if not _GROUPED.fullmatch(text):
                raise ValueError(f"not a number: {value!r}")
            text = text.replace(",", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return result
    raise TypeError(f"exact decimals only, got {type(value).__name__}: {value!r}")


def div(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """Exact-as-possible quotient, or None when the denominator is zero."""
    if denominator == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        try:
            return (numerator / denominator).normalize() + ZERO
        except DivisionByZero:  # pragma: no cover - guarded above
            return None


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """四舍五入 to ``places`` decimals (never banker's rounding)."""
    step = _STEPS.get(places)
    return value.quantize(Decimal(1).scaleb(-places) if step is None else step, rounding=ROUND_HALF_UP)


_STEPS = {places: Decimal(1).scaleb(-places) for places in range(13)}  # 0 → 1, 2 → 0.01: made once


def points(value: Decimal) -> Decimal:
    """A score as displayed: two decimals, half up."""
    return round_half_up(value, 2)


def percent_text(rate: Decimal | None, places: int = 2) -> str:
    """0.98695 → '98.70%'; None → '—'."""
    if rate is None:
        return "—"
    return f"{round_half_up(rate * HUNDRED, places)}%"


def amount_text(value: Decimal | None) -> str:
    """Amounts in 万元 with thousands separators and two decimals."""
    if value is None:
        return "—"
    return f"{round_half_up(value, 2):,}"
