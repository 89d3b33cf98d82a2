"""What xlperf writes into the output sheets: cell values placed through the layout's names.

Pure: takes a Result, the reader's cell locations and the book's defined names,
returns {sheet: {(row, col): value}}; ``blocks`` cuts that into the rectangles a
book writes in one call each. Values only (no formulas), so any viewer shows
them, including one that never recalculates.
"""

from __future__ import annotations


from decimal import Decimal
from typing import Mapping

from .protocol import Area, Pos
from ..digest import sha256
from ..engine.evaluate import Result
from ..engine.indicators import CATALOG, Indicator
from ..engine.money import amount_text, percent_text, round_half_up
from ..engine.shown import rate_text
from ..engine.system import System, once_per_system
from .a1 import to_a1
from .layout import (
    FINDINGS_NAME,
    SYSTEM_NAME_CELL,
    TOTAL_NAME,
    UNIT_TITLE_CELL,
    Layout,
    indicator_name,
    item_name,
    level1_name,
)
from .reader import ReadInputs
from .celltext import MAX_TEXT, clean_text

Cells = dict[tuple[int, int], object]
# Excel keeps 15 significant digits: write rates to 10 decimals so a re-save keeps them.
RATE_PLACES = 10


class OutputNames:
    """Resolves output names to (sheet, (row, col)); a missing name is a template defect."""

    def __init__(self, names: Mapping[str, Area]):
        self.names = names
        self.missing: list[str] = []

    def at(self, name: str) -> tuple[str, tuple[int, int]] | None:
        area = self.names.get(name)
        if area is None:
            self.missing.append(name)
            return None
        return area.sheet, area.first


def _written(ind: Indicator) -> object:
    if ind.value is None:
        return "无法计算"
    if ind.unit == "rate":
        return round_half_up(ind.value, RATE_PLACES).normalize()
    return ind.value


@once_per_system
def _edges(system: System) -> dict[str, list]:
    """Indicator id → the edge tests of every rule reading it (none when rules band on the printed rate)."""
    from ..engine.kinds import edge_tests

    out: dict[str, list] = {}
    if system.band_on == "exact":
        for item in system.items:
            for kind, params in ((item.kind, item.params), *((p["kind"], p) for p in item.params.get("parts", []))):
                for ind_id, test in edge_tests(kind, params):
                    out.setdefault(ind_id, []).append(test)
    return out


def _note(ind: Indicator, edges: dict[str, list]) -> str:
    """The indicator's note; where 0.00 % would print the rate across an edge a rule uses, the exact rate too."""
    if ind.unit != "rate" or ind.value is None or ind.id not in edges:
        return ind.note
    exact = rate_text(ind.value, edges[ind.id])
    if exact == percent_text(ind.value):
        return ind.note
    return "；".join(x for x in (ind.note, f"显示为两位小数；评分按 {exact}（不足 0.01% 的差别决定分档）") if x)


class _CitedText:
    """The 依据 text of each indicator, every cited cell formatted once a fill (the hottest part of
    rendering): indicators share whole lists (the project list is cited by three figures, the key tasks
    by two) and single cells (the adjusted budget total by a dozen)."""

    def __init__(self, read: ReadInputs | None):
        self.cell_of = read.cell_of if read is not None else None
        self.lists: dict[int, tuple[tuple, str]] = {}  # id(used) → (used, text): used kept, so its id stays its own
        self.parts: dict[str, tuple[str, object, str]] = {}  # path → (label, value, its text)

    def of(self, ind: Indicator) -> str:
        used = ind.used
        found = self.lists.get(id(used))
        if found is not None and found[0] is used:
            return found[1]
        parts = self.parts
        texts = []
        for path, label, value in used:
            known = parts.get(path)
            if known is not None and known[0] == label and known[1] == value and type(known[1]) is type(value):
                texts.append(known[2])
                continue
            text = self._part(path, label, value)
            parts[path] = (label, value, text)
            texts.append(text)
        text = "；".join(texts)
        self.lists[id(used)] = (used, text)
        return text

    def _part(self, path: str, label: str, value: object) -> str:
        if isinstance(value, Decimal):
            shown = percent_text(value) if "rate" in path or "progress" in path else amount_text(value)
        elif type(value) is bool:  # bool has no subclasses
            shown = "是" if value else "否"
        else:
            shown = str(value)
        where = self.cell_of(path) if self.cell_of is not None else None
        return f"{label} {shown}（{where[0]}!{where[1]}）" if where else f"{label} {shown}"


