"""The workbooks shipped in workbooks/: regenerated from the layout, the system and the example data.

    python -m xlperf.workbook.bundled [folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..examples import reference_data
from ..engine.system import load
from .template import build_template

SYSTEM = "shenzhen-2024"
FILES = ("template.xlsx", "template.xlsm", "example-2024.xlsx")


def macro_project() -> bytes:
    """The VBA project of the macro-enabled template, built from macros/ (see xlperf/excel/vba.py)."""
    return (Path(__file__).parent.parent / "excel" / "vbaProject.bin").read_bytes()


def regenerate(folder: str | Path = "workbooks") -> list[Path]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    system = load(SYSTEM)
    build_template(out / "template.xlsx", system)
    build_template(out / "template.xlsm", system, vba_project=macro_project())
    build_template(out / "example-2024.xlsx", system, data=reference_data())
    return [out / f for f in FILES]


if __name__ == "__main__":
    for path in regenerate(*sys.argv[1:]):
        print(path)
