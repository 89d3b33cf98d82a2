"""The one value codec: what a spreadsheet number means, as an exact Decimal.

Spreadsheets store numbers as binary doubles and show them at 15 significant digits.
Writers serialise the double, not what was typed: Excel writes 17 significant digits
(0.58 is stored as ``0.57999999999999996``), openpyxl writes ``%.16g`` (8.3 becomes
``8.300000000000001``), and COM hands Python a float. Every reader decodes numbers here,
so a number cell always means what the spreadsheet shows: the double at 15 significant
digits, then exactly. Text cells that hold numbers ("1,234.50", full-width digits) never
come here: they are the user's exact text, parsed as typed (``money.D``).

Pure: no spreadsheet, zip or XML library.
"""

from __future__ import annotations

import math
import re
from decimal import Context, Decimal

# Excel's display precision: digits beyond the 15th are binary noise, never data.
SIGNIFICANT_DIGITS = 15
# Wide enough to write any finite double in plain digits (the largest has 309).
_PLAIN = Context(prec=400)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class NotANumber(ValueError):
    """The text is not a finite number."""


def from_float(x: float) -> Decimal:
    """A double as the spreadsheet shows it: 15 significant digits, then exact.

    0.57999999999999996 → 0.58; 8.300000000000001 → 8.3; 1e20 → 100000000000000000000.
    """
    if not math.isfinite(x):
        raise NotANumber(repr(x))
    d = Decimal(format(x, f".{SIGNIFICANT_DIGITS}g"))
    # '.15g' writes 1e+20 for big whole numbers; keep plain digits (exponent ≤ 0) so texts never show 1E+20.
    if d.as_tuple().exponent > 0:  # type: ignore[operator]
        d = d.quantize(Decimal(1), context=_PLAIN)
    return d + 0 if d == 0 else d  # -0.0 → 0


def from_number_text(text: str) -> Decimal:
    """A number cell's stored text (the XML ``<v>``: a double's serialisation) → Decimal.

    Text beyond a double's range (1E+400, 1E+999999999: no real writer stores it) is kept as
    its exact Decimal, so the range checks name the cell instead of a float overflow deciding.
    """
    s = text.strip()
    if not _NUMBER.fullmatch(s):
        raise NotANumber(text)
    d = Decimal(s)
    if d and not -330 < d.adjusted() < 309:
        return d
    return from_float(float(d))
