"""The zip package behind the book interface: reads parts, buffers writes, writes a new file on commit.

Reading goes through the Package (hardened parsing, limits, exact values); writing patches only the
sheet parts that received values (the byte-level fast path first, the lxml patcher as fallback) and
``write_package`` copies every other member as raw compressed bytes into an atomically renamed file.
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ..book.memory import MemoryBook
from ..book.protocol import Area, Pos, Rows, Table, Uncalculated, Value
from ..errors import Problem, WorkbookError
from ..book.a1 import MAX_COL, MAX_ROW
from .contents import covers
from .package import Cell, Package
from .problems import workbook_error, write_error
from .sheetpatch import patch_sheet_xml
from .writer import write_package


# An output sheet xlperf owns is a plain template sheet; far larger means junk (patching parses it whole).
MAX_OWNED_SHEET = 8 << 20


class ZipBook:
    """A workbook file as a Book. ``out_path`` is where ``commit`` writes (None: a read-only book)."""

    def __init__(self, pkg: Package, out_path: str | os.PathLike | None = None):
        self.pkg = pkg
        self.out_path = Path(out_path) if out_path is not None else None
        self._cells: dict[str, tuple[tuple[int, int, int, int], dict[Pos, Cell]]] = {}  # sheet → (box read, cells)
        self._pending: dict[str, dict[Pos, Value]] = {}
        self._clear_from: dict[str, int] = {}
        self._names: dict[str, Area] | None = None

    @classmethod
    def open(cls, path: str | os.PathLike, out_path: str | os.PathLike | None = None) -> "ZipBook":
        return cls(Package.open(path), out_path)

    def __repr__(self) -> str:
        return f"ZipBook({str(self.pkg.path)!r})"

    # -- reading -----------------------------------------------------------------------------------

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.pkg.sheets()]

    @property
    def date1904(self) -> bool:
        return self.pkg.date1904()

    def defined_names(self) -> dict[str, Area]:
        if self._names is None:  # asked for by the reader, the renderer and the stamp: convert once
            self._names = {name: _area(dn.sheet, dn.ref) for name, dn in self.pkg.defined_names().items()}
        return dict(self._names)

    def tables(self) -> dict[str, Table]:
        out = {}
        for name, t in self.pkg.tables().items():
            try:
                area = _area(t.sheet, t.ref)  # remembered like the names' areas: every copy repeats them
            except ValueError:
                continue  # a table part without a usable ref cannot be read: as good as absent
            out[name] = Table(name, area, t.columns)
        return out

    def number_formats(self, sheet: str, positions: set[Pos]) -> dict[Pos, str]:
        """The number format code of each cell asked for (verify: how an output is shown)."""
        from .numformats import number_formats

        return number_formats(self.pkg, self.pkg.sheet(sheet).name, positions)

    def merged_cells(self, sheet: str) -> list[Area]:
        boxes = self.pkg.merged(sheet)
        return [Area(sheet, *box) for box in boxes] if boxes else []

    def _sheet_cells(self, sheet: str, max_row: int | None = None, max_col: int | None = None,
                     min_row: int = 1, min_col: int = 1) -> dict[Pos, Cell]:
        """The sheet's cells at least in rows min_row..max_row and columns min_col..max_col (None: to the end).

        Bounded, so a sheet padded with junk below the layout's ranges costs what the ranges hold, and
        cells above or left of them are never decoded; a read already made is reused when it covers
        the area, and a new one covers both (so a sheet asked for piece by piece is read once or twice).
        """
        box = (min_row, min_col, max_row or MAX_ROW, max_col or MAX_COL)
        cached = self._cells.get(sheet)
        if cached is None or not covers(cached[0], box):
            if cached is not None:
                done = cached[0]
                box = (min(done[0], box[0]), min(done[1], box[1]), max(done[2], box[2]), max(done[3], box[3]))
            self.pkg.sheet(sheet)  # KeyError for an unknown sheet, as the interface says
            try:
                cells = self.pkg.cells_view(sheet, max_row=box[2], max_col=box[3], min_row=box[0], min_col=box[1])
            except WorkbookError as exc:  # name the sheet the user knows, not only its part (sheet3.xml)
                raise WorkbookError([p if p.sheet else replace(p, sheet=sheet) for p in exc.problems]) from None
            cached = self._cells[sheet] = (box, cells)
        return cached[1]

    def read(self, area: Area) -> list[list[Value]]:
        cells = self._sheet_cells(area.sheet, area.bottom, area.right, area.top, area.left)
        top, left, bottom, right = area.top, area.left, area.bottom, area.right
        width = right - left + 1
        if len(cells) < (bottom - top + 1) * width:
            # Fewer cells read than the block holds (the template prepares rows left blank): a blank
            # grid, then each cell put in its place.
            grid = [[None] * width for _ in range(bottom - top + 1)]
            for (r, c), cell in cells.items():
                if top <= r <= bottom and left <= c <= right:
                    grid[r - top][c - left] = _value(cell)
            return grid
        get = cells.get
        columns = range(left, right + 1)
        return [[None if (cell := get((r, c))) is None else _value(cell) for c in columns]
                for r in range(top, bottom + 1)]

    def to_memory(self) -> MemoryBook:
        """Every sheet's values, names and tables copied into a MemoryBook (for tests and adapters' tests)."""
        sheets = {name: {pos: _value(cell) for pos, cell in self._sheet_cells(name).items()}
                  for name in self.sheet_names()}
        return MemoryBook(sheets, self.defined_names(), self.tables(), date1904=self.date1904,
                          merged={name: self.merged_cells(name) for name in self.sheet_names()})

    # -- writing -----------------------------------------------------------------------------------

    def write(self, sheet: str, first: Pos, rows: Rows, *, clear_from: int | None = None) -> None:
        name = self.pkg.sheet(sheet).name
        pending = self._pending.setdefault(name, {})
        if clear_from is not None:
            self._clear_from[name] = min(clear_from, self._clear_from.get(name, clear_from))
        top, left = first
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                pending[(top + i, left + j)] = value

    def write_cells(self, sheet: str, cells: dict[Pos, Value], *, clear_from: int | None = None) -> None:
        """Like ``write``, for cells given by position (any shape): the bulk path of write_outputs."""
        name = self.pkg.sheet(sheet).name
        if clear_from is not None:
            self._clear_from[name] = min(clear_from, self._clear_from.get(name, clear_from))
        self._pending.setdefault(name, {}).update(cells)

    def commit(self) -> None:
        if self.out_path is None:
            raise ValueError("ZipBook opened without an output path")
        out = self.out_path
        _check_suffix(self.pkg, out)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a read-only place, or a file where a folder should be
            raise write_error(exc, out) from None
        # The patched parts were just serialised by lxml: no need to parse them again.
        write_package(self.pkg, out, self._patched_parts(), check_xml=False)
        self._pending.clear()
        self._clear_from.clear()

    def _patched_parts(self) -> dict[str, bytes]:
        parts = {}
        for sheet, values in self._pending.items():
            part = self.pkg.sheet(sheet).part
            xml = self.pkg.read(part)
            if len(xml) > MAX_OWNED_SHEET:  # patching parses the whole part: junk here would cost its size
                raise workbook_error("TOO_LARGE", part=part, sheet=sheet)
            clear_from = self._clear_from.get(sheet)
            if clear_from is not None:
                # The rows are wiped from clear_from down, then written: blanks there need no cell writes.
                values = {pos: v for pos, v in values.items() if v is not None or pos[0] < clear_from}
            # Cells added below the template's prepared rows take the style of the column's last styled cell.
            parts[part] = patch_sheet_xml(xml, values, styles_from_above=True,
                                          clear_rows_from=clear_from)
        return parts


@lru_cache(maxsize=20_000)  # every copy of the template names the same areas; errors are not remembered
def _area(sheet: str, ref: str) -> Area:
    return Area.parse(sheet, ref)


def _value(cell: Cell | None) -> Value:
    if cell is None:
        return None
    if cell.value is None and cell.formula:
        return Uncalculated(cell.formula)
    return cell.value


def _check_suffix(pkg: Package, out: Path) -> None:
    """Excel refuses a file whose extension disagrees with its format (macro-enabled or not), and opens none
    without one (-o 结果, -o 结果.csv): say so now."""
    suffix = out.suffix.lower()
    macro = pkg.is_macro_enabled()
    wanted = ".xlsm" if macro else ".xlsx"
    if suffix != wanted:
        kind = "启用宏的工作簿" if macro else "不含宏的普通工作簿"
        raise WorkbookError([Problem.of("OUTPUT_SUFFIX", kind=kind, wanted=wanted, name=out.name)])
