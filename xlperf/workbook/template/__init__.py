"""Building the xlperf template workbook with openpyxl from the layout definition (layout.toml).

Every position is computed here, block by block, from ``load_layout()``; what a reader or writer
needs is exposed as a defined name or an Excel table, never as an address. With ``data`` (plain
nested data as in ``examples/reference-2024.json``) the input cells and tables are filled in: that
is how the bundled example is made. One builder per sheet role (readme, inputs, evaluator, scores,
outputs), sharing base.py; the 说明 sheet's text is data (readme.toml).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from ...engine.system import System
from .compact import compact_sheets
from .evaluator import EvaluatorSheet, evaluator_values
from .inputs import InputSheets
from .outputs import OutputSheets
from .readme import ReadmeSheet

__all__ = ["build_template", "build_example", "evaluator_values"]

TAB_COLORS = {"input": "FFC000", "evaluator": "70AD47", "output": "5B9BD5"}


def build_template(path: str | Path, system: System, *, year: int | None = None, data: dict | None = None,
                   vba_project: bytes | None = None) -> None:
    """Write the template workbook for ``system`` to ``path``; ``data`` fills the input cells and tables.

    With ``vba_project`` (the bytes of an ``xl/vbaProject.bin``) the workbook is
    saved macro-enabled; give ``path`` an .xlsm suffix.
    """
    wb = _Builder(system, data, year).build()
    if vba_project is not None:
        import io
        import zipfile

        from ...excel import front  # the ribbon, the buttons, xlwings.conf: only the .xlsm has them

        button_rows = front.before_save(wb)

        # openpyxl copies the VBA parts of ``vba_archive`` and marks the workbook macro-enabled.
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("xl/vbaProject.bin", vba_project)
            archive.writestr("_rels/.rels", _ROOT_RELS)
            archive.writestr("[Content_Types].xml", _VBA_TYPES)
        wb.vba_archive = zipfile.ZipFile(buffer)
    wb.save(str(path))
    compact_sheets(path)
    if vba_project is not None:
        front.after_save(path, button_rows)


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"'
    ' Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"'
    ' Target="docProps/app.xml"/>'
    "</Relationships>"
)


_VBA_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    "</Types>"
)


def build_example(path: str | Path) -> None:
    """The bundled example: Shenzhen 2024 system, the reference unit's data."""
    from ...examples import reference_data
    from ...engine.system import load

    build_template(path, load("shenzhen-2024"), data=reference_data())


class _Builder(ReadmeSheet, InputSheets, EvaluatorSheet, OutputSheets):
    """One builder per sheet role, composed; build() dispatches on each layout sheet's kind."""

    def build(self) -> Workbook:
        for sheet in self.layout.sheets:
            ws = self.wb.create_sheet(sheet.name)
            if sheet.kind in TAB_COLORS:
                ws.sheet_properties.tabColor = TAB_COLORS[sheet.kind]
            handler = {
                "readme": self.readme,
                "input": self.input_sheet,
                "evaluator": self.evaluator_sheet,
                "output": self.output_sheet,
                "stamp": self.stamp_sheet,
            }[sheet.kind]
            handler(ws, sheet)
        self.wb.active = 0
        self.wb.properties.creator = "xlperf"
        self.wb.properties.title = self.system.name
        return self.wb
