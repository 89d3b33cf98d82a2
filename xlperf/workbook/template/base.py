"""What every sheet builder shares: defined names, validation, widths and heights, text, tables, print setup."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ...book.layout import Layout, Sheet, load_layout
from ...engine.system import System
from .. import styles as S
from .cells import put_text, put_value

TABLE_STYLE = "TableStyleMedium2"
UNIT_FORMATS = {"rate": "0.00%", "amount": "#,##0.00", "count": "0"}


class Base:
    """The builder's state (system, data, workbook) and the helpers of every sheet role."""

    def __init__(self, system: System, data: dict | None, year: int | None):
        self.system = system
        self.data = data
        self.year = year
        self.layout: Layout = load_layout()
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self._dvs: dict[tuple[str, str], DataValidation] = {}
        self._widths: dict[int, float] = {}

    def name(self, name: str, ws: Worksheet, row: int, col: int) -> None:
        if name in self.wb.defined_names:
            raise ValueError(f"defined name {name} placed twice")
        ref = f"{quote_sheetname(ws.title)}!${get_column_letter(col)}${row}"
        self.wb.defined_names[name] = DefinedName(name, attr_text=ref)

    def validate(self, ws: Worksheet, key: str, make, ref: str) -> None:
        """Add ``ref`` to the sheet's validation ``key`` (one DataValidation per rule and sheet)."""
        dv = self._dvs.get((ws.title, key))
        if dv is None:
            dv = make()
            if dv is None:
                return
            ws.add_data_validation(dv)
            self._dvs[(ws.title, key)] = dv
        dv.add(ref)

    def fit(self, col: int, text: object, extra: float = 2) -> None:
        self._widths[col] = max(self._widths.get(col, 0), S.text_width(text) + extra)

    def apply_widths(self, ws: Worksheet, minimum: float = 10, maximum: float = 60,
                     fixed: dict[int, float] | None = None) -> None:
        for col, width in self._widths.items():
            ws.column_dimensions[get_column_letter(col)].width = min(max(width, minimum), maximum)
        for col, width in (fixed or {}).items():
            ws.column_dimensions[get_column_letter(col)].width = width
        self._widths = {}

    @staticmethod
    def fit_rows(ws: Worksheet, first: int, last: int, minimum: float = 0) -> None:
        """Explicit heights for rows with wrapped text (Excel fits them on load; LibreOffice and WPS may not)."""
        spans = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}
        in_merge = {(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
                    for c in range(m.min_col, m.max_col + 1)}

        def width(col: int) -> float:
            return ws.column_dimensions[get_column_letter(col)].width or 8.43

        for r in range(first, last + 1):
            height = minimum
            for cell in ws[r]:
                if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                    continue
                merged = spans.get((cell.row, cell.column))
                if merged is None and (cell.row, cell.column) in in_merge:
                    continue
                if merged is not None and merged.max_row > merged.min_row:
                    continue  # spread over several rows: those rows' own text sets their height
                cols = range(cell.column, (merged.max_col if merged else cell.column) + 1)
                lines = S.wrapped_lines(cell.value, sum(width(c) for c in cols))
                size = (cell.font.size or 10) / 10
                height = max(height, lines * S.LINE_HEIGHT * size + S.ROW_PADDING)
            if height:
                ws.row_dimensions[r].height = round(height, 1)

    def style_input(self, ws: Worksheet, ref: str, kind: str, *, signed: bool = False,
                    choices: tuple[str, ...] = (), shade: bool = True, format_cells: bool = True) -> None:
        """Number format, shading and validation of input cells of one field kind."""
        base = S.kind_base(kind)
        for row in (ws[ref] if ":" in ref else ((ws[ref],),)) if format_cells else ():
            for cell in row:
                cell.number_format = S.NUMBER_FORMATS.get(base, "General")
                cell.font = S.BODY
                if shade:
                    cell.fill = S.INPUT_FILL
                if base == "date":
                    cell.alignment = S.CENTER
        if choices:
            self.validate(ws, "list:" + ",".join(choices), lambda: S.list_validation(choices), ref)
        else:
            self.validate(ws, f"{base}:{signed}", lambda: S.kind_validation(base, signed=signed), ref)

    def text(self, ws: Worksheet, row: int, col: int, value: object, font=S.BODY, *, align=None,
             fill=None, border=None) -> Cell:
        cell = ws.cell(row, col)
        if value is not None and value != "":
            put_text(cell, value)
        cell.font = font
        if align is not None:
            cell.alignment = align
        if fill is not None:
            cell.fill = fill
        if border is not None:
            cell.border = border
        return cell

    def add_table(self, ws: Worksheet, name: str, top: int, left: int, headers: list[str],
                  rows: list[list[tuple[Any, str]]]) -> tuple[int, int]:
        """Header + rows ((value, kind) per cell) as an Excel table; returns (first data row, last row)."""
        for j, label in enumerate(headers):
            self.text(ws, top, left + j, label, S.BOLD, align=S.WRAP_CENTER)
            self.fit(left + j, label, 4)  # room for the filter button
        for i, values in enumerate(rows, start=1):
            for j, (value, kind) in enumerate(values):
                put_value(ws.cell(top + i, left + j), value, kind)
        last = top + max(len(rows), 1)
        ref = f"{get_column_letter(left)}{top}:{get_column_letter(left + len(headers) - 1)}{last}"
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
        ws.add_table(table)
        return top + 1, last

    def header_row(self, ws: Worksheet, sheet: Sheet, row: int = 1) -> None:
        for j, column in enumerate(sheet.columns, start=1):
            self.text(ws, row, j, column.label, S.BOLD, align=S.WRAP_CENTER, fill=S.HEADER_FILL, border=S.GRID)

    @staticmethod
    def output_row(ws: Worksheet, row: int, width: int, *, quote: bool = False) -> None:
        """Grid, font, fill and wrapping of one row of cells the fill writes."""
        for j in range(1, width + 1):
            cell = ws.cell(row, j)
            cell.border = S.GRID
            cell.font = S.BODY
            cell.fill = S.OUTPUT_FILL
            cell.alignment = S.WRAP_TOP
            if quote:
                cell.quotePrefix = True

    @staticmethod
    def column_widths(ws: Worksheet, sheet: Sheet, **computed: float) -> None:
        """Each column's width from the layout (or computed here, by key)."""
        for j, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(j)].width = computed.get(column.key) or column.width or 16

    @staticmethod
    def print_setup(ws: Worksheet, *, title_rows: str | None = None, last_row: int | None = None,
                    last_col: int | None = None, landscape: bool = True) -> None:
        """A4, one page wide (as many pages down as needed), centred, page numbers in the footer."""
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if title_rows:
            ws.print_title_rows = title_rows
        if last_row and last_col:
            ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.page_margins.header = ws.page_margins.footer = 0.3
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    @staticmethod
    def box(ws: Worksheet, top: int, bottom: int, last_col: int, font, align, fill=None) -> None:
        """Thin borders, font, alignment (and fill) on every cell of rows top..bottom, merged ones included."""
        for r in range(top, bottom + 1):
            for c in range(1, last_col + 1):
                cell = ws.cell(r, c)
                cell.border = S.GRID
                cell.font = font
                cell.alignment = align
                if fill is not None:
                    cell.fill = fill
