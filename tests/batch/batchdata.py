"""Batch test data: three unit workbooks' data and their totals, and a folder fingerprint.

Totals (from the engine; test_summary.py checks the distribution built from them by hand):
A = the reference unit, 96.88; B = procurement fully contracted and paid, 96.99;
C = procurement 2.00 of 5.34 contracted and “三公” spent in full, 95.36.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workbook"))

from fixtures import example_data  # noqa: E402

VARIANTS = {
    "A": example_data(),
    "B": example_data(unit="单位乙", procurement={"plan": "5.34", "contracted": "5.34", "paid": "5.34"}),
    "C": example_data(unit="单位丙", sangong={"budget": "5.31", "actual": "5.31"},
                      procurement={"plan": "5.34", "contracted": "2.00", "paid": "2.00"}),
}
TOTALS = {"A": "96.88", "B": "96.99", "C": "95.36"}


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
