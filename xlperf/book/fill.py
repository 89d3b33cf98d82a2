"""Fill and verify, written once over the book interface.

fill: book → inputs → evaluate → output blocks and the audit stamp written into the book → commit.
verify: recompute from the book and compare with its audit stamp and its output cells.
Every implementation of ``Book`` (zip package, memory, Excel) gets exactly this behaviour; file
handling (output paths, atomic writes) belongs to the implementation's ``commit``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from dataclasses import dataclass, field

from ..engine.evaluate import Result, evaluate
from ..errors import Problem, SystemFileError, WorkbookError
from ..engine.registry import Registry, shown, valid_id
from ..engine.system import System
from .layout import FINDINGS_NAME, TOTAL_NAME, load_layout
from .outputs import (Cells, blocks, canon, citation_cells, inputs_hash, number_kinds, outputs_hash, render,
                      stamp_values)
from .reader import ReadInputs, load_inputs, read_values, require_template
from .protocol import Area, Book
from .stamp import read_stamp, write_stamp


@dataclass
class Scored:
    """What one fill computed: the result, what was read (values and cells), the output cells."""

    result: Result
    read: ReadInputs
    cells: dict[str, Cells]


def system_for(book: Book, system: System | str | None, registry: Registry | None = None) -> System:
    """The system named by the template unless the caller insists on another one; ids only, from the registry.

    A workbook names a system by id, never by path: the registry (bundled systems and the folders the
    operator configures) is the only place a system is loaded from.
    """
    layout = load_layout()
    if isinstance(system, System):
        return system
    registry = registry or Registry()
    if system is not None:
        return registry.by_id(system)
    names = book.defined_names()
    require_template(names, layout)
    at = names.get(layout.system_name)
    if at is None:
        raise WorkbookError([Problem.of("NO_SYSTEM_ID", name=layout.system_name)])
    # With the version mark: read_inputs reads both next, and then finds the block already read.
    value = read_values(book, {"system": at, "version": names[layout.version_name]})["system"]
    where = {"sheet": at.sheet, "cell": at.a1().split(":")[0]}
    if not isinstance(value, str) or not value.strip():
        raise WorkbookError([Problem.of("SYSTEM_ID_EMPTY", **where)])
    if not valid_id(value.strip()):
        raise WorkbookError([Problem.of("BAD_SYSTEM_ID", value=shown(value), **where)])
    try:
        return registry.by_id(value.strip())
    except SystemFileError as exc:
        raise WorkbookError([Problem.of("UNKNOWN_SYSTEM", value=shown(value), reason=str(exc), **where)]) from None


def compute(book: Book, system: System | str | None = None, *, registry: Registry | None = None) -> Scored:
    """Read, evaluate and render, without writing anything."""
    system = system_for(book, system, registry)
    inputs, read = load_inputs(book, system)
    if read.system_id and read.system_id != system.id:
        raise WorkbookError([Problem.of("SYSTEM_MISMATCH", value=read.system_id, expected=system.id)])
    result = evaluate(inputs, system, validated=True, checked=True)  # load_inputs validated and checked them
    return Scored(result, read, render(result, read, book.defined_names(), load_layout()))


def write_outputs(book: Book, cells: dict[str, Cells]) -> None:
    """The output cells, one write per block; the findings list is cleared from its first row.

    A book that buffers cells by position (the zip book) takes each sheet's cells as they are
    (``write_cells``): cutting them into blocks only to spread them out again costs more than its write."""
    findings = book.defined_names().get(FINDINGS_NAME)
    write_cells = getattr(book, "write_cells", None)
    for sheet, values in cells.items():
        if write_cells is not None:
            shrinks = findings is not None and findings.sheet == sheet and any(r >= findings.top for r, _ in values)
            write_cells(sheet, values, clear_from=findings.top if shrinks else None)
            continue
        for first, rows in blocks(values):
            shrinks = findings is not None and findings.sheet == sheet and first[0] >= findings.top
            book.write(sheet, first, rows, clear_from=findings.top if shrinks else None)


def fill(book: Book, system: System | str | None = None, *, filled_at: str | None = None,
         registry: Registry | None = None) -> Scored:
    """Compute, write the outputs and the stamp, commit. Nothing is written when the inputs are refused."""
    scored = compute(book, system, registry=registry)
    write_outputs(book, scored.cells)
    filled_at = filled_at or dt.datetime.now().isoformat(timespec="seconds")
    write_stamp(book, stamp_values(scored.result.system, scored.read.data, scored.cells, filled_at))
    book.commit()
    return scored


# --- verify ---------------------------------------------------------------------------------

UNCHANGED, INPUTS_EDITED, OUTPUTS_EDITED, OTHER_ENGINE, NOT_FILLED = "unchanged", "inputs", "outputs", "engine", "unfilled"
EXIT_CODES = {UNCHANGED: 0, NOT_FILLED: 1, INPUTS_EDITED: 3, OUTPUTS_EDITED: 4, OTHER_ENGINE: 5}


@dataclass
class Verdict:
    status: str
    message: str
    cells: list[str] = field(default_factory=list)  # "评分表!I8: 1.89 → 2"
    stamp: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]


def verify(book: Book, *, registry: Registry | None = None) -> Verdict:
    from .. import __version__
    from .a1 import to_a1

    stamp = read_stamp(book)
    if not stamp.get("outputs_sha256"):
        total = book.defined_names().get(TOTAL_NAME)
        if total is not None and read_values(book, {"total": total})["total"] not in (None, ""):
            return Verdict(NOT_FILLED, "该工作簿没有审计标记，但评分表已有总分：审计标记被删除，或分数不是 xlperf 算出的；"
                           "无法核对", stamp=stamp)
        return Verdict(NOT_FILLED, "该工作簿尚未由 xlperf 填写（没有审计标记）", stamp=stamp)
    # The stamp's SHA-256 picks the system among those the operator trusts; its id is only a label.
    system = (registry or Registry()).by_sha256(stamp["system_sha256"])
    if system is None or system.id != stamp["system_id"] or stamp["xlperf_version"] != __version__:
        mine = (f"本机是 xlperf {__version__}、指标体系 {system.id}（{system.sha256[:12]}）" if system else
                f"本机 xlperf {__version__} 没有这一指标体系")
        return Verdict(OTHER_ENGINE, f"该工作簿由 xlperf {shown(stamp['xlperf_version'])}、指标体系 "
                       f"{shown(stamp['system_id'])}（{shown(stamp['system_sha256'][:12])}）填写，{mine}，"
                       "无法逐格核对", stamp=stamp)
    try:
        scored = compute(book, system, registry=registry)
    except WorkbookError as exc:
        gone = _outputs_gone(exc)
        if not gone:
            raise
        # The template's output places were there when it was filled: someone deleted them since.
        return Verdict(OUTPUTS_EDITED, f"填写后输出被改动：{'、'.join(gone)} 已被删除（如删除了评分表的行或整张工作表）",
                       stamp=stamp)
    stored = _stored(book, scored.cells)
    if inputs_hash(scored.read.data) != stamp["inputs_sha256"]:
        if not _as_written(stored, scored.read.sheets, stamp["outputs_sha256"]) and _same_places(book, scored):
            # Both sides edited: re-filling as the inputs' verdict advises would wipe the evidence of the other.
            return Verdict(OUTPUTS_EDITED, "输出单元格被手工修改过，输入数据也在填写后被修改过（无法逐格指出改了哪些"
                           "输出）；请先核实再重新运行 xlperf fill", stamp=stamp)
        return Verdict(INPUTS_EDITED, "填写后输入数据被修改过：评分表与当前输入不一致，请重新运行 xlperf fill",
                       stamp=stamp)
    changed, moved = [], True  # moved: every cell that differs only says where an input is
    citations = citation_cells(book.defined_names(), load_layout())
    for sheet, values in scored.cells.items():
        now = stored[sheet]
        for (r, c), value in sorted(values.items()):
            now_text = canon(now[(r, c)])
            if now_text != canon(value):
                moved = moved and (sheet, (r, c)) in citations
                changed.append(f"{sheet}!{to_a1(r, c)}: 应为“{canon(value)}”，现为“{now_text}”")
    misshown = _misshown(book, scored)
    if misshown:
        return Verdict(OUTPUTS_EDITED, f"输出单元格被手工修改（{len(changed) + len(misshown)} 处）",
                       changed + misshown, stamp)
    if not (moved and _as_written(stored, scored.read.sheets, stamp["outputs_sha256"])):
        return Verdict(OUTPUTS_EDITED, f"输出单元格被手工修改（{len(changed)} 处）", changed, stamp)
    if not changed:
        return Verdict(UNCHANGED, f"未被修改：总分 {scored.result.total}，与 xlperf {__version__} 重新计算一致",
                       stamp=stamp)
    # The outputs are as stamped, the inputs the same, and only cells that locate inputs differ: what they
    # cite moved (a sheet renamed, rows inserted above an input). A score that differs is never this.
    return Verdict(INPUTS_EDITED, "填写后工作簿的结构被修改过（工作表改名，或输入表中插入、删除了行列），输出中"
                       "引用的单元格位置已过时；输出本身未被手工修改，请重新运行 xlperf fill", changed, stamp)


def _misshown(book: Book, scored: Scored) -> list[str]:
    """The numeric outputs whose number format no longer shows them as xlperf prints them ("0" on 18.89
    shows 19): the value is intact, what the sheet shows and prints is not. Books that cannot tell formats
    (Excel through xlwings) are not asked."""
    from .a1 import to_a1
    from .shown_format import misshown

    formats_of = getattr(book, "number_formats", None)
    if formats_of is None:
        return []
    kinds = number_kinds(scored.result, book.defined_names())
    by_sheet: dict[str, set] = {}
    for sheet, pos in kinds:
        by_sheet.setdefault(sheet, set()).add(pos)
    found = []
    for sheet, positions in by_sheet.items():
        codes = formats_of(sheet, positions)
        for pos in sorted(positions):
            value = scored.cells.get(sheet, {}).get(pos)
            if isinstance(value, Decimal):
                shown = misshown(codes.get(pos, "General"), value, kinds[(sheet, pos)])
                if shown:
                    found.append(f"{sheet}!{to_a1(*pos)}: 值 {canon(value)} 未变，但显示{shown}")
    return found


def _stored(book: Book, cells: dict[str, Cells]) -> dict[str, Cells]:
    """The workbook's values now at the output cells a fill writes: one read per output sheet."""
    stored: dict[str, Cells] = {}
    for sheet, values in cells.items():
        box = Area.around(sheet, list(values))
        current = book.read(box)
        stored[sheet] = {(r, c): current[r - box.top][c - box.left] for r, c in values}
    return stored


