"""Building the xlperf template workbook with openpyxl from the layout definition (layout.toml).

Every position is computed here, block by block, from ``load_layout()``; what a
reader or writer needs is exposed as a defined name or an Excel table, never as
an address. With ``data`` (plain nested data as in ``examples/reference-2024.json``)
the input cells and tables are filled in: that is how the bundled example is made.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..engine import fields as F
from ..engine import paths
from ..engine.indicators import CATALOG
from ..engine.inputs import ASSET_STATUSES, PROJECT_STATUSES
from ..engine.scoring import OVERRIDE_PREFIX
from ..engine.system import System
from . import styles as S
from .sheetpatch import number_text
from ..book.evaluator_rows import EvalRow, evaluator_rows
from ..book.layout import (
    FINDINGS_NAME,
    STAMP_KEYS,
    STAMP_NAME,
    SYSTEM_NAME_CELL,
    TOTAL_NAME,
    UNIT_TITLE_CELL,
    Block,
    Layout,
    Sheet,
    indicator_name,
    item_name,
    level1_name,
    load_layout,
    name_for,
)

TABLE_STYLE = "TableStyleMedium2"
# Four lines of wrapped 10–11 pt text: room for the longest formula and inputs texts.
INDICATOR_ROW_HEIGHT = 58

# Input tables grow by typing below their last row; formats and validation reach this far below.
GROW_ROWS = 200
# Table columns whose amounts may be negative, and text columns with a fixed list of values.
SIGNED_AMOUNTS = {("adjustments", "amount")}
CHOICES = {("projects", "status"): PROJECT_STATUSES, ("assets.groups", "status"): ASSET_STATUSES}
UNIT_FORMATS = {"rate": "0.00%", "amount": "#,##0.00", "count": "0"}
TAB_COLORS = {"input": "FFC000", "evaluator": "70AD47", "output": "5B9BD5"}
EVALUATOR_TITLES = {
    "evaluator": "评价人填写项（每行一项：在“填写值”列填写或从下拉列表选择）",
    "overrides": "得分调整（可选：评价人需要改动某项得分时，填写调整后得分和调整理由）",
    "stated": "报告数（可选：评价报告中写明的比率，用于与计算结果核对）",
}
EVALUATOR_INPUT_COLUMNS = {"evaluator": ("value", "reason"), "overrides": ("points", "reason"), "stated": ("value",)}
HINTS = {"amount": "万元", "rate": "%（输入 98.6 即 98.6%）", "count": "整数", "int": "四位年份",
         "bool": "下拉选择 是/否", "date": "yyyy-mm-dd", "text": ""}
_NUMBER_LIKE = re.compile(r"^\s*[-+]?[\d.,%]+\s*$")


# ---------------------------------------------------------------------------------------------
# Public API


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

        from ..excel import front  # the ribbon, the buttons, xlwings.conf: only the .xlsm has them

        button_rows = front.before_save(wb)

        # openpyxl copies the VBA parts of ``vba_archive`` and marks the workbook macro-enabled.
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("xl/vbaProject.bin", vba_project)
            archive.writestr("_rels/.rels", _ROOT_RELS)
            archive.writestr("[Content_Types].xml", _VBA_TYPES)
        wb.vba_archive = zipfile.ZipFile(buffer)
    wb.save(str(path))
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
    from ..examples import reference_data
    from ..engine.system import load

    build_template(path, load("shenzhen-2024"), data=reference_data())


# ---------------------------------------------------------------------------------------------
# Writing values


def _needs_quote(text: str) -> bool:
    """Text Excel would turn into something else on F2+Enter: formulas, error codes, numbers."""
    return (text[:1] in ("=", "+", "-", "@") or text.strip().upper() in ERROR_CODES
            or bool(_NUMBER_LIKE.match(text)))


def put_text(cell: Cell, value: object) -> None:
    """Store ``value`` as literal text, whatever it starts with (no formula, no error cell)."""
    text = str(value)
    cell.value = text
    cell.data_type = "s"
    if _needs_quote(text):
        cell.quotePrefix = True


def put_number(cell: Cell, value: Decimal | int) -> None:
    """An exact number cell: the text of ``value`` goes into <v> as is.

    openpyxl formats numbers with "%.16g" of the float (518.56 → "518.5599999999999"),
    so a Decimal is stored as its own digits in a number cell instead ("string-number cell").
    """
    if isinstance(value, Decimal):
        cell.value = 0  # sets the cell's type to number; the digits follow
        cell._value = number_text(value)  # noqa: SLF001 — written verbatim by openpyxl's safe_string
    else:
        cell.value = value


def put_value(cell: Cell, value: Any, kind: str) -> None:
    """Write one value from plain data into a cell of field kind ``kind``; unconvertible values stay text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    kind = S.kind_base(kind)
    if kind == "text":
        put_text(cell, value)
        return
    try:
        converted = F.convert(value, kind)
    except (ValueError, ArithmeticError):
        put_text(cell, value)  # left as typed: the reader reports it
        return
    if kind == "bool":
        put_text(cell, S.YES_NO[0] if converted else S.YES_NO[1])
    elif kind == "date":
        cell.value = converted
    else:
        put_number(cell, converted)


