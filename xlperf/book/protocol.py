"""The book interface: all xlperf needs from a workbook, whoever holds it.

A *book* is a workbook as the layout-driven code sees it: sheets by name, workbook-scope defined
names, Excel tables, and rectangular blocks of values read and written by position. Three
implementations stand behind it:

- the zip package (``xlperf.workbook.zipbook.ZipBook``): reads the file's parts, buffers the
  writes and writes a new file atomically on ``commit()``, copying every other part untouched;
- an in-memory book (``xlperf.book.memory.MemoryBook``, plain dicts) for tests and adapters;
- the xlwings book (issue 9), a workbook open in Excel.

The reader, fill and verify are written once over this interface (``xlperf.book``); an adapter
implements the six members of ``Book`` and nothing else. Every read and write is one rectangular
block, because a call into Excel costs far more than the values it moves: the layout code reads a
whole table (header and data rows) or the bounding box of a sheet's named cells in one ``read``,
and writes each output block in one ``write``.

Positions are 1-based (row, col) integers; A1 text appears only in ``Area.a1`` and ``Area.parse``.

Stability: the public names of this module (``Book``, ``Area``, ``Table``, ``ErrorValue``,
``Uncalculated``, ``Value``, ``Pos``, ``Rows``) are a contract with the adapters. Later changes
keep them backwards compatible (new members get defaults; nothing is renamed or removed) and
are noted here. Added since: ``Book.date1904`` (an adapter without it reads as False);
``Book.merged_cells(sheet)`` (an adapter without it has no merged cells).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping, Protocol, Sequence, Union, runtime_checkable

from .a1 import parse_range

Pos = tuple[int, int]  # (row, col), 1-based


@dataclass(frozen=True)
class ErrorValue:
    """A cell holding an error value ("#DIV/0!", "#REF!", "#N/A" …)."""

    code: str


@dataclass(frozen=True)
class Uncalculated:
    """A formula saved without its result (written by a program, not by Excel/WPS/LibreOffice).

    Falsy and empty as text, so it reads as blank wherever text is wanted (headers, keys, reasons);
    where a value is wanted the reader reports it. An implementation that always has results
    (Excel) never returns it.
    """

    formula: str  # without the leading "="

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return ""


# A raw cell value, as the implementation holds it; the value codec (xlperf.book.codec) turns it
# into typed input data. Numbers may come as Decimal (the zip book: exact, already at Excel's 15
# significant digits), int, or float (Excel through COM/xlwings); dates as datetime/date or, from a
# file, as a serial number. None is an empty cell.
Value = Union[None, str, bool, int, float, Decimal, dt.datetime, dt.date, ErrorValue, Uncalculated]
Rows = Sequence[Sequence[Value]]  # a rectangular block: rows of equal length


@dataclass(frozen=True)
class Area:
    """A rectangle of cells on one sheet, corners inclusive."""

    sheet: str
    top: int
    left: int
    bottom: int
    right: int

    def __post_init__(self) -> None:
        if not (1 <= self.top <= self.bottom and 1 <= self.left <= self.right):
            raise ValueError(f"not an area: {self!r}")

    @classmethod
    def cell(cls, sheet: str, pos: Pos) -> "Area":
        return cls(sheet, pos[0], pos[1], pos[0], pos[1])

    @classmethod
    def parse(cls, sheet: str, ref: str) -> "Area":
        """Area.parse("项目", "$B$3:D9"); a single cell ("C5") is a 1 × 1 area."""
        (top, left), (bottom, right) = parse_range(ref.replace("$", ""))
        return cls(sheet, top, left, bottom, right)

    @classmethod
    def around(cls, sheet: str, positions: "Sequence[Pos] | set[Pos]") -> "Area":
        """The smallest area holding every position (at least one)."""
        rows = [r for r, _ in positions]
        cols = [c for _, c in positions]
        return cls(sheet, min(rows), min(cols), max(rows), max(cols))

    @property
    def first(self) -> Pos:
        return self.top, self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        return self.right - self.left + 1

    def a1(self) -> str:
        """ "B3:D9", or "C5" for one cell (no sheet, no dollars)."""
        from .a1 import to_a1

        first = to_a1(self.top, self.left)
        return first if (self.top, self.left) == (self.bottom, self.right) else f"{first}:{to_a1(self.bottom, self.right)}"

    def __contains__(self, pos: object) -> bool:
        return (isinstance(pos, tuple) and len(pos) == 2
                and self.top <= pos[0] <= self.bottom and self.left <= pos[1] <= self.right)


@dataclass(frozen=True)
class Table:
    """An Excel table (ListObject): its name, its sheet, and its range, header row included.

    The header texts are read from the header row like any other cells (``Book.read(table.area)``),
    so one read fetches a whole table; ``columns`` is what the table part declares, possibly empty.
    """

    name: str
    area: Area  # header row + data rows
    columns: tuple[str, ...] = ()

    @property
    def sheet(self) -> str:
        return self.area.sheet

    @property
    def header_row(self) -> int:
        return self.area.top

    @property
    def data(self) -> Area | None:
        """The data rows below the header; None for a table that has only its header."""
        a = self.area
        return Area(a.sheet, a.top + 1, a.left, a.bottom, a.right) if a.bottom > a.top else None


@runtime_checkable
class Book(Protocol):
    """What the layout-driven reader, fill and verify need from a workbook.

    Sheet names compare exactly as the workbook spells them (the zip book also accepts another
    case, as Excel does). Reading an unknown sheet raises KeyError; a structural problem of the
    workbook raises ``xlperf.errors.WorkbookError`` naming the sheet.
    """

    # The date serials ``read`` returns count from 1904-01-01 (the 1904 date system, Mac Excel's
    # option), not from 1899-12-30. The reader asks with getattr(book, "date1904", False).
    date1904: bool

    def sheet_names(self) -> list[str]:
        """Every sheet (worksheets and chart sheets, hidden ones too), in workbook order."""
        ...

    def defined_names(self) -> Mapping[str, Area]:
        """Workbook-scope defined names that point at one area of one existing sheet.

        Names scoped to a sheet, names of formulas or constants, and names whose sheet is gone are
        left out: the layout only ever defines single-area references.
        """
        ...

    def tables(self) -> Mapping[str, Table]:
        """Excel tables by their (display) name."""
        ...

    # Optional (the reader asks with getattr): the sheet's merged ranges. A merged cell shows its first
    # cell's value; the others are empty (Excel) or keep what they held, hidden (LibreOffice).
    # def merged_cells(self, sheet: str) -> list[Area]: ...

    def read(self, area: Area) -> list[list[Value]]:
        """The raw values of a rectangle: ``area.height`` lists of ``area.width`` values each.

        Empty cells are None. A formula's cached result is its value; a formula without one is
        ``Uncalculated``. Values are raw: no rounding, no date conversion (the codec does that).
        """
        ...

    def write(self, sheet: str, first: Pos, rows: Rows, *, clear_from: int | None = None) -> None:
        """Write a block of values whose top-left cell is ``first``.

        Values written: None (empties the cell), str (always text: "=1+1" or "#REF!" stays text,
        never a formula or an error), bool, and numbers (Decimal or int; an implementation that
        stores doubles converts at write time). Cells keep their number format and style.

        ``clear_from``, for lists that may shrink: before writing, every value in the block's
        columns on row ``clear_from`` and below is emptied (formats stay), so rows left over
        from a longer earlier list disappear. (The zip book clears whole rows, which is the same
        on the one sheet the layout uses it for.)

        Writes may be buffered until ``commit``; reading an area after writing it within one
        fill is not required to see the new values.
        """
        ...

    def commit(self) -> None:
        """Make the writes of one fill take effect, all or nothing where the medium allows.

        The zip book writes its output file here (atomically: temp file and rename); the memory
        book has nothing to do; an Excel book may restore screen updating or calculation.
        """
        ...
