"""The input sheets: blocks of single fields, matrices, and input tables that grow by typing below them."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ...book.layout import GROW_ROWS, Block, Sheet, name_for
from ...engine import fields as F
from ...engine import paths
from ...engine.inputs import ASSET_STATUSES, PROJECT_STATUSES
from .. import styles as S
from .base import Base
from .cells import put_value

# Table columns whose amounts may be negative, and text columns with a fixed list of values.
SIGNED_AMOUNTS = {("adjustments", "amount")}
CHOICES = {("projects", "status"): PROJECT_STATUSES, ("assets.groups", "status"): ASSET_STATUSES}
HINTS = {"amount": "万元", "rate": "%（填 98.6% 或 0.986）", "count": "整数", "int": "四位年份",
         "bool": "下拉选择 是/否", "date": "yyyy-mm-dd", "text": ""}


class InputSheets(Base):
    def input_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        row = 1
        freeze = None
        for block in sheet.blocks:
            title = block.title or (F.TABLES[block.table][0] if block.type == "table" else "")
            self.text(ws, row, 1, title, S.BLOCK_TITLE)
            row += 1
            if block.note:
                self.text(ws, row, 1, block.note, S.NOTE)
                row += 1
            if block.type == "fields":
                row = self.fields_block(ws, block, row)
            elif block.type == "matrix":
                row = self.matrix_block(ws, block, row)
            elif block.type == "table":
                header = row
                row = self.table_block(ws, block, row, last=block is sheet.blocks[-1])
                if freeze is None:
                    freeze = ws.cell(header + 1, 1).coordinate
            else:
                raise ValueError(f"unknown block type {block.type!r} on sheet {sheet.name}")
            row += 1  # a blank row between blocks
        if freeze:
            ws.freeze_panes = freeze
        self.apply_widths(ws, minimum=12, maximum=44)
        self.print_setup(ws)

    def fields_block(self, ws: Worksheet, block: Block, row: int) -> int:
        for path in block.fields:
            label, kind = F.SCALARS[path]
            base = S.kind_base(kind)
            self.text(ws, row, 1, label, S.BODY, align=S.LEFT_CENTER, border=S.GRID)
            self.fit(1, label)
            cell = ws.cell(row, 2)
            cell.border = S.GRID
            value = paths.get(self.data, path)
            if value is None and path == "year":
                value = self.year
            put_value(cell, value, kind)
            self.style_input(ws, cell.coordinate, kind)
            self.fit(2, "字" * 12 if base == "text" else "0" * 14)
            if base == "text" and cell.value is not None:
                self.fit(2, cell.value)
            hint = HINTS.get(base, "")
            if kind.endswith("?"):
                hint = f"{hint}；可不填" if hint else "可不填"
            self.text(ws, row, 3, hint, S.NOTE, align=S.LEFT_CENTER)
            self.fit(3, hint)
            self.name(name_for(path), ws, row, 2)
            row += 1
        return row

    def matrix_block(self, ws: Worksheet, block: Block, row: int) -> int:
        self.text(ws, row, 1, "", S.BOLD, fill=S.HEADER_FILL, border=S.GRID)
        for j, (label, _) in enumerate(block.cols, start=2):
            self.text(ws, row, j, label, S.BOLD, align=S.WRAP_CENTER, fill=S.HEADER_FILL, border=S.GRID)
            self.fit(j, label)
        row += 1
        for (label, _), line in zip(block.rows, block.matrix_paths(), strict=True):
            self.text(ws, row, 1, label, S.BODY, align=S.LEFT_CENTER, border=S.GRID)
            self.fit(1, label)
            for j, path in enumerate(line, start=2):
                cell = ws.cell(row, j)
                cell.border = S.GRID
                if path is None:
                    cell.fill = S.NO_FIELD_FILL
                    continue
                kind = F.SCALARS[path][1]
                put_value(cell, paths.get(self.data, path), kind)
                self.style_input(ws, cell.coordinate, kind)
                self.fit(j, "0" * 14)
                self.name(name_for(path), ws, row, j)
            row += 1
        return row

    def table_block(self, ws: Worksheet, block: Block, row: int, *, last: bool) -> int:
        columns = F.TABLES[block.table][1]
        given = paths.get(self.data, block.table) if self.data is not None else None
        if self.data is not None:
            records = [r or {} for r in (given or [])] or [{}]
        else:
            records = [{} for _ in range(max(block.n_rows, 1))]
        rows = [[(record.get(col), kind) for col, (_, kind) in columns.items()] for record in records]
        first, end = self.add_table(ws, block.name, row, 1, [label for label, _ in columns.values()], rows)
        for j, (col, (_, kind)) in enumerate(columns.items(), start=1):
            letter = get_column_letter(j)
            ref = f"{letter}{first}:{letter}{end}"
            self.style_input(ws, ref, kind, signed=(block.table, col) in SIGNED_AMOUNTS,
                             choices=CHOICES.get((block.table, col), ()))
            if last:
                # Rows typed below the table extend it, and Excel copies the table's formats down
                # itself; only validation needs to reach there. Pre-formatting empty cells would
                # make every reader of the sheet walk thousands of empty cells.
                grow = f"{letter}{end + 1}:{letter}{end + GROW_ROWS}"
                self.style_input(ws, grow, kind, signed=(block.table, col) in SIGNED_AMOUNTS,
                                 choices=CHOICES.get((block.table, col), ()), shade=False, format_cells=False)
            base = S.kind_base(kind)
            self.fit(j, "0" * (14 if base in ("amount", "rate", "date") else 10))
            if base == "text" and (block.table, col) not in CHOICES:
                self.fit(j, "字" * 16)
        return end + 1