def _raw(data: dict | None, path: str) -> Any:
    return paths.get(data, path)


def evaluator_values(system: System, data: dict | None) -> dict[str, tuple[Any, str]]:
    """Row key → (value, reason) from ``data["evaluator"]``: ticks to key#1..#n, reason on a key's first row."""
    entries = (data or {}).get("evaluator") or {}
    out: dict[str, tuple[Any, str]] = {}
    seen: set[str] = set()
    for row in evaluator_rows(system):
        entry = entries.get(row.input_key) or {}
        if row.kind == "tick":
            ticks = entry.get("ticks") or []
            index = int(row.key.split("#", 1)[1]) - 1
            value = ticks[index] if index < len(ticks) else None
        else:
            value = entry.get(row.kind)
        reason = "" if row.input_key in seen else str(entry.get("reason") or "")
        seen.add(row.input_key)
        out[row.key] = (value, reason)
    return out


# ---------------------------------------------------------------------------------------------
# The builder


class _Builder:
    def __init__(self, system: System, data: dict | None, year: int | None):
        self.system = system
        self.data = data
        self.year = year
        self.layout: Layout = load_layout()
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self._dvs: dict[tuple[str, str], DataValidation] = {}
        self._widths: dict[int, float] = {}

    # -- helpers -------------------------------------------------------------------------------

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

    # -- the workbook --------------------------------------------------------------------------

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

    # -- 说明 -------------------------------------------------------------------------------

    def readme(self, ws: Worksheet, sheet: Sheet) -> None:
        layout = self.layout
        inputs = "、".join(s.name for s in layout.by_kind("input"))
        evaluator = "、".join(s.name for s in layout.by_kind("evaluator"))
        outputs = "、".join(s.name for s in layout.by_kind("output"))
        tables = "、".join(f"{s}（{F.TABLES[t][0]}）" for t, _, s in layout.tables())
        ws.column_dimensions["A"].width = 14
        ws.column_dimensions["B"].width = 90
        self.text(ws, 1, 1, "部门（单位）整体支出绩效评价 数据填报模板", S.SHEET_TITLE)
        ws.row_dimensions[1].height = 28
        self.text(ws, 2, 1, "指标体系", S.BOLD)
        self.text(ws, 2, 2, f"{self.system.name}（{self.system.id}）")
        self.text(ws, 3, 1, "模板版本", S.BOLD)
        self.text(ws, 3, 2, layout.version)  # for people; readers use the name on the stamp sheet
        self.text(ws, 5, 1, "填写说明", S.BLOCK_TITLE)
        steps = [
            f"需要填写的工作表（标签为橙色）：{inputs}。评价人在“{evaluator}”工作表（标签为绿色）中填写评分项。",
            "浅黄色单元格是填写处；灰色单元格表示没有对应数据，不用填写。把鼠标停在单元格上会显示填写提示。",
            "金额单位一律为万元，保留两位小数（如 1936.12）。年中收回或减少的调整金额填负数。",
            "比率单元格已设为百分比格式：直接输入 98.6 即为 98.6%（也可输入 98.6%）。超过 150% 的比率会被拒绝。",
            "“是/否”、项目完成状态、资产状态等单元格带下拉列表，请从列表中选择。日期按 yyyy-mm-dd 填写，如 2024-12-31。",
            f"列表类数据为 Excel 表格：{tables}。行数不够时，在表格最后一行的下一行直接输入，表格会自动扩展；"
            "不用的空行可以留空。",
            f"“{evaluator}”工作表：逐行填写“填写值”（是/否、项数、档次或分数），低于满分的要在“理由或说明”中写明理由；"
            "需要改动某项最终得分时在“得分调整”表中填写调整后得分和理由；“报告数”表填写评价报告中写明的比率（可选）。",
            f"{outputs}（标签为蓝色）由 xlperf fill 命令或 Excel 中的“重新计算”按钮写入，请勿手工修改；"
            "xlperf verify 会检出对这些工作表以及计算所用数据的任何手工改动。",
            "隐藏的 _xlperf 工作表记录模板版本和计算记录，请勿删除或修改。",
        ]
        row = 6
        for n, step in enumerate(steps, start=1):
            self.text(ws, row, 1, f"{n}.", S.BODY, align=S.WRAP_TOP)
            self.text(ws, row, 2, step, S.BODY, align=S.WRAP_TOP)
            row += 1
        self.fit_rows(ws, 6, row - 1)
        # How empty or conflicting data are scored: from the engine's own table, so sheet and code agree.
        from ..engine.gaps import notes

        row += 1
        self.text(ws, row, 1, "空缺与冲突数据的处理", S.BLOCK_TITLE)
        first = row + 1
        for n, note in enumerate(notes(self.system), start=1):
            row += 1
            self.text(ws, row, 1, f"{n}.", S.BODY, align=S.WRAP_TOP)
            self.text(ws, row, 2, note, S.BODY, align=S.WRAP_TOP)
        self.fit_rows(ws, first, row)
        self.print_setup(ws, landscape=False)

    # -- input sheets -------------------------------------------------------------------------

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
            value = _raw(self.data, path)
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
                put_value(cell, _raw(self.data, path), kind)
                self.style_input(ws, cell.coordinate, kind)
                self.fit(j, "0" * 14)
                self.name(name_for(path), ws, row, j)
            row += 1
        return row

    def table_block(self, ws: Worksheet, block: Block, row: int, *, last: bool) -> int:
        columns = F.TABLES[block.table][1]
        given = _raw(self.data, block.table) if self.data is not None else None
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

    # -- 评价人评分 ------------------------------------------------------------------------------

    def evaluator_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        row = 1
        freeze = None
        widths: dict[int, float] = {}
        for block in sheet.blocks:
            keys = block.keys
            headers = [c.label for c in block.columns]
            self.text(ws, row, 1, block.title or EVALUATOR_TITLES.get(block.type, ""), S.BLOCK_TITLE)
            row += 1
            records, row_kinds = self.evaluator_records(block)
            values = [[(rec.get(k), kinds.get(k, "text")) for k in keys]
                      for rec, kinds in zip(records, row_kinds, strict=True)]
            first, end = self.add_table(ws, block.name, row, 1, headers, values)
            for j, column in enumerate(block.columns, start=1):
                widths[j] = max(widths.get(j, 0), column.width or 14)
                for r in range(first, end + 1):
                    ws.cell(r, j).alignment = S.WRAP_TOP
                    ws.cell(r, j).font = S.BODY
            self.evaluator_inputs(ws, block, keys, first, records)
            if freeze is None:
                freeze = ws.cell(first, 1).coordinate
            row = end + 2
        ws.freeze_panes = freeze
        self._widths = {}
        self.apply_widths(ws, fixed=widths)
        self.fit_rows(ws, 1, ws.max_row)
        self.print_setup(ws)

    def evaluator_records(self, block: Block) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        """One dict per table row (column key → value) and the field kind of each column of that row."""
        system, data = self.system, self.data
        entries = (data or {}).get("evaluator") or {}
        records: list[dict[str, Any]] = []
        kinds: list[dict[str, str]] = []
        if block.type == "evaluator":
            values = evaluator_values(system, data)
            for r in evaluator_rows(system):
                value, reason = values[r.key]
                records.append({"key": r.key, "item": r.item, "what": r.what, "expects": r.expects,
                                "value": value, "reason": reason, "_row": r})
                kinds.append({"value": _EVAL_KINDS[r.kind]})
        elif block.type == "overrides":
            for item in system.items:
                entry = entries.get(OVERRIDE_PREFIX + item.id) or {}
                records.append({"item_id": item.id, "item": item.name, "points": entry.get("points"),
                                "reason": entry.get("reason"), "_max": item.points})
                kinds.append({"points": "amount"})
        elif block.type == "stated":
            stated = (data or {}).get("stated") or {}
            for id_, name, unit in CATALOG:
                if unit == "rate":
                    records.append({"indicator_id": id_, "indicator": name, "value": stated.get(id_)})
                    kinds.append({"value": "rate"})
        else:
            raise ValueError(f"unknown evaluator block type {block.type!r}")
        return records, kinds

    def evaluator_inputs(self, ws: Worksheet, block: Block, keys: list[str], first: int,
                         records: list[dict[str, Any]]) -> None:
        """Shading, formats and per-row validation of the cells the evaluator fills in."""
        cols = {k: keys.index(k) + 1 for k in EVALUATOR_INPUT_COLUMNS.get(block.type, ()) if k in keys}
        for i, rec in enumerate(records):
            r = first + i
            for key, col in cols.items():
                cell = ws.cell(r, col)
                cell.fill = S.INPUT_FILL
                ref = cell.coordinate
                if key == "reason":
                    cell.number_format = "@"
                    continue
                if block.type == "evaluator":
                    row: EvalRow = rec["_row"]
                    if row.kind in ("tick", "flag", "choice"):
                        cell.number_format = "@"
                        cell.alignment = S.CENTER
                        options = row.choices or S.YES_NO
                        self.validate(ws, "list:" + ",".join(options), lambda o=options: S.list_validation(o), ref)
                    elif row.kind == "count":
                        cell.number_format = "0"
                        self.validate(ws, "count", lambda: S.kind_validation("count"), ref)
                    elif row.kind == "points":
                        cell.number_format = S.SCORE_FORMAT
                        self.validate(ws, f"points:{row.max_points}",
                                      lambda m=row.max_points: S.points_validation(m), ref)
                elif block.type == "overrides":
                    cell.number_format = S.SCORE_FORMAT
                    self.validate(ws, f"points:{rec['_max']}", lambda m=rec["_max"]: S.points_validation(str(m)), ref)
                elif block.type == "stated":
                    cell.number_format = UNIT_FORMATS["rate"]
                    self.validate(ws, "stated", S.stated_rate_validation, ref)

    # -- output sheets ------------------------------------------------------------------------

    def output_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        {"indicators": self.indicator_sheet, "scores": self.score_sheet, "findings": self.findings_sheet}[
            sheet.role](ws, sheet)

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

    # -- 评分表 ---------------------------------------------------------------------------------

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

    # -- _xlperf ---------------------------------------------------------------------------------

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


_EVAL_KINDS = {"tick": "bool", "flag": "bool", "count": "count", "points": "amount", "choice": "text"}
