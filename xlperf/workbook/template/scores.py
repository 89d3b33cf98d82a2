"""The 评分表: the official form's tree of 一级/二级/三级 indicators with merged cells, then the subtotals."""

from __future__ import annotations

from decimal import Decimal

from openpyxl.worksheet.worksheet import Worksheet

from ...book.layout import SYSTEM_NAME_CELL, TOTAL_NAME, UNIT_TITLE_CELL, Sheet, item_name, level1_name
from .. import styles as S
from .base import Base
from .cells import put_number


class ScoreSheet(Base):
    def score_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        system = self.system
        # Columns (from the layout): the form's six 评价指标 columns, 指标说明, 评分标准, 评分, then the
        # extras right of 评分. The form's shape (name + 参考分值 per level) is fixed; the order is not.
        col = {c.key: j for j, c in enumerate(sheet.columns, start=1)}
        label = {c.key: c.label for c in sheet.columns}
        levels = [("level1", "level1_points"), ("level2", "level2_points"), ("item", "item_points")]
        desc_col, crit_col, score_col = col["description"], col["criteria"], col["points"]
        extras = {col[k] - score_col: label[k] for k in col if col[k] > score_col}
        last_col = len(sheet.columns)

        # Title and subtitle.
        title = self.text(ws, 1, 1, system.name, S.SHEET_TITLE, align=S.CENTER)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
        ws.row_dimensions[1].height = 30
        self.name(SYSTEM_NAME_CELL, ws, title.row, title.column)
        self.text(ws, 2, 1, "", S.BOLD, align=S.CENTER)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)
        ws.row_dimensions[2].height = 20
        self.name(UNIT_TITLE_CELL, ws, 2, 1)

        # The form's header rows: 评价指标 / 一级·二级·三级指标 / 名称·参考分值.
        h1, h2, h3 = 3, 4, 5
        self.text(ws, h1, 1, "评价指标", S.BOLD)
        ws.merge_cells(start_row=h1, start_column=1, end_row=h1, end_column=6)
        for name_key, points_key in levels:
            self.text(ws, h2, col[name_key], label[name_key], S.BOLD)
            ws.merge_cells(start_row=h2, start_column=col[name_key], end_row=h2, end_column=col[points_key])
            self.text(ws, h3, col[name_key], "名称", S.BOLD)
            self.text(ws, h3, col[points_key], label[points_key], S.BOLD)
        for c, text in [(desc_col, label["description"]), (crit_col, label["criteria"]), (score_col, label["points"]),
                        *((score_col + off, text) for off, text in sorted(extras.items()))]:
            self.text(ws, h1, c, text, S.BOLD)
            ws.merge_cells(start_row=h1, start_column=c, end_row=h3, end_column=c)
        self.box(ws, h1, h3, last_col, S.BOLD, S.WRAP_CENTER, S.HEADER_FILL)

        # One row per item, in tree order; 一级/二级 cells merged over their items.
        row = h3 + 1
        first_item_row = row
        for l1 in system.level1:
            l1_start = row
            for l2 in (n for n in system.level2 if n.parent == l1.id):
                l2_start = row
                for item in (i for i in system.items if i.parent == l2.id):
                    self.text(ws, row, col["item"], item.name)
                    put_number(ws.cell(row, col["item_points"]), item.points)
                    self.text(ws, row, desc_col, item.description)
                    self.text(ws, row, crit_col, item.criteria)
                    ws.cell(row, score_col).number_format = S.SCORE_FORMAT
                    self.name(item_name(item.id), ws, row, score_col)
                    row += 1
                self.merged_node(ws, l2_start, row - 1, col["level2"], l2.name, l2.points)
            self.merged_node(ws, l1_start, row - 1, col["level1"], l1.name, l1.points)
        self.box(ws, first_item_row, row - 1, last_col, S.BODY, S.WRAP_CENTER)
        for r in range(first_item_row, row):
            for col in (desc_col, crit_col, *(score_col + off for off in extras)):
                ws.cell(r, col).alignment = S.WRAP_TOP
            for col in (score_col, *(score_col + off for off in extras)):
                ws.cell(r, col).fill = S.OUTPUT_FILL
            for off in extras:
                ws.cell(r, score_col + off).quotePrefix = True

        # 总分, then one row per 一级指标.
        summary_start = row
        self.summary_row(ws, row, "总分", system.total, TOTAL_NAME, score_col, last_col)
        row += 1
        for l1 in system.level1:
            self.summary_row(ws, row, f"{l1.name} 得分", l1.points, level1_name(l1.id), score_col, last_col)
            row += 1
        self.box(ws, summary_start, row - 1, last_col, S.BOLD, S.CENTER)
        for r in range(summary_start, row):
            ws.cell(r, score_col).fill = S.OUTPUT_FILL

        self.column_widths(ws, sheet)
        self.fit_rows(ws, h1, summary_start - 1, minimum=18)
        ws.freeze_panes = ws.cell(h3 + 1, 1).coordinate
        self.print_setup(ws, title_rows=f"{h1}:{h3}", last_row=row - 1, last_col=last_col)

    def merged_node(self, ws: Worksheet, start: int, end: int, col: int, name: str, points: Decimal) -> None:
        self.text(ws, start, col, name)
        put_number(ws.cell(start, col + 1), points)
        if end > start:
            ws.merge_cells(start_row=start, start_column=col, end_row=end, end_column=col)
            ws.merge_cells(start_row=start, start_column=col + 1, end_row=end, end_column=col + 1)

    def summary_row(self, ws: Worksheet, row: int, label: str, points: Decimal, name: str, score_col: int,
                    last_col: int) -> None:
        self.text(ws, row, 1, label)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        put_number(ws.cell(row, 6), points)
        ws.merge_cells(start_row=row, start_column=7, end_row=row, end_column=score_col - 1)
        ws.cell(row, score_col).number_format = S.SCORE_FORMAT
        self.name(name, ws, row, score_col)
        if last_col > score_col + 1:
            ws.merge_cells(start_row=row, start_column=score_col + 1, end_row=row, end_column=last_col)
