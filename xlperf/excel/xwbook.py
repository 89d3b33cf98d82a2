"""A workbook open in Excel (an ``xlwings.Book``) behind the book interface.

Every attribute read, property set and method call on an xlwings object is a cross-process
round trip into Excel (COM on Windows, AppleScript on a Mac), so this adapter asks once and keeps
the answer for the rest of one action: the sheet names, the defined names and the tables are
read once; each block is one ``range(...).options(ndim=2).value`` read or one ``.value`` write of
a whole 2-D list. The number of calls depends on the layout (names, tables, blocks), never on the
number of rows. xlwings Lite's ``Book`` has the same surface (values loaded up front, writes
applied when the script ends), so the same class serves both.

Values cross the boundary as COM hands them: numbers as floats, dates as datetimes, errors as
their text (``err_to_str``). They are turned into what the zip book reads from the file — Decimal
at Excel's 15 significant digits, dates as serial numbers, ``ErrorValue`` — so the reader, the
audit hashes and ``xlperf verify`` see the same values whichever way the workbook was filled.
One difference from a file remains: xlwings hands an error cell and a text that spells an error
code ("#REF!") over as the same text, so both read as the error. Only names xlwings' own classes
have are used (a strict fake in the tests refuses any other; tests/book/contract.py holds for it).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ..book import codec
from ..book.protocol import Area, ErrorValue, Pos, Rows, Table, Value

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
MAX_ROW = 1_048_576
CHUNK = 1000  # rows probed per read when a shrinking list is cleared
ERROR_TEXTS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                         "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
# "=基本信息!$B$3", "='三公及公用经费'!$B$3:$D$9" (a quote inside a quoted name is doubled).
_REFERS_TO = re.compile(r"^=(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$")


def from_excel(value: Any) -> Value:
    """A value as COM hands it → the raw value the zip book would read from the saved file."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        try:
            return codec.from_float(value)  # what Excel keeps and shows: 15 significant digits
        except codec.NotANumber:
            return ErrorValue("#NUM!")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, dt.datetime):
        days = value - EXCEL_EPOCH
        return Decimal(days.days) + Decimal(days.seconds) / Decimal(86400) if days.seconds else Decimal(days.days)
    if isinstance(value, dt.date):
        return Decimal((value - EXCEL_EPOCH.date()).days)
    if isinstance(value, str) and value in ERROR_TEXTS:
        return ErrorValue(value)
    return value


def to_excel(value: Value) -> Any:
    """A value to write → what Excel stores as that value and nothing else.

    Text gets Excel's text prefix (a leading apostrophe, not part of the value), so "=1+1",
    "00123" or "2024-12-31" stay the text they are instead of becoming a formula, a number or a
    date. Decimals become floats: Excel stores doubles.
    """
    if isinstance(value, str):
        return "'" + value if value else None
    if isinstance(value, Decimal):
        return float(value)
    return value


class XwBook:
    """An ``xlwings.Book`` as a Book. ``commit`` has nothing to do: Excel holds the writes."""

    # Excel hands a date cell over as a datetime in either date system, and from_excel makes it a
    # 1900-system serial, so the reader must not shift it.
    date1904 = False

    def __init__(self, book: Any):
        self.book = book
        self._sheets: dict[str, Any] = {}
        self._sheet_names: list[str] | None = None
        self._names: dict[str, Area] | None = None
        self._tables: dict[str, Table] | None = None

    def __repr__(self) -> str:
        return "XwBook()"

    # -- structure, read once per action ---------------------------------------------------------

    def sheet_names(self) -> list[str]:
        if self._sheet_names is None:
            self._sheet_names = []
            for sheet in self.book.sheets:
                name = sheet.name
                self._sheets[name] = sheet
                self._sheet_names.append(name)
        return list(self._sheet_names)

    def sheet(self, name: str) -> Any:
        if name not in self._sheets:
            if name not in self.sheet_names():
                raise KeyError(name)
        return self._sheets[name]

    def defined_names(self) -> dict[str, Area]:
        if self._names is None:
            sheets = set(self.sheet_names())
            self._names = {}
            for name in self.book.names:
                key, refers_to = name.name, name.refers_to
                m = _REFERS_TO.match(refers_to or "")
                if "!" in key or m is None:
                    continue  # scoped to a sheet, or a formula/constant: not the layout's
                sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
                if sheet in sheets:
                    self._names[key] = Area.parse(sheet, m.group(3))
        return dict(self._names)

    def tables(self) -> dict[str, Table]:
        if self._tables is None:
            self._tables = {}
            for sheet_name in self.sheet_names():
                for table in self.sheet(sheet_name).tables:
                    name = table.name
                    self._tables[name] = Table(name, Area.parse(sheet_name, table.range.address))
        return dict(self._tables)

    # -- blocks ------------------------------------------------------------------------------------

    def _range(self, area: Area) -> Any:
        return self.sheet(area.sheet).range((area.top, area.left), (area.bottom, area.right))

    def read(self, area: Area) -> list[list[Value]]:
        rows = self._range(area).options(ndim=2, err_to_str=True).value
        return [[from_excel(v) for v in row] for row in rows]

    def write(self, sheet: str, first: Pos, rows: Rows, *, clear_from: int | None = None) -> None:
        target = self.sheet(sheet)
        width = max((len(row) for row in rows), default=0)
        if not width:
            return
        if clear_from is not None:
            last = self._last_filled_row(target, clear_from, first[1], first[1] + width - 1)
            if last >= clear_from:
                target.range((clear_from, first[1]), (last, first[1] + width - 1)).clear_contents()
        values = [[to_excel(v) for v in row] + [None] * (width - len(row)) for row in rows]
        target.range(first, (first[0] + len(values) - 1, first[1] + width - 1)).value = values

    def commit(self) -> None:
        pass

    @staticmethod
    def _last_filled_row(target: Any, top: int, left: int, right: int) -> int:
        """The last row at or below ``top`` with a value in columns left…right (top - 1 if none).

        Read in chunks of CHUNK rows, one call each (one in practice): xlwings Lite has no
        ``used_range``, and a whole block read costs what one cell costs.
        """
        last, start = top - 1, top
        while start <= MAX_ROW:
            end = min(start + CHUNK - 1, MAX_ROW)
            rows = target.range((start, left), (end, right)).options(ndim=2).value
            filled = [i for i, row in enumerate(rows) if any(v not in (None, "") for v in row)]
            if not filled:
                break
            last = start + filled[-1]
            if last < end:
                break
            start = end + 1
        return last

    # -- for the entry points ----------------------------------------------------------------------

    def select(self, sheet: str, cell: str) -> None:
        """Show a cell to the user: its sheet activated, the cell selected."""
        target = self.sheet(sheet)
        target.activate()
        target.range(cell).select()
