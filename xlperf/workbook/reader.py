"""Reading a filled-in template: defined names and tables → plain input data, with cell locations.

The reader never imports openpyxl: it reads the package parts directly. Every
problem (missing names or tables, error values, text in number cells,
percentages typed as 98.7) is collected with its sheet and cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..bounds import out_of_range, shown_number
from ..errors import InputError, Problem, WorkbookError
from ..fields import SCALARS, TABLES, inputs_from_dict, kind_of, label_of
from ..inputs import Inputs
from ..messages import message, text_of
from ..system import System
from .a1 import from_a1, parse_range, to_a1
from .evaluator_rows import evaluator_data
from .layout import Layout, load_layout, name_for
from .package import Cell, ErrorValue, Package

# A rate cell holding more than this was almost surely typed as 98.7 instead of 98.7 %.
PERCENT_SUSPECT = Decimal("1.5")
# Excel's limit on the text of one cell: longer text comes from a damaged or hostile file.
MAX_CELL_TEXT = 32_767
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Data rows one table may span: the template prepares 15–60; beyond this a table is junk, not a list.
MAX_TABLE_ROWS = 5_000


@dataclass
class ReadInputs:
    """What the reader found: plain nested data, where each field lives, and problems."""

    data: dict = field(default_factory=dict)
    where: dict[str, tuple[str, str]] = field(default_factory=dict)  # path → (sheet, A1)
    problems: list[Problem] = field(default_factory=list)
    template_version: str = ""
    system_id: str = ""

    def locate(self, problem: Problem) -> Problem:
        sheet, cell = self._find(problem.field)
        return Problem(problem.code, problem.message, problem.field, sheet, cell, problem.value, problem.expected)

    def _find(self, path: str) -> tuple[str, str]:
        while path:
            if path in self.where:
                return self.where[path]
            path = path.rsplit(".", 1)[0] if "." in path else path.rsplit("[", 1)[0] if "[" in path else ""
        return "", ""


class _Cells:
    """Sheet cells, read once per sheet, and only as far down and right as the layout's ranges reach."""

    def __init__(self, pkg: Package, bounds: dict[str, tuple[int, int]]):
        self.pkg = pkg
        self.bounds = bounds
        self.cache: dict[str, dict[tuple[int, int], Cell]] = {}

    def sheet(self, name: str) -> dict[tuple[int, int], Cell]:
        if name not in self.cache:
            rows, cols = self.bounds.get(name, (1, 1))
            try:
                self.cache[name] = self.pkg.read_cells(name, rows, cols)
            except WorkbookError as exc:  # name the sheet the user knows, not only its part (sheet3.xml)
                raise WorkbookError([p if p.sheet else replace(p, sheet=name) for p in exc.problems]) from None
        return self.cache[name]

    def value(self, sheet: str, pos: tuple[int, int]) -> object:
        cell = self.sheet(sheet).get(pos)
        if cell is not None and cell.value is None and cell.formula:
            return Uncalculated(cell.formula)
        return None if cell is None else cell.value


@dataclass(frozen=True)
class Uncalculated:
    """A formula saved without its result (written by a program, not by Excel/WPS/LibreOffice).

    Blank wherever text is wanted (headers, keys, reasons); an input value reports it.
    """

    formula: str

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return ""


def _set(data: dict, path: str, value: object) -> None:
    """Put ``value`` at a dotted path, creating dicts and lists ('quarterly.cumulative[2]')."""
    import re

    parts = re.findall(r"[^.\[\]]+", path)
    node = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt = None if last else parts[i + 1]
        if isinstance(node, list):
            idx = int(part)
            node.extend([None] * (idx + 1 - len(node)))
            if last:
                node[idx] = value
            else:
                if node[idx] is None:
                    node[idx] = [] if nxt.isdigit() else {}
                node = node[idx]
        else:
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, [] if nxt.isdigit() else {})


