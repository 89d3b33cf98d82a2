"""Helpers of the Excel-front tests: the fake Excel holding a workbook, and saving it as Excel would."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import xwfake  # noqa: E402

from xlperf.book.protocol import Area  # noqa: E402
from xlperf.workbook.zipbook import ZipBook  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbooks" / "example-2024.xlsx"
OUTPUT_SHEETS = ("计算指标", "评分表", "校验结果")


def excel_with(spec, memory, **kw) -> xwfake.World:
    """A fake Excel holding ``memory``'s workbook, its date cells as datetimes."""
    return xwfake.world_from_book(spec, memory, dates=date_cells(memory), **kw)


def save_like_excel(world: xwfake.World, path: Path) -> Path:
    """The workbook file as Excel writes it from what it holds: every sheet's values written back.

    Numbers go into the file as the shortest text that gives back the same double, whole numbers
    without a decimal point (so 3.10 or 25.0 in a file become 3.1 and 25, as when Excel re-saves
    it). Cell styles and everything else come from the example file.
    """
    book = ZipBook.open(EXAMPLE, path)
    for sheet, cells in world.cells.items():
        if not cells:
            continue
        box = Area.around(sheet, list(cells))
        rows = [[_file_value(cells.get((r, c))) for c in range(box.left, box.right + 1)]
                for r in range(box.top, box.bottom + 1)]
        book.write(sheet, box.first, rows)
    book.commit()
    return path


def _file_value(v):
    if isinstance(v, float):
        return Decimal(int(v)) if v.is_integer() else Decimal(repr(v))
    if isinstance(v, xwfake.Error) or hasattr(v, "year"):
        raise AssertionError(f"the example holds no {type(v).__name__}; saving one is not emulated")
    return v


def date_cells(book) -> set[tuple[str, tuple[int, int]]]:
    """The filled cells of the tables' date columns: Excel hands these back as datetimes."""
    from xlperf.engine.fields import TABLES

    date_labels = {label for _, columns in TABLES.values() for label, kind in columns.values() if kind.startswith("date")}
    out = set()
    for table in book.tables().values():
        rows = book.read(table.area)
        for j, header in enumerate(rows[0]):
            if header in date_labels:
                out |= {(table.sheet, (table.area.top + i, table.area.left + j))
                        for i, row in enumerate(rows[1:], start=1) if row[j] is not None}
    return out
