"""A filled workbook's output sheets as plain text, for the before/after comparison.

Reads the written file with the zip package reader (not through the book layer under test):
every non-empty cell of the sheets xlperf writes, as "A1" → canonical text, the stamp's time
of filling left out. Run as a script to (re)make the fixture:

    python tests/book/dump.py workbooks/example-2024.xlsx tests/book/example-2024-outputs.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

OUTPUT_SHEETS = ("计算指标", "评分表", "校验结果", "_xlperf")


def text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return "" if value is None else str(value)


def dump(path: Path) -> dict[str, dict[str, str]]:
    from xlperf.book.a1 import to_a1
    from xlperf.workbook.package import Package

    pkg = Package.open(path)
    out = {}
    for sheet in OUTPUT_SHEETS:
        cells = pkg.read_cells(sheet)
        out[sheet] = {to_a1(*pos): text(cell.value) for pos, cell in sorted(cells.items())
                      if cell.value is not None and text(cell.value) != ""}
    stamp = pkg.defined_names()["xo_stamp"]
    from xlperf.book.a1 import from_a1

    r, c = from_a1(stamp.ref)
    out["_xlperf"].pop(to_a1(r + 5, c), None)  # filled_at: the clock, not the fill
    return out


def dump_filled(source: Path) -> dict[str, dict[str, str]]:
    from xlperf.workbook.fill import fill

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"filled{source.suffix}"
        fill(source, out)
        return dump(out)


if __name__ == "__main__":
    data = dump_filled(Path(sys.argv[1]))
    Path(sys.argv[2]).write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