def plain(value: object, kind: str, where: tuple[str, str], path: str, problems: list[Problem]) -> object:
    """A cell value as the plain data ``inputs_from_dict`` expects; problems recorded here."""
    sheet, cell = where
    base = kind.rstrip("?")
    if isinstance(value, ErrorValue):
        problems.append(Problem("ERROR_VALUE", message("ERROR_VALUE", field=path, value=value.code), path, sheet,
                                cell, value.code, "数字"))
        return None
    if isinstance(value, Uncalculated):
        problems.append(Problem("FORMULA_NOT_CALCULATED", f"“{label_of(path)}”是公式（={value.formula[:60]}），但文件中"
                                "没有它的计算结果（文件可能由其他程序生成）；请在 Excel/WPS 中打开并保存后再试",
                                path, sheet, cell, "=" + value.formula[:60], "数值"))
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
        problems.append(Problem("TEXT_TOO_LONG", f"单元格中的文字有 {len(value)} 个字符，超过 Excel 单元格上限 "
                                f"{MAX_CELL_TEXT}，文件可能已损坏；请检查并改正该单元格", path, sheet, cell,
                                f"{value[:20]}…", f"不超过 {MAX_CELL_TEXT} 个字符"))
        return None
    bound = out_of_range(value, base) if isinstance(value, Decimal) else None
    if bound:  # before any conversion: int() of 1E+999999999 never ends
        shown = shown_number(value)
        problems.append(Problem("OUT_OF_RANGE", message("OUT_OF_RANGE", field=path, value=shown, expected=bound),
                                path, sheet, cell, shown, bound))
        return None
    if base == "rate" and isinstance(value, Decimal) and value > PERCENT_SUSPECT:
        problems.append(Problem("PERCENT_TYPED_AS_NUMBER", message(
            "PERCENT_TYPED_AS_NUMBER", field=path, value=value, fraction=value / 100),
            path, sheet, cell, text_of(value), "百分比，如 98.7% 或 0.987"))
        return None
    if base == "date" and isinstance(value, Decimal):
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    if base in ("amount", "rate", "count", "int") and isinstance(value, Decimal):
        return str(value)
    if base == "bool" and isinstance(value, bool):
        return "是" if value else "否"
    return value


def _bounds(names: dict, tables: dict, layout: Layout) -> dict[str, tuple[int, int]]:
    """Per sheet, the last row and column any range of the layout reaches (a table's rows capped)."""
    wanted = {layout.version_name, layout.system_name, *(name_for(p) for p, _ in layout.scalar_fields()),
              *(b.name for s in layout.sheets for b in s.blocks if b.name)}
    bounds: dict[str, tuple[int, int]] = {}
    for name in wanted:
        found = tables.get(name) or names.get(name)
        sheet = getattr(found, "sheet", "")
        try:
            (r1, _), (r2, c2) = parse_range(found.ref) if sheet else ((0, 0), (0, 0))
        except ValueError:
            continue  # reported where the range is used
        if sheet:
            r2 = min(r2, r1 + MAX_TABLE_ROWS)
            rows, cols = bounds.get(sheet, (1, 1))
            bounds[sheet] = (max(rows, r2), max(cols, c2))
    return bounds


def require_template(names: dict, layout: Layout) -> None:
    """A workbook without the template's version mark is not ours: say that before anything else."""
    if layout.version_name not in names:
        raise WorkbookError([Problem("NOT_TEMPLATE", "这不是 xlperf 模板生成的工作簿（缺少模板版本标记 "
                                     f"{layout.version_name}）；请用 `xlperf template` 生成模板后填写")])


