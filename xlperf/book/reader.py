"""Reading a filled-in template: defined names and tables → plain input data, with cell locations.

Written once over the book interface (xlperf.book.protocol), so a zip package, an in-memory book
and a workbook open in Excel read alike. Each table is read in one block and the named cells of a
sheet in one block (their bounding box): calls into Excel are what costs. Every problem (missing
names or tables, error values, text in number cells, percentages typed as 98.7) is collected
with its sheet and cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Iterable, Mapping

from ..engine import paths
from .protocol import Area, Book, ErrorValue, Table, Uncalculated, Value
from ..engine.bounds import out_of_range, shown_number
from ..engine.evaluator_check import check_evaluator
from ..errors import InputError, Problem, WorkbookError
from ..engine.fields import SCALARS, TABLES, blank, inputs_from_dict, kind_of
from ..engine.inputs import MAX_SENSIBLE_RATE, Inputs
from ..engine.messages import text_of
from ..engine.system import System
from .a1 import MAX_ROW, col_letter, from_a1, to_a1
from .evaluator_rows import evaluator_data
from .layout import GROW_ROWS, Layout, load_layout, name_for, version_number
from .renamed import located_sheets

# Excel's limit on the text of one cell: longer text comes from a damaged or hostile file.
MAX_CELL_TEXT = 32_767
EXCEL_EPOCH = dt.date(1899, 12, 30)
# An 8-digit whole number in a date cell is a date's digits (no serial is that large: 9999-12-31 is 2958465).
_YYYYMMDD = (Decimal(10_000_101), Decimal(99_991_231))
# A 1904-system serial plus this is the 1900-system serial of the same day (1904-01-01 is 1462 there).
DAYS_1904 = 1462
# Data rows one table may span: the template prepares 15–60; beyond this a table is junk, not a list.
MAX_TABLE_ROWS = 5_000
# Where a list's header row is looked for when its table is gone: the template puts it in row 2 or 3.
HEADER_SEARCH = (40, 30)
# Blank rows bridged below a list when an entry follows them: a row skipped by mistake while typing.
GAP_ROWS = 3
# Columns one table may span: the layout's widest has 6. A block is read whole, so width is bounded too.
MAX_TABLE_COLUMNS = 200


@dataclass
class ReadInputs:
    """What the reader found: plain nested data, where each field lives, and problems."""

    data: dict = field(default_factory=dict)
    where: dict[str, tuple[str, str]] = field(default_factory=dict)  # path → (sheet, A1), except table cells
    problems: list[Problem] = field(default_factory=list)
    template_version: str = ""
    system_id: str = ""
    # A list's cells, located on demand (a long list has hundreds, and few are ever asked for):
    # table key → (sheet, the sheet row of each data row, column letters by column key).
    rows_at: dict[str, tuple[str, list[int], dict[str, str]]] = field(default_factory=dict)
    # The workbook's name of each layout sheet found: its own, or the one a unit renamed it to.
    sheets: dict[str, str] = field(default_factory=dict)
    # What the sheet calls a field whose engine label is only its path (the evaluator's rows, which the
    # indicator system makes): path → label, the nearest enclosing path answering for its fields.
    labels: dict[str, str] = field(default_factory=dict)

    def locate(self, problem: Problem) -> Problem:
        sheet, cell = self.find(problem.field)
        return replace(self.worded(problem), sheet=sheet, cell=cell)

    def worded(self, problem: Problem) -> Problem:
        """The problem in the words of the sheet its field was read from, where the engine has none."""
        path = problem.field
        while path:
            label = self.labels.get(path)
            if label is not None:
                return problem.relabelled(label)
            path = paths.parent(path)
        return problem

    def find(self, path: str) -> tuple[str, str]:
        """(sheet, A1) of a field path, or of the nearest enclosing path read ("projects[2]" for its cells)."""
        while path:
            found = self.cell_of(path)
            if found is not None:
                return found
            path = paths.parent(path)
        return "", ""

    def cell_of(self, path: str) -> tuple[str, str] | None:
        """(sheet, A1) of exactly this path, if it was read: a cell, a list's row (its first column's cell)."""
        found = self.where.get(path)
        if found is not None:
            return found
        key, bracket, rest = path.partition("[")
        table = self.rows_at.get(key) if bracket else None
        if table is None:
            return None
        index, _, column = rest.partition("]")
        sheet, rows, letters = table
        if not index.isdigit() or int(index) >= len(rows):
            return None
        row = str(rows[int(index)])
        if not column:
            return (sheet, next(iter(letters.values())) + row) if letters else None
        found_letters = letters.get(column[1:]) if column[0] == "." else None
        return None if found_letters is None else (sheet, found_letters + row)


def plain(value: object, kind: str, where: tuple[str, str], path: str, problems: list[Problem],
          date_shift: int = 0) -> object:
    """A cell value as the plain data ``inputs_from_dict`` expects; problems recorded here.

    ``date_shift``: days added to a date serial first (DAYS_1904 for a book in the 1904 system)."""
    found = quick_plain(value, kind)
    return found if found is not CLOSER_LOOK else _plain(value, kind, where, path, problems, date_shift)


CLOSER_LOOK = object()  # quick_plain's answer for a value only the general path may judge


def quick_plain(value: object, kind: str) -> object:
    """plain() of the common cells (blank, text, an ordinary number), which need no address and record no
    problem; CLOSER_LOOK for the rest. A list's hottest loop asks this first and makes a cell's address and
    path only for the few values that need a closer look."""
    if value is None:  # most cells a table spans are blank
        return None
    # Exact types: subclasses take the general path, to the same answers.
    t = type(value)
    if t is str and value.strip() and len(value) <= MAX_CELL_TEXT:
        return value
    if t is Decimal and value.is_finite():
        base = kind.rstrip("?")
        if base in _NUMERIC and (base != "rate" or value <= MAX_SENSIBLE_RATE) and not out_of_range(value, base):
            return str(value)
    return CLOSER_LOOK


_NUMERIC = frozenset(("amount", "rate", "count", "int", "points"))


def _plain(value: object, kind: str, where: tuple[str, str], path: str, problems: list[Problem],
           date_shift: int = 0) -> object:
    sheet, cell = where
    base = kind.rstrip("?")
    if isinstance(value, ErrorValue):
        problems.append(Problem.of("ERROR_VALUE", field=path, sheet=sheet, cell=cell, value=value.code, expected="数字"))
        return None
    if isinstance(value, Uncalculated):
        problems.append(Problem.of("FORMULA_NOT_CALCULATED", field=path, sheet=sheet, cell=cell,
                                   value="=" + value.formula[:60], expected="数值"))
        return None
    if isinstance(value, Decimal) and not value.is_finite():
        # No cell of a file holds one (the codec refuses them), but a book adapter might pass one on:
        # refused here, where the comparisons and conversions below would raise.
        problems.append(Problem.of("NOT_NUMBER", field=path, sheet=sheet, cell=cell, value=str(value),
                                   expected="数字"))
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
        problems.append(Problem.of("TEXT_TOO_LONG", field=path, sheet=sheet, cell=cell, value=f"{value[:20]}…",
                                   expected=f"不超过 {MAX_CELL_TEXT} 个字符", length=len(value), limit=MAX_CELL_TEXT))
        return None
    number = value if isinstance(value, Decimal) else None
    dated = base == "date" and number is not None
    if dated and _YYYYMMDD[0] <= number <= _YYYYMMDD[1] and number == int(number):
        return str(int(number))  # 20241231 typed in a date cell: a date's digits, as its text form reads them
    bound = out_of_range(number, base) if number is not None else None
    if dated and date_shift and not bound:  # bounded first: 1E+999999999 + 1462 overflows
        number += date_shift  # a 1904-system serial to the 1900 system, where the bounds and the epoch are
        bound = out_of_range(number, base)
    if bound:  # before any conversion: int() of 1E+999999999 never ends
        problems.append(Problem.of("OUT_OF_RANGE", field=path, sheet=sheet, cell=cell, value=shown_number(value),
                                   expected=bound))
        return None
    if base == "rate" and isinstance(value, Decimal) and value > MAX_SENSIBLE_RATE:
        problems.append(replace(Problem.of("PERCENT_TYPED_AS_NUMBER", field=path, sheet=sheet, cell=cell,
                                           value=value, fraction=value / 100),
                                value=str(text_of(value)), expected="百分比，如 98.7% 或 0.987"))
        return None
    if dated:
        return EXCEL_EPOCH + dt.timedelta(days=int(number))
    if base in _NUMERIC and isinstance(value, Decimal):
        return str(value)
    if base == "bool" and isinstance(value, bool):
        return "是" if value else "否"
    return value


class SheetBlocks:
    """Reads each sheet once: the bounding box of every area planned on it, sliced on request.

    A book call per sheet instead of per table or name (Excel), and one bounded pass per sheet
    part (the zip book). Areas outside the plan are read directly.
    """

    def __init__(self, book: Book, planned: Iterable[Area] = ()):
        self.book = book
        corners: dict[str, list[int]] = {}  # sheet → [top, left, bottom, right]: one Area per sheet at the end
        for a in planned:
            c = corners.get(a.sheet)
            if c is None:
                corners[a.sheet] = [a.top, a.left, a.bottom, a.right]
            else:
                c[0], c[1], c[2], c[3] = min(a.top, c[0]), min(a.left, c[1]), max(a.bottom, c[2]), max(a.right, c[3])
        self.boxes: dict[str, Area] = {sheet: Area(sheet, *c) for sheet, c in corners.items()}
        self.blocks: dict[str, list[list[Value]]] = {}
        self.merges: dict[str, list[Area]] = {}

    def read(self, area: Area) -> list[list[Value]]:
        box = self.boxes.get(area.sheet)
        if box is None or area.first not in box or (area.bottom, area.right) not in box:
            return self.book.read(area)
        block = self.blocks.get(area.sheet)
        if block is None:
            block = self.blocks[area.sheet] = self.book.read(box)
        left, right = area.left - box.left, area.right - box.left + 1
        return [line[left:right] for line in block[area.top - box.top:area.bottom - box.top + 1]]

    def merged_cells(self, sheet: str) -> list[Area]:
        """The book's merged ranges on a sheet, asked once per sheet (its lists share them); none from a book
        that has no merged_cells (an adapter older than the member)."""
        found = self.merges.get(sheet)
        if found is None:
            merged_cells = getattr(self.book, "merged_cells", None)
            found = self.merges[sheet] = merged_cells(sheet) if merged_cells is not None else []
        return found


def read_values(book: Book | SheetBlocks, cells: dict[str, Area]) -> dict[str, Value]:
    """The first cell of each named area, read in one block per sheet (the cells' bounding box)."""
    by_sheet: dict[str, dict[str, tuple[int, int]]] = {}
    for key, area in cells.items():
        by_sheet.setdefault(area.sheet, {})[key] = area.first
    out: dict[str, Value] = {}
    for sheet, positions in by_sheet.items():
        box = Area.around(sheet, list(positions.values()))
        block = book.read(box)
        for key, (r, c) in positions.items():
            out[key] = block[r - box.top][c - box.left]
    return out


_TOTAL_LABELS = frozenset({"合计", "小计", "总计", "共计", "总合计"})


_TOTAL_MARK = "计"  # in every total word: most name cells are passed over by this test alone
assert all(_TOTAL_MARK in word for word in _TOTAL_LABELS)


def is_total_label(value: Value) -> bool:
    """A list row's name cell reading 合计 (or 小计, 总计, 合　计：): a total row, as finance staff add under lists."""
    if type(value) is not str or _TOTAL_MARK not in value or len(value) > 12:
        return False
    return "".join(value.split()).rstrip(":：") in _TOTAL_LABELS


def require_template(names: Mapping[str, Area], layout: Layout) -> None:
    """A workbook without the template's version mark is not ours: say that before anything else."""
    if layout.version_name not in names:
        raise WorkbookError([Problem.of("NOT_TEMPLATE", name=layout.version_name)])


def read_inputs(book: Book, system: System, layout: Layout | None = None) -> ReadInputs:
    layout = layout or load_layout()
    names = book.defined_names()
    out = ReadInputs()


    require_template(names, layout)
    version = names[layout.version_name]
    system_cell = names.get(layout.system_name)
    marks = read_values(book, {"version": version, **({"system": system_cell} if system_cell else {})})
    out.template_version = str(marks["version"] or "")
    if out.template_version != layout.version:
        raise WorkbookError([_version_problem(out.template_version, layout.version, version)])
    if system_cell is not None:
        out.system_id = str(marks["system"] or "")

    sheets = set(book.sheet_names())
    tables = book.tables()
    located = out.sheets = located_sheets(layout, names, tables, sheets)  # a renamed sheet is found by its names
    absent = {s.name for s in layout.sheets if s.role != "readme" and s.name not in located}
    for sheet in layout.sheets:
        if sheet.name in absent:
            out.problems.append(Problem.of("MISSING_SHEET", name=sheet.name))
    wanted: dict[str, Area] = {}
    for path, sheet_name in layout.scalar_fields():
        name = name_for(path)
        dn = names.get(name)
        if sheet_name in absent:
            continue
        if dn is None or dn.sheet not in sheets:
            out.problems.append(Problem.of("MISSING_NAME", name=name, label=SCALARS[path][0],
                                           sheet_name=located[sheet_name]))
            continue
        wanted[path] = dn if dn.height == 1 and dn.width == 1 else Area.cell(dn.sheet, dn.first)
    table_names = [name for _, name, _ in layout.tables()] + [b.name for b in layout.by_role("evaluator").blocks
                                                              if b.name]
    # An absurd table (a hostile ref over a million rows) is refused, never read: it must not widen a block.
    growing = layout.growing_tables()
    planned = [_reach(tables[n].area, n in growing) for n in table_names if n in tables and _sane(tables[n])]
    blocks = SheetBlocks(book, [*wanted.values(), *planned])
    date_shift = DAYS_1904 if getattr(book, "date1904", False) else 0
    values = read_values(blocks, wanted)
    for path, dn in wanted.items():
        where = (dn.sheet, to_a1(*dn.first))
        out.where[path] = where
        value = plain(values[path], kind_of(path), where, path, out.problems, date_shift)
        if value is not None:
            paths.put(out.data, path, value)

    for table_key, table_name, sheet_name in layout.tables():
        spec = TABLES[table_key][1]
        columns = {key: ((label,), kind.endswith("?")) for key, (label, kind) in spec.items()}
        found = _table_block(blocks, tables, table_name, located.get(sheet_name), columns, out,
                             grows=table_name in growing)
        if found is None:
            continue
        table, lines = found
        sheet = table.sheet
        # A finding about the table as a whole (no project listed) points at its first data row.
        out.where.setdefault(table_key, (sheet, to_a1(table.area.top + 1, table.area.left)))
        data_rows = []
        sheet_rows: list[int] = []
        out.rows_at[table_key] = (sheet, sheet_rows, {col_key: letters for col_key, _, letters in lines.offsets})
        # The cells of each filled row straight into plain data (the hottest loop of a long list); a cell's
        # address and path are made only for a value that needs a closer look (rows_at locates the rest).
        columns_at = [(col_key, j, letters, spec[col_key][1]) for col_key, j, letters in lines.offsets]
        first_key = next(iter(spec))  # the row's name (项目名称, 调整事项 …), where a total row says 合计
        label_at = next((j for col_key, j, _ in lines.offsets if col_key == first_key), None)
        problems = out.problems
        for r, line in lines:
            if label_at is not None and is_total_label(line[label_at]):
                continue  # a 合计 row the unit added under the list: the sum of its rows, not one more
            row_data = {}
            for col_key, j, letters, kind in columns_at:
                value = line[j]
                if value is None:
                    continue
                v = quick_plain(value, kind)
                if v is CLOSER_LOOK:
                    v = _plain(value, kind, (sheet, letters + str(r)), f"{table_key}[{len(data_rows)}].{col_key}",
                               problems, date_shift)
                if v is not None:
                    row_data[col_key] = v
            sheet_rows.append(r)
            data_rows.append(row_data)
        paths.put(out.data, table_key, data_rows)

    _read_evaluator(blocks, tables, system, layout, located, out)
    return out


def _version_problem(found: str, wanted: str, at: Area) -> Problem:
    """What to do about a template of another version: upgrade the template, or upgrade xlperf."""
    older, newer = version_number(found), version_number(wanted)
    known = older is not None and newer is not None
    code = "TEMPLATE_VERSION" if not known else "TEMPLATE_OLDER" if older < newer else "TEMPLATE_NEWER"
    return Problem.of(code, sheet=at.sheet, cell=to_a1(*at.first), value=found, expected=wanted)


class _Row:
    """One non-blank data row of a key → value table: its values by column key, and a cell's address
    made only when asked for (most rows are looked at for their key and skipped)."""

    __slots__ = ("sheet", "row", "line", "at")

    def __init__(self, sheet: str, row: int, line: list, at: dict[str, tuple[int, str]]):
        self.sheet, self.row, self.line, self.at = sheet, row, line, at

    def value(self, key: str) -> Value:
        found = self.at.get(key)
        return None if found is None else self.line[found[0]]

    def where(self, key: str) -> tuple[str, str]:
        found = self.at.get(key)
        return ("", "") if found is None else (self.sheet, found[1] + str(self.row))


def _table_rows(book: SheetBlocks, tables: dict[str, Table], table_name: str, sheet_name: str | None, columns: dict,
                out: ReadInputs) -> list[_Row] | None:
    """Non-blank data rows of a table, read in one block."""
    found = _table_block(book, tables, table_name, sheet_name, columns, out)
    if found is None:
        return None
    table, lines = found
    at = {k: (j, letters) for k, j, letters in lines.offsets}
    return [_Row(table.sheet, r, line, at) for r, line in lines]


class _FilledLines:
    """The non-blank data rows of a table's block, as (sheet row number, the row's values)."""

    def __init__(self, block: list[list[Value]], top: int, offsets: list[tuple[str, int, str]]):
        self.block, self.top = block, top
        self.offsets = offsets  # (column key, index in a row, column letters) of each column found

    def __iter__(self):
        width = len(self.block[0])
        at = [j for _, j, _ in self.offsets]
        for i, line in enumerate(self.block[1:], start=1):
            if line.count(None) == width:
                continue  # most prepared rows are blank: no addresses for them
            for j in at:  # a loop, not all() over a generator: this runs for every row with anything in it
                if not blank(line[j]):
                    yield self.top + i, line
                    break


def _table_block(book: SheetBlocks, tables: dict[str, Table], table_name: str, sheet_name: str | None, columns: dict,
                 out: ReadInputs, grows: bool = False) -> tuple[Table, _FilledLines] | None:
    """The table and its filled rows, with where its columns are; None (with the problem recorded) when it
    cannot be read. ``sheet_name`` is the workbook's name for the table's sheet, None where it is missing.

    Columns are found by key: ``columns`` maps each key to the header labels it answers to (its
    label, then former ones) and whether it may be absent. A list that grows (Layout.growing_tables)
    also takes the rows typed right below it, up to the first blank row: Excel would have widened the
    table to them, LibreOffice and WPS leave them outside it, and they are the unit's data all the same.

    Such a list whose table is gone (Excel's 转换为区域 keeps the cells and drops the table) is found by
    its header row, and its rows are those that follow it up to the first blank row, as above.
    """
    table = tables.get(table_name)
    if table is None and sheet_name is None:
        return None  # the missing sheet is already reported
    if table is None and grows:
        table = _table_by_header(book, table_name, sheet_name, columns)
    if table is None:
        out.problems.append(Problem.of("MISSING_TABLE", name=table_name, sheet_name=sheet_name))
        return None
    sheet, area = table.sheet, table.area
    if not _sane(table):
        out.problems.append(Problem.of("TABLE_TOO_LONG" if area.height - 1 > MAX_TABLE_ROWS else "TABLE_TOO_WIDE",
                                       sheet=sheet, cell=to_a1(area.top, area.left), name=table_name,
                                       rows=area.height - 1, columns=area.width, max_rows=MAX_TABLE_ROWS,
                                       max_columns=MAX_TABLE_COLUMNS))
        return None
    block = book.read(_reach(area, grows))
    header = {str(v or "").strip(): area.left + j for j, v in enumerate(block[0])}
    positions = {}
    for key, (labels, optional) in columns.items():
        found = next((header[label] for label in labels if label in header), None)
        if found is not None:
            positions[key] = found
        elif not optional:
            out.problems.append(Problem.of("MISSING_COLUMN", sheet=sheet, cell=to_a1(area.top, area.left),
                                           name=table_name, sheet_name=sheet, column=labels[0]))
    if grows:
        required = [positions[k] - area.left for k, (_, optional) in columns.items() if not optional and k in positions]
        block = _with_rows_below(book, area, block, _Entry(required, [c - area.left for c in positions.values()]))
        if len(block) - 1 > MAX_TABLE_ROWS:
            out.problems.append(Problem.of("LIST_TOO_LONG", sheet=sheet, cell=to_a1(area.top, area.left),
                                           name=table_name, max_rows=MAX_TABLE_ROWS))
            return None
    _as_shown(block, area, book.merged_cells(sheet))
    return table, _FilledLines(block, area.top, [(k, c - area.left, col_letter(c)) for k, c in positions.items()])


def _as_shown(block: list[list[Value]], area: Area, merged: list[Area]) -> None:
    """A list's cells as the merged ones show (in place): a cell merged down a column is each of its rows'
    value (是 merged over three tasks is 是 for each), and the rest of a merged range is empty, whatever
    it holds hidden (LibreOffice keeps it). The header row is left as it is."""
    top, left = area.top + 1, area.left
    bottom, right = area.top + len(block) - 1, area.left + (len(block[0]) if block else 0) - 1
    for m in merged:
        if not (top <= m.top <= bottom and left <= m.left <= right):
            continue  # starts outside the list's rows (in its header, or elsewhere): not one of its values
        shown = block[m.top - area.top][m.left - left]
        for r in range(m.top, min(m.bottom, bottom) + 1):
            line = block[r - area.top]
            for c in range(m.left, min(m.right, right) + 1):
                line[c - left] = shown if c == m.left else None


def _table_by_header(book: SheetBlocks, table_name: str, sheet_name: str, columns: dict) -> Table | None:
    """A list's header row as a table of no rows: the first row near the top of its sheet that holds every
    required header, from its first header to its last."""
    every = [labels for labels, _ in columns.values()]
    required = [labels for labels, optional in columns.values() if not optional] or every
    for i, line in enumerate(book.read(Area(sheet_name, 1, 1, HEADER_SEARCH[0], HEADER_SEARCH[1]))):
        texts = {str(v).strip(): j for j, v in enumerate(line) if isinstance(v, str)}
        if all(any(label in texts for label in labels) for labels in required):
            at = [texts[label] for labels in every for label in labels if label in texts]
            return Table(table_name, Area(sheet_name, i + 1, min(at) + 1, i + 1, max(at) + 1))
    return None


def _reach(area: Area, grows: bool) -> Area:
    """What to read of a table: itself and, for a list that grows, the rows below it that tell whether
    anything was typed there (GAP_ROWS blank ones and the next), in the sheet's block."""
    return Area(area.sheet, area.top, area.left, min(area.bottom + GAP_ROWS + 1, MAX_ROW), area.right) \
        if grows and area.bottom < MAX_ROW else area


class _Entry:
    """Whether a row reads as an entry of its list: a required column filled, and more than one cell (a note
    typed under a list fills one). An entry missing a cell is still one, and is then reported at that cell."""

    def __init__(self, required: list[int], columns: list[int]):
        self.required, self.columns = required, columns

    def __call__(self, line: list[Value]) -> bool:
        return (any(not blank(line[j]) for j in self.required)
                and sum(not blank(line[j]) for j in self.columns) > 1)


def _with_rows_below(book: SheetBlocks, area: Area, block: list[list[Value]], entry: _Entry) -> list[list[Value]]:
    """The table's rows, then those typed below it, as Excel would have widened the table to them.

    Rows right below the table are the list's up to a blank row. Past up to GAP_ROWS blank rows the list
    goes on only where an entry of it follows (a row skipped by mistake); anything else there, a note
    above all, is not part of the list, and neither is what follows it.

    Only when the rows below hold something is the rest read: most lists end in blank rows. The next
    GROW_ROWS (the rows the template validates) come first; a list pasted longer than that reads on, in one
    more block, to MAX_TABLE_ROWS data rows, and one row more when there is no blank row by then (the
    caller refuses such a list as too long rather than cut it short)."""
    rows = block[:area.height]
    below = block[area.height:]
    if all(v is None for line in below for v in line) or all(_blank_row(line) for line in below):
        return rows  # most lists end in blank rows: no value at all there, the quick test says so
    gap: list[list[Value]] = []

    def lines():
        yield from below
        top = area.bottom + len(below) + 1
        for last in (area.bottom + GROW_ROWS, area.top + MAX_TABLE_ROWS + 1):
            last = min(last, MAX_ROW)
            if last < top:
                continue
            yield from book.read(Area(area.sheet, top, area.left, last, area.right))
            top = last + 1

    for line in lines():
        if _blank_row(line):
            gap.append(line)
            if len(gap) > GAP_ROWS:
                break
            continue
        if gap:
            if not entry(line):
                break
            rows += gap
            gap = []
        rows.append(line)
        if len(rows) - 1 > MAX_TABLE_ROWS:
            break  # one row more than a list may hold: the caller refuses it
    return rows


def _blank_row(line: list[Value]) -> bool:
    return all(blank(v) for v in line)


def _sane(table: Table) -> bool:
    return table.area.height - 1 <= MAX_TABLE_ROWS and table.area.width <= MAX_TABLE_COLUMNS


def _read_evaluator(book: SheetBlocks, tables: dict[str, Table], system: System, layout: Layout,
                    located: dict[str, str], out: ReadInputs) -> None:
    sheet = layout.by_role("evaluator")
    blocks = {b.type: b for b in sheet.blocks}

    def rows_of(block_type: str) -> list[_Row]:
        block = blocks[block_type]
        columns = {c.key: ((c.label, *c.was), True) for c in block.columns}
        return _table_rows(book, tables, block.name, located.get(sheet.name), columns, out) or []

    from .evaluator_rows import evaluator_rows

    kinds = {r.key: r for r in evaluator_rows(system)}
    found: dict[str, tuple[object, str]] = {}
    for row in rows_of("evaluator"):
        key = _text(row, "key")
        if key not in kinds:
            continue
        value, where = row.value("value"), row.where("value")
        reason = _text(row, "reason")
        about = kinds[key]
        kind = {"tick": "bool", "flag": "bool", "count": "count", "points": "points", "choice": "text"}[about.kind]
        # Each row's value at its own cell, the entry (as findings name it) at its first row's.
        out.where[about.path] = where
        out.where.setdefault(f"evaluator.{about.input_key}", where)
        out.labels[about.path] = about.label
        found[key] = (plain(value, kind, where, about.path, out.problems), reason)
    evaluator = evaluator_data(system, found)
    for item in system.items:
        out.labels[f"evaluator.override:{item.id}"] = f"{item.name}：调整后得分"

    for item_id, points, values in _keyed(rows_of("overrides"), "item_id", "points", "points",
                                          "evaluator.override:", out):
        evaluator[f"override:{item_id}"] = {"points": points, "reason": _text(values, "reason")}
        # An adjustment without its reason is not applied: the finding points at the reason's cell.
        out.where[f"evaluator.override:{item_id}.reason"] = values.where("reason")
    out.data["evaluator"] = evaluator
    out.data["stated"] = {ind_id: value for ind_id, value, _ in
                          _keyed(rows_of("stated"), "indicator_id", "value", "rate", "stated.", out)}


def _text(row: _Row, column: str) -> str:
    return str(row.value(column) or "").strip()


def _keyed(rows: list[_Row], key_column: str, value_column: str, kind: str, prefix: str, out: ReadInputs):
    """(key, value, row) for each row of a key → value table whose value is filled in."""
    for row in rows:
        key = _text(row, key_column)
        raw = row.value(value_column)
        if not key or blank(raw):
            continue
        path = prefix + key
        where = out.where[path] = row.where(value_column)
        value = plain(raw, kind, where, path, out.problems)
        if value is not None:
            yield key, value, row


def _follows(path: str, refused: set[str]) -> bool:
    """A problem about a whole row that only repeats a refused cell of it ("需填写满意率" after 满意率 = 98.7),
    or that the quarters are missing when a cell of the other series was refused (amounts or progress: either
    series fills the quarters, so a refused 支出进度 is why the amounts look missing)."""
    if not path:
        return False
    if path.startswith("quarterly.") and any(f.startswith("quarterly.") for f in refused):
        return True
    return any(f.startswith((path + ".", path + "[")) for f in refused)


def load_inputs(book: Book, system: System, layout: Layout | None = None) -> tuple[Inputs, ReadInputs]:
    """Read and build typed inputs; InputError lists every problem with sheet and cell."""
    read = read_inputs(book, system, layout)
    structural = [p for p in read.problems if p.code.startswith("MISSING_")]
    if structural:
        raise WorkbookError(structural)
    problems = [read.worded(p) for p in read.problems]
    try:
        inputs = inputs_from_dict(read.data)
    except InputError as exc:
        seen = {p.field for p in problems}
        problems += [read.locate(p) for p in exc.problems if p.field not in seen and not _follows(p.field, seen)]
        raise InputError(_in_workbook_order(book, problems)) from None
    # The evaluator's entries against the system here, not only in evaluate: here they get their cells.
    problems += [read.locate(p) for p in check_evaluator(system, inputs)]
    if problems:
        raise InputError(_in_workbook_order(book, problems))
    return inputs, read


def _in_workbook_order(book: Book, problems: list[Problem]) -> list[Problem]:
    """Sheet by sheet, then row by row, as a person works through the workbook."""
    order = {name: i for i, name in enumerate(book.sheet_names())}

    def key(p: Problem) -> tuple:
        try:
            row, col = from_a1(p.cell) if p.cell else (0, 0)
        except ValueError:
            row, col = 0, 0
        return (order.get(p.sheet, len(order)), row, col)

    return sorted(problems, key=key)