def _same_places(book: Book, scored: Scored) -> bool:
    """Whether the output cells now are the set the stamp was taken over: only a findings list longer than
    the template's prepared rows (now or at the fill) changes the set."""
    layout = load_layout()
    findings = layout.by_role("findings")
    if len(scored.result.findings) > findings.rows:
        return False
    at = book.defined_names().get(FINDINGS_NAME)
    if at is None:
        return True
    below = Area(at.sheet, at.top + findings.rows, at.left, at.top + findings.rows, at.left + len(findings.columns) - 1)
    return all(v is None or v == "" for v in book.read(below)[0])


def _outputs_gone(exc: WorkbookError) -> list[str]:
    """What a fill's outputs were written to and is now missing (names, output sheets); [] when the error
    is about anything else."""
    outputs = {s.name for s in load_layout().sheets if s.kind == "output"}
    gone = []
    for p in exc.problems:
        name = p.params.get("name", "")
        if p.code == "MISSING_OUTPUT" or (p.code == "MISSING_SHEET" and name in outputs):
            gone.append(f"工作表“{name}”" if p.code == "MISSING_SHEET" else f"输出位置 {name}")
        else:
            return []
    return gone


def _as_written(stored: dict[str, Cells], sheets: dict[str, str], stamped: str) -> bool:
    """Whether the stored output cells are the ones the stamp's hash was taken of: under the sheets' names
    now, or under the template's names (a sheet renamed after the fill)."""
    if outputs_hash(stored) == stamped:
        return True
    template_name = {now: ours for ours, now in sheets.items() if now != ours}
    return bool(template_name) and outputs_hash({template_name.get(s, s): v for s, v in stored.items()}) == stamped
