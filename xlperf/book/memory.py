"""An in-memory book: plain dicts behind the book interface, for tests and for adapters' tests.

Writes apply at once; ``commit`` only counts, so a test can check that a fill committed once.
"""

from __future__ import annotations

from typing import Mapping

from .protocol import Area, Pos, Rows, Table, Value


class MemoryBook:
    """Sheets as {(row, col): value} dicts, in insertion order; names and tables as given."""

    def __init__(self, sheets: Mapping[str, Mapping[Pos, Value]] | None = None,
                 names: Mapping[str, Area] | None = None, tables: Mapping[str, Table] | None = None,
                 date1904: bool = False, merged: Mapping[str, list[Area]] | None = None):
        self.sheets: dict[str, dict[Pos, Value]] = {name: dict(cells) for name, cells in (sheets or {}).items()}
        self.names: dict[str, Area] = dict(names or {})
        self.table_map: dict[str, Table] = dict(tables or {})
        self.date1904 = date1904
        self.merged = {sheet: list(areas) for sheet, areas in (merged or {}).items()}
        self.commits = 0

    def __repr__(self) -> str:
        return f"MemoryBook({list(self.sheets)})"

    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def defined_names(self) -> dict[str, Area]:
        return {name: area for name, area in self.names.items() if area.sheet in self.sheets}

    def tables(self) -> dict[str, Table]:
        return dict(self.table_map)

    def merged_cells(self, sheet: str) -> list[Area]:
        return list(self.merged.get(sheet, ()))

    def read(self, area: Area) -> list[list[Value]]:
        cells = self.sheets[area.sheet]
        return [[cells.get((r, c)) for c in range(area.left, area.right + 1)]
                for r in range(area.top, area.bottom + 1)]

    def write(self, sheet: str, first: Pos, rows: Rows, *, clear_from: int | None = None) -> None:
        cells = self.sheets[sheet]
        top, left = first
        width = max((len(row) for row in rows), default=0)
        if clear_from is not None and width:
            for pos in [p for p in cells if p[0] >= clear_from and left <= p[1] < left + width]:
                del cells[pos]
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is None:
                    cells.pop((top + i, left + j), None)
                else:
                    cells[(top + i, left + j)] = value

    def commit(self) -> None:
        self.commits += 1

    def cells(self, sheet: str) -> dict[Pos, Value]:
        """A copy of one sheet's cells (tests compare these)."""
        return dict(self.sheets[sheet])