def read_inputs(pkg: Package, system: System, layout: Layout | None = None) -> ReadInputs:
    layout = layout or load_layout()
    names = pkg.defined_names()
    tables = pkg.tables()
    cells = _Cells(pkg, _bounds(names, tables, layout))
    out = ReadInputs()

    def missing(code: str, what: str) -> None:
        out.problems.append(Problem(code, what))

    version = names.get(layout.version_name)
    require_template(names, layout)
    out.template_version = str(cells.value(version.sheet, from_a1(version.ref)) or "")
    if out.template_version != layout.version:
        raise WorkbookError([Problem("TEMPLATE_VERSION", f"模板版本为“{out.template_version}”，本程序需要"
                                     f"“{layout.version}”；请用新模板重新填写", sheet=version.sheet,
                                     cell=version.ref.replace("$", ""))])
    system_cell = names.get(layout.system_name)
    if system_cell is not None:
        out.system_id = str(cells.value(system_cell.sheet, from_a1(system_cell.ref)) or "")

    sheets = {s.name for s in pkg.sheets()}
    absent = [s.name for s in layout.sheets if s.kind in ("input", "evaluator", "output", "stamp")
              and s.name not in sheets]
    for sheet_name in absent:
        missing("MISSING_SHEET", f"缺少工作表“{sheet_name}”；请勿删除或重命名模板中的工作表，"
                                 "可用 `xlperf template` 重新生成模板后把数据复制过去")
    for path, sheet_name in layout.scalar_fields():
        name = name_for(path)
        dn = names.get(name)
        if sheet_name in absent:
            continue
        if dn is None or dn.sheet not in sheets:
            missing("MISSING_NAME", f"缺少定义名称 {name}（“{SCALARS[path][0]}”，应在工作表“{sheet_name}”）")
            continue
        pos = from_a1(dn.ref.split(":")[0])
        where = (dn.sheet, to_a1(*pos))
        out.where[path] = where
        value = plain(cells.value(dn.sheet, pos), kind_of(path), where, path, out.problems)
        if value is not None:
            _set(out.data, path, value)

    for table_key, table_name, sheet_name in layout.tables():
        rows = _table_rows(pkg, tables, table_name, sheet_name, TABLES[table_key][1], cells, out)
        if rows is None:
            continue
        # A finding about the table as a whole (no project listed) points at its first data row.
        (r1, c1), _ = parse_range(tables[table_name].ref)
        out.where.setdefault(table_key, (getattr(tables[table_name], "sheet", "") or sheet_name, to_a1(r1 + 1, c1)))
        data_rows = []
        for pos_row, values in rows:
            k = len(data_rows)
            row_data = {}
            for col_key, (value, where) in values.items():
                path = f"{table_key}[{k}].{col_key}"
                out.where[path] = where
                v = plain(value, TABLES[table_key][1][col_key][1], where, path, out.problems)
                if v is not None:
                    row_data[col_key] = v
            out.where.setdefault(f"{table_key}[{k}]", next(iter(values.values()))[1])
            data_rows.append(row_data)
        _set(out.data, table_key, data_rows)

    _read_evaluator(pkg, tables, system, layout, cells, out)
    return out


def _table_rows(pkg: Package, tables: dict, table_name: str, sheet_name: str, columns: dict,
                cells: _Cells, out: ReadInputs) -> list[tuple[int, dict]] | None:
    """Non-blank data rows of a table: [(row, {column key: (value, (sheet, A1))})]."""
    table = tables.get(table_name)
    if table is None and any(p.code == "MISSING_SHEET" and f"“{sheet_name}”" in p.message for p in out.problems):
        return None  # the missing sheet is already reported
    if table is None:
        out.problems.append(Problem("MISSING_TABLE", f"缺少表格 {table_name}（应在工作表“{sheet_name}”）"))
        return None
    sheet = getattr(table, "sheet", "") or sheet_name
    (r1, c1), (r2, c2) = parse_range(table.ref)
    if r2 - r1 > MAX_TABLE_ROWS:
        out.problems.append(Problem("TABLE_TOO_LONG", f"表格 {table_name} 有 {r2 - r1} 行，超过上限 {MAX_TABLE_ROWS} 行；"
                                    "请删除多余的空行后再试", sheet=sheet, cell=to_a1(r1, c1)))
        return None
    header = {str(cells.value(sheet, (r1, c)) or "").strip(): c for c in range(c1, c2 + 1)}
    positions = {}
    for key, (label, kind) in columns.items():
        if label in header:
            positions[key] = header[label]
        elif not kind.endswith("?"):
            out.problems.append(Problem("MISSING_COLUMN", f"表格 {table_name} 缺少列“{label}”", sheet=sheet,
                                        cell=to_a1(r1, c1)))
    rows = []
    for r in range(r1 + 1, r2 + 1):
        raw = {k: cells.value(sheet, (r, c)) for k, c in positions.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values()):
            continue  # most prepared rows are blank: no addresses for them
        rows.append((r, {k: (v, (sheet, to_a1(r, positions[k]))) for k, v in raw.items()}))
    return rows