def fit_text(text: str) -> str:
    """Text cut to what one Excel cell holds (echoed inputs can add up to more), marked with "…"."""
    if len(text) <= MAX_TEXT:  # clean_text refuses only on length, which escaping is not counted in
        return text
    cut = MAX_TEXT - 1
    while True:
        try:
            clean_text(text)
            return text
        except ValueError:  # too long, possibly only once _xHHHH_ look-alikes are escaped
            text, cut = text[:cut] + "…", cut - 1024


def render(result: Result, read: ReadInputs | None, names: Mapping[str, Area], layout: Layout) -> dict[str, Cells]:
    out: dict[str, Cells] = {}
    on = OutputNames(names)

    def put(sheet: str, pos: tuple[int, int], value: object) -> None:
        cells = out.get(sheet)
        if cells is None:
            cells = out[sheet] = {}
        cells[pos] = fit_text(value) if isinstance(value, str) else value

    edges = _edges(result.system)
    cited = _CitedText(read)
    ind_sheet = layout.by_role("indicators")
    value_col = ind_sheet.column("value")
    offsets = [(key, ind_sheet.column(key) - value_col) for key in ("formula", "inputs", "note")]
    for id_, _, _ in CATALOG:
        loc = on.at(indicator_name(id_))
        if loc is None:
            continue
        sheet, (r, c) = loc
        ind = result.indicators.get(id_)
        if ind is None:
            put(sheet, (r, c), "未填写")
            cells = {"formula": "", "inputs": "", "note": "缺少计算所需的数据（如上年预算、“三公”分类数）"}
        else:
            put(sheet, (r, c), _written(ind))
            cells = {"formula": ind.formula, "inputs": cited.of(ind), "note": _note(ind, edges)}
        for key, offset in offsets:
            put(sheet, (r, c + offset), cells[key])

    scores = layout.by_role("scores")
    reason_col, rule_col = (scores.column(key) - scores.column("points") for key in ("reason", "rule"))
    for s in result.items:
        loc = on.at(item_name(s.item.id))
        if loc is None:
            continue
        sheet, (r, c) = loc
        put(sheet, (r, c), s.points)
        put(sheet, (r, c + reason_col), s.reason)
        put(sheet, (r, c + rule_col), s.rule)
    for node in result.system.level1:
        loc = on.at(level1_name(node.id))
        if loc:
            put(loc[0], loc[1], result.level1[node.id])
    for name, value in ((TOTAL_NAME, result.total), (SYSTEM_NAME_CELL, result.system.name),
                        (UNIT_TITLE_CELL, f"单位：{result.inputs.unit}　　评价年度：{result.inputs.year}")):
        loc = on.at(name)
        if loc:
            put(loc[0], loc[1], value)

    loc = on.at(FINDINGS_NAME)
    if loc:
        sheet, (r0, c0) = loc
        findings_sheet = layout.by_role("findings")
        width = len(findings_sheet.columns)
        rows = [_finding_row(f, read, on, scores.name) for f in result.findings] or [("提示", "OK", "", "", "未发现问题")]
        for i, row in enumerate(rows):
            for j in range(width):
                put(sheet, (r0 + i, c0 + j), row[j])
        cells = out.setdefault(sheet, {})
        for i in range(len(rows), findings_sheet.rows):  # the prepared rows below: emptied
            for j in range(width):
                cells[(r0 + i, c0 + j)] = None
    if on.missing:
        from ..errors import Problem, WorkbookError

        raise WorkbookError([Problem.of("MISSING_OUTPUT", name=n) for n in on.missing])
    return out


def number_kinds(result: Result, names: Mapping[str, Area]) -> dict[tuple[str, Pos], str]:
    """The output cells holding a number, with what kind of number it is (shown_format.PLACES): each
    indicator's value by its unit, each score, subtotal and the total as points."""
    found: dict[tuple[str, Pos], str] = {}
    for id_, ind in result.indicators.items():
        at = names.get(indicator_name(id_))
        if at is not None and ind.value is not None:
            found[(at.sheet, at.first)] = ind.unit
    points = [item_name(s.item.id) for s in result.items] + [level1_name(n.id) for n in result.system.level1]
    for name in (*points, TOTAL_NAME):
        at = names.get(name)
        if at is not None:
            found[(at.sheet, at.first)] = "points"
    return found


