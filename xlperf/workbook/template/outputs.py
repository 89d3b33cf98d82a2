"""The output sheets the fill writes into: 计算指标, 评分表 (scores.py), 校验结果, and the hidden stamp."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ...book.layout import FINDINGS_NAME, STAMP_KEYS, STAMP_NAME, Sheet, indicator_name
from ...engine.indicators import CATALOG
from .. import styles as S
from .base import UNIT_FORMATS
from .scores import ScoreSheet

# Four lines of wrapped 10–11 pt text: room for the longest formula and inputs texts.
INDICATOR_ROW_HEIGHT = 58


class OutputSheets(ScoreSheet):
    def output_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        {"indicators": self.indicator_sheet, "scores": self.score_sheet, "findings": self.findings_sheet}[
            sheet.role](ws, sheet)

    def indicator_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        self.header_row(ws, sheet)
        value_col = sheet.column("value") + 1
        for i, (id_, name, unit) in enumerate(CATALOG, start=2):
            self.output_row(ws, i, len(sheet.columns))
            self.text(ws, i, sheet.column("id") + 1, id_)
            self.text(ws, i, sheet.column("name") + 1, name)
            ws.cell(i, value_col).number_format = UNIT_FORMATS[unit]
            ws.cell(i, value_col).alignment = S.LEFT_CENTER
            for key in ("formula", "inputs", "note"):
                ws.cell(i, sheet.column(key) + 1).quotePrefix = True
            # The fill writes wrapped text of up to four lines here, and no viewer re-fits rows that a
            # program filled in: the height is set now (LibreOffice would otherwise overprint rows).
            ws.row_dimensions[i].height = INDICATOR_ROW_HEIGHT
            self.name(indicator_name(id_), ws, i, value_col)
        self.column_widths(ws, sheet, id=max(S.text_width(id_) for id_, _, _ in CATALOG) + 2)
        ws.freeze_panes = "C2"
        self.print_setup(ws, title_rows="1:1", last_row=len(CATALOG) + 1, last_col=len(sheet.columns))

    def findings_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        self.header_row(ws, sheet)
        for i in range(2, sheet.rows + 2):
            # Echoed user text (e.g. "=1+1") must stay text even after F2+Enter in Excel.
            self.output_row(ws, i, len(sheet.columns), quote=True)
        self.name(FINDINGS_NAME, ws, 2, 1)
        self.column_widths(ws, sheet)
        ws.freeze_panes = "A2"
        self.print_setup(ws, title_rows="1:1", last_row=sheet.rows + 1, last_col=len(sheet.columns))

    def stamp_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        ws.sheet_state = "hidden"
        rows = [("template_version", self.layout.version), ("system_id", self.system.id),
                *((key, None) for key in STAMP_KEYS)]
        for i, (key, value) in enumerate(rows, start=1):
            self.text(ws, i, 1, key, S.HIDDEN_KEY)
            if value is not None:
                self.text(ws, i, 2, value)
        # Version and system live on the small hidden sheet every fill reads anyway.
        self.name(self.layout.version_name, ws, 1, 2)
        self.name(self.layout.system_name, ws, 2, 2)
        self.name(STAMP_NAME, ws, 3, 2)
        ws.column_dimensions["A"].width = 20
        ws.column_dimensions["B"].width = 70
