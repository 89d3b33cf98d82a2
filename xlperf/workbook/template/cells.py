"""Writing one value into a cell: literal text stays text, Decimals keep their digits, no formula from user text."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ERROR_CODES, Cell

from ...engine import fields as F
from .. import styles as S
from ..bytepatch import number_text

_NUMBER_LIKE = re.compile(r"^\s*[-+]?[\d.,%]+\s*$")


def _needs_quote(text: str) -> bool:
    """Text Excel would turn into something else on F2+Enter: formulas, error codes, numbers."""
    return (text[:1] in ("=", "+", "-", "@") or text.strip().upper() in ERROR_CODES
            or bool(_NUMBER_LIKE.match(text)))


def put_text(cell: Cell, value: object) -> None:
    """Store ``value`` as literal text, whatever it starts with (no formula, no error cell)."""
    text = str(value)
    cell.value = text
    cell.data_type = "s"
    if _needs_quote(text):
        cell.quotePrefix = True


def put_number(cell: Cell, value: Decimal | int) -> None:
    """An exact number cell: the text of ``value`` goes into <v> as is.

    openpyxl formats numbers with "%.16g" of the float (518.56 → "518.5599999999999"),
    so a Decimal is stored as its own digits in a number cell instead ("string-number cell").
    """
    if isinstance(value, Decimal):
        cell.value = 0  # sets the cell's type to number; the digits follow
        cell._value = number_text(value)  # noqa: SLF001 — written verbatim by openpyxl's safe_string
    else:
        cell.value = value


def put_value(cell: Cell, value: Any, kind: str) -> None:
    """Write one value from plain data into a cell of field kind ``kind``; unconvertible values stay text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    kind = S.kind_base(kind)
    if kind == "text":
        put_text(cell, value)
        return
    try:
        converted = F.convert(value, kind)
    except (ValueError, ArithmeticError):
        put_text(cell, value)  # left as typed: the reader reports it
        return
    if kind == "bool":
        put_text(cell, S.YES_NO[0] if converted else S.YES_NO[1])
    elif kind == "date":
        cell.value = converted
    else:
        put_number(cell, converted)