def _read_evaluator(pkg: Package, tables: dict, system: System, layout: Layout, cells: _Cells,
                    out: ReadInputs) -> None:
    sheet, _ = layout.block("evaluator")
    blocks = {b.type: b for b in sheet.blocks}

    def rows_of(block_type: str) -> list[tuple[int, dict]]:
        block = blocks[block_type]
        columns = {key: (label, "text?") for key, label in block.columns}
        return _table_rows(pkg, tables, block.name, sheet.name, columns, cells, out) or []

    from .evaluator_rows import evaluator_rows

    kinds = {r.key: r for r in evaluator_rows(system)}
    found: dict[str, tuple[object, str]] = {}
    for _, values in rows_of("evaluator"):
        key = str(values.get("key", (None,))[0] or "").strip()
        if key not in kinds:
            continue
        value, where = values.get("value", (None, ("", "")))
        reason = str(values.get("reason", (None,))[0] or "").strip()
        path = f"evaluator.{kinds[key].input_key}"
        kind = {"tick": "bool", "flag": "bool", "count": "count", "points": "amount", "choice": "text"}[kinds[key].kind]
        out.where.setdefault(path, where)
        found[key] = (plain(value, kind, where, path, out.problems), reason)
    evaluator = evaluator_data(system, found)

    for item_id, points, values in _keyed(rows_of("overrides"), "item_id", "points", "amount",
                                          "evaluator.override:", out):
        evaluator[f"override:{item_id}"] = {"points": points, "reason": _text(values, "reason")}
    out.data["evaluator"] = evaluator
    out.data["stated"] = {ind_id: value for ind_id, value, _ in
                          _keyed(rows_of("stated"), "indicator_id", "value", "rate", "stated.", out)}


def _text(values: dict, column: str) -> str:
    return str(values.get(column, (None,))[0] or "").strip()


def _keyed(rows: list[tuple[int, dict]], key_column: str, value_column: str, kind: str, prefix: str,
           out: ReadInputs):
    """(key, value, row) for each row of a key → value table whose value is filled in."""
    for _, values in rows:
        key = _text(values, key_column)
        raw, where = values.get(value_column, (None, ("", "")))
        if not key or raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        path = prefix + key
        out.where[path] = where
        value = plain(raw, kind, where, path, out.problems)
        if value is not None:
            yield key, value, values


def _follows(path: str, refused: set[str]) -> bool:
    """A problem about a whole row that only repeats a refused cell of it ("需填写满意率" after 满意率 = 98.7)."""
    return bool(path) and any(f.startswith((path + ".", path + "[")) for f in refused)


def load_inputs(pkg: Package, system: System, layout: Layout | None = None) -> tuple[Inputs, ReadInputs]:
    """Read and build typed inputs; InputError lists every problem with sheet and cell."""
    read = read_inputs(pkg, system, layout)
    structural = [p for p in read.problems if p.code.startswith("MISSING_")]
    if structural:
        raise WorkbookError(structural)
    problems = list(read.problems)
    try:
        inputs = inputs_from_dict(read.data)
    except InputError as exc:
        seen = {p.field for p in problems}
        problems += [read.locate(p) for p in exc.problems if p.field not in seen and not _follows(p.field, seen)]
        raise InputError(_in_workbook_order(pkg, problems)) from None
    if problems:
        raise InputError(_in_workbook_order(pkg, problems))
    return inputs, read


def _in_workbook_order(pkg: Package, problems: list[Problem]) -> list[Problem]:
    """Sheet by sheet, then row by row, as a person works through the workbook."""
    order = {s.name: i for i, s in enumerate(pkg.sheets())}

    def key(p: Problem) -> tuple:
        try:
            row, col = from_a1(p.cell) if p.cell else (0, 0)
        except ValueError:
            row, col = 0, 0
        return (order.get(p.sheet, len(order)), row, col)

    return sorted(problems, key=key)
