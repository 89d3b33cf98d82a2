"""Building the template's VBA project (xlperf/excel/vbaProject.bin) from the text under macros/.

    python -m xlperf.excel.vba          # rewrites xlperf/excel/vbaProject.bin
    python -m xlperf.excel.vba --check  # exit 1 if the committed file differs from a rebuild

The arrangement is xlwings' *standalone* one: the project holds xlwings' own VBA module
(``xlwings``, with its ``Dictionary`` class) next to xlperf's modules, so the workbook needs no
add-in; only Python with ``pip install "xlperf[excel]"``. The two xlwings modules are taken, at
build time, from the installed xlwings package (``xlwings.bas`` and ``addin/Dictionary.cls``,
BSD-3-Clause, their licence text is in the module header); the pinned version in the ``dev``
extra makes the build reproducible. Only xlperf's own modules live as text in macros/.

The project is source only, as MS-OVBA §2.3.4.1 asks of a writer and as xlwings' own
standalone file is: the ``_VBA_PROJECT`` stream is the 7-byte header with version 0xFFFF and
no performance cache, every module stream is compressed source with MODULEOFFSET 0, so Excel
compiles the project from source on first open. pyOpenVBA (dev extra, build time only) writes
the streams, the ``dir`` and ``PROJECT`` records; it starts from an Excel-made empty project,
whose document modules (ThisWorkbook, Sheet1 … SheetN) must match the workbook's code names.
"""

from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MACROS = ROOT / "macros"
TARGET = Path(__file__).parent / "vbaProject.bin"
# Reserved1 0x61CC, Version 0xFFFF ("MUST be 0xFFFF on write"), Reserved2 0x00, Reserved3 (2 bytes).
SOURCE_ONLY_HEADER = b"\xcc\x61\xff\xff\x00\x00\x00"
XLWINGS_MODULES = (("xlwings", "xlwings.bas"), ("Dictionary", "addin/Dictionary.cls"))


def sheet_count() -> int:
    """The template's sheets, each needing a document module: the layout's plus the xlwings.conf sheet."""
    from ..book.layout import load_layout

    return len(load_layout().sheets) + 1


def own_modules(folder: Path = MACROS) -> dict[str, str]:
    """{module name: source with CRLF line ends} of macros/*.bas and *.cls, ASCII checked."""
    modules = {}
    for path in sorted([*folder.glob("*.bas"), *folder.glob("*.cls")]):
        text = path.read_bytes().decode("ascii")  # UnicodeDecodeError names the file: keep VBA ASCII
        modules[path.stem] = _crlf(text)
    return modules


def xlwings_modules() -> dict[str, str]:
    import xlwings

    base = Path(xlwings.__file__).parent
    return {name: _crlf((base / rel).read_text(encoding="ascii", errors="strict")) for name, rel in XLWINGS_MODULES}


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _blank_workbook(path: Path, sheets: int) -> None:
    """The smallest .xlsx with ``sheets`` worksheets: all pyOpenVBA needs to make the document modules."""
    from openpyxl import Workbook

    wb = Workbook()
    for n in range(2, sheets + 1):
        wb.create_sheet(f"Sheet{n}")
    wb.save(path)


def build(macros: Path = MACROS, sheets: int | None = None) -> bytes:
    """The bytes of vbaProject.bin: same inputs, same bytes."""
    from pyopenvba import ExcelFile
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import VBAModuleKind

    sheets = sheet_count() if sheets is None else sheets
    with tempfile.TemporaryDirectory(prefix="xlperf-vba-") as tmp:
        book = Path(tmp) / "project.xlsm"
        _blank_workbook(book, sheets)
        with ExcelFile(book) as wb:
            project = wb.add_vba_project()
            for module in project.modules:  # rewrite the document modules: drops Excel's compiled cache
                module.source = module.source
                module.dirty = True
            for name, source in {**own_modules(macros), **xlwings_modules()}.items():
                kind = VBAModuleKind.other if source.startswith("VERSION") else VBAModuleKind.standard
                project.add_module(name, source, kind=kind)
            wb.save(Path(tmp) / "built.xlsm")
        with ExcelFile(Path(tmp) / "built.xlsm") as wb:
            problems = wb.validate()
        if problems:
            raise RuntimeError("pyOpenVBA found problems in the project: " + "; ".join(problems))
        with zipfile.ZipFile(Path(tmp) / "built.xlsm") as z:
            cfb = CFB.from_bytes(z.read("xl/vbaProject.bin"))
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", SOURCE_ONLY_HEADER)
    return cfb.to_bytes()


def main(argv: list[str]) -> int:
    data = build()
    if "--check" in argv:
        same = TARGET.read_bytes() == data
        print(f"{TARGET}: {'up to date' if same else 'differs from a rebuild'}")
        return 0 if same else 1
    TARGET.write_bytes(data)
    print(f"{TARGET}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
