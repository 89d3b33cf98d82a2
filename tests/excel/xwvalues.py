"""Cell values as Excel stores them and as COM hands them to xlwings, and A1 helpers, for the xlwings fake."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

EXCEL_EPOCH = dt.datetime(1899, 12, 30)


class Error:
    """An error value in a cell, as the fake workbook holds it."""

    def __init__(self, code: str):
        self.code = code


_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%?\s*$")
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def _as_excel_stores(value: Any) -> Any:
    """What a cell holds after ``Range.value = value`` (COM marshals these types and no others)."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        raise TypeError("COM cannot pass a Decimal into Excel; convert to float")
    if isinstance(value, bool) or isinstance(value, dt.datetime):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:] or None
        if value.startswith("="):
            raise AssertionError(f"Excel would take {value!r} as a formula")
        if _NUMBER.match(value):
            text = value.strip()
            return float(text[:-1]) / 100 if text.endswith("%") else float(text)
        m = _DATE.match(value)
        if m:
            return dt.datetime(int(m[1]), int(m[2]), int(m[3]))
        return value
    raise TypeError(f"COM cannot pass {type(value).__name__} into Excel")


def excel_value(value: Any, *, date: bool = False) -> Any:
    """A zip/memory book's raw value → what the same cell holds in Excel."""
    from xlperf.book.protocol import ErrorValue

    if isinstance(value, ErrorValue):
        return Error(value.code)
    if isinstance(value, Decimal):
        if date:
            return EXCEL_EPOCH + dt.timedelta(days=float(value))
        return float(value)
    return value


def _pos(cell: Any) -> tuple[int, int]:
    if isinstance(cell, tuple):
        return int(cell[0]), int(cell[1])
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)(?::.*)?", cell)
    if not m:
        raise ValueError(f"not a cell: {cell!r}")
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return int(m[2]), col


def _last(ref: str) -> tuple[int, int]:
    return _pos(ref.split(":")[1]) if ":" in ref else _pos(ref)