def citation_cells(names: Mapping[str, Area], layout: Layout) -> set[tuple[str, Pos]]:
    """The output cells that only say where inputs are (计算指标's 所用数据, 校验结果's 工作表 and 单元格):
    moving an input (a sheet renamed, a row inserted) changes them and nothing else."""
    found: set[tuple[str, Pos]] = set()
    ind_sheet = layout.by_role("indicators")
    inputs_offset = ind_sheet.column("inputs") - ind_sheet.column("value")
    for id_, _, _ in CATALOG:
        at = names.get(indicator_name(id_))
        if at is not None:
            found.add((at.sheet, (at.top, at.left + inputs_offset)))
    at = names.get(FINDINGS_NAME)
    if at is not None:
        findings = layout.by_role("findings")
        found.update((at.sheet, (at.top + i, at.left + findings.column(key)))
                     for i in range(findings.rows) for key in ("sheet", "cell"))
    return found


def _finding_row(f, read: ReadInputs | None, on: OutputNames, scores_sheet: str) -> tuple:
    sheet, cell = read.find(f.field) if read and f.field else ("", "")
    if f.item and not sheet:
        # A finding about a score with no input cell to blame points at that item's score on 评分表.
        at = on.names.get(item_name(f.item))
        sheet, cell = (at.sheet, to_a1(*at.first)) if at else (scores_sheet, "")
    return (f.severity, f.code, sheet, cell, f.message)


def canon(value: object) -> str:
    """The text a cell value hashes and compares as."""
    if type(value) is str:  # most output cells: the text itself
        return value
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def outputs_hash(cells: dict[str, Cells]) -> str:
    """SHA-256 of every output cell as "sheet␟row␟col␟canon(value)␞", in sheet then cell order."""
    parts = []
    for sheet in sorted(cells):
        values = cells[sheet]
        order = sorted(values)
        known = _POSITION_TEXTS.get(sheet)
        if known is None or known[0] != order:  # every unit of a template writes the same cells
            if len(_POSITION_TEXTS) > 64:
                _POSITION_TEXTS.clear()
            known = _POSITION_TEXTS[sheet] = (order, [f"{sheet}\x1f{r}\x1f{c}\x1f" for r, c in order])
        for pos, text in zip(order, known[1]):
            parts += (text, canon(values[pos]), "\x1e")
    return sha256("".join(parts).encode()).hexdigest()  # one update of the whole text: the same digest as cell by cell


_POSITION_TEXTS: dict[str, tuple[list, list[str]]] = {}  # sheet → (its output cells in order, their prefixes)


def inputs_hash(data: dict) -> str:
    import json

    return sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=canon).encode()).hexdigest()


def blocks(cells: Cells) -> list[tuple[Pos, list[list[object]]]]:
    """One sheet's cells as rectangles to write: runs of adjacent cells in a row, stacked while
    consecutive rows span the same columns. Every cell is covered exactly once, nothing else."""
    runs: list[tuple[int, int, list[object]]] = []  # (row, first col, values)
    for r, c in sorted(cells):
        if runs and runs[-1][0] == r and runs[-1][1] + len(runs[-1][2]) == c:
            runs[-1][2].append(cells[(r, c)])
        else:
            runs.append((r, c, [cells[(r, c)]]))
    out: list[tuple[Pos, list[list[object]]]] = []
    for r, c, values in runs:
        if out:
            (top, left), rows = out[-1]
            if left == c and len(rows[0]) == len(values) and top + len(rows) == r:
                rows.append(values)
                continue
        out.append(((r, c), [values]))
    return out


def stamp_values(system: System, data: dict, cells: dict[str, Cells], filled_at: str) -> dict[str, str]:
    from .. import __version__

    return {"xlperf_version": __version__, "system_id": system.id, "system_sha256": system.sha256,
            "inputs_sha256": inputs_hash(data), "outputs_sha256": outputs_hash(cells), "filled_at": filled_at}
