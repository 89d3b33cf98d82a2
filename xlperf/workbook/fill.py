"""Filling a workbook headless, and verifying a filled one.

fill: package → inputs → evaluate → output cells → only the owned sheet parts
replaced, everything else copied through, written atomically.
verify: recompute and compare with the audit stamp and the output cells.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import Result, evaluate
from ..errors import Problem, SystemFileError, WorkbookError
from ..registry import Registry, shown, valid_id
from ..system import System
from .layout import STAMP_KEYS, STAMP_NAME, load_layout
from .outputs import Cells, canon, outputs_hash, inputs_hash, render, stamp_cells, stamp_values
from .atomic import target_problem
from .package import Package, patch_sheet_xml, workbook_error, write_package
from .reader import ReadInputs, load_inputs, require_template

# An owned output sheet as the template makes it is ~100 KB; the findings list adds little.
MAX_OWNED_SHEET = 8 << 20


@dataclass
class Filled:
    result: Result
    out_path: Path
    read: ReadInputs


def _system_for(pkg: Package, system: System | str | None, registry: Registry | None) -> System:
    """The system named by the template unless the caller insists on another one; ids only, from the registry."""
    layout = load_layout()
    if isinstance(system, System):
        return system
    registry = registry or Registry()
    if system is not None:
        return registry.by_id(system)
    require_template(pkg.defined_names(), layout)
    dn = pkg.defined_names().get(layout.system_name)
    if dn is None:
        raise WorkbookError([Problem("NO_SYSTEM_ID", f"工作簿中缺少指标体系标记（定义名称 {layout.system_name}）；"
                                     "请用 `xlperf template` 生成的模板填写，或用 --system 指定指标体系")])
    from .a1 import from_a1

    try:
        cell = pkg.read_cells(dn.sheet, max_row=from_a1(dn.ref)[0]).get(from_a1(dn.ref))
    except KeyError:
        cell = None
    where = {"sheet": dn.sheet, "cell": dn.ref.replace("$", "")}
    value = cell.value if cell is not None else None
    if not isinstance(value, str) or not value.strip():
        raise WorkbookError([Problem("NO_SYSTEM_ID", "模板没有记录指标体系编号（该单元格为空）；请用 `xlperf template` "
                                     "重新生成模板，或用 --system 指定指标体系", **where)])
    if not valid_id(value.strip()):
        raise WorkbookError([Problem("BAD_SYSTEM_ID", f"模板记录的指标体系编号“{shown(value)}”无效（只能是编号，"
                                     "如 shenzhen-2024，不能是文件路径）", value=shown(value), **where)])
    try:
        return registry.by_id(value.strip())
    except SystemFileError as exc:
        raise WorkbookError([Problem("UNKNOWN_SYSTEM", str(exc), value=shown(value), **where)]) from None


def compute(pkg: Package, system: System | str | None = None, *, registry: Registry | None = None
            ) -> tuple[Result, ReadInputs, dict[str, Cells]]:
    """Read, evaluate and render, without writing anything."""
    system = _system_for(pkg, system, registry)
    inputs, read = load_inputs(pkg, system)
    if read.system_id and read.system_id != system.id:
        raise WorkbookError([Problem("SYSTEM_MISMATCH", f"模板按指标体系“{read.system_id}”生成，不能按“{system.id}”评分；"
                                     "请用对应的模板，或用 `xlperf template --system` 重新生成")])
    result = evaluate(inputs, system, validated=True)  # load_inputs validated them
    cells = render(result, read, pkg.defined_names(), load_layout())
    return result, read, cells


def fill(in_path: str | os.PathLike, out_path: str | os.PathLike | None = None, *, in_place: bool = False,
         system: System | str | None = None, registry: Registry | None = None) -> Filled:
    src = Path(in_path)
    out = Path(out_path) if out_path is not None else (src if in_place else default_output(src))
    if not in_place and (out.resolve() == src.resolve() or _same_file(out, src)):
        raise WorkbookError([Problem("WOULD_OVERWRITE", f"输出文件与输入文件相同（{shown(src.name)}）；"
                                     "如确需覆盖原文件，请加 --in-place")])
    refused = target_problem(out)  # before any reading: a FIFO or device is never the output
    if refused:
        raise workbook_error(refused, path=out)
    pkg = Package.open(src)
    result, read, cells = compute(pkg, system, registry=registry)
    _check_suffix(pkg, out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only place, or a file where a folder should be
        raise workbook_error("WRITE_FAILED", path=out) from None
    stamp = stamp_values(result.system, read.data, cells, dt.datetime.now().isoformat(timespec="seconds"))
    names = pkg.defined_names()
    for sheet, values in stamp_cells(names, stamp).items():
        cells.setdefault(sheet, {}).update(values)
    # The patched parts were just serialised by lxml: no need to parse them again.
    write_package(pkg, out, _patched_parts(pkg, cells), check_xml=False)
    return Filled(result, out, read)


def _same_file(a: Path, b: Path) -> bool:
    """A hard link to the input is the input."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_suffix(pkg: Package, out: Path) -> None:
    """Excel refuses a file whose extension disagrees with its format (macro-enabled or not): say so now."""
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        return
    types = pkg._content_types()
    macro = "macroEnabled" in (((types.of(pkg.workbook_part) if types else None) or ""))
    wanted = ".xlsm" if macro else ".xlsx"
    if suffix != wanted:
        kind = "启用宏的工作簿" if macro else "不含宏的普通工作簿"
        raise WorkbookError([Problem("OUTPUT_SUFFIX", f"输入是{kind}，输出文件须以 {wanted} 结尾（{out.name}）；"
                                     "扩展名与格式不符的文件 Excel 无法打开")])


def _patched_parts(pkg: Package, cells: dict[str, Cells]) -> dict[str, bytes]:
    from .a1 import from_a1
    from .layout import FINDINGS_NAME

    findings = pkg.defined_names().get(FINDINGS_NAME)
    parts = {}
    for sheet_name, values in cells.items():
        ref = pkg.sheet(sheet_name)
        xml = pkg.read(ref.part)
        if len(xml) > MAX_OWNED_SHEET:  # patching parses the whole part: junk here would cost its size
            raise workbook_error("TOO_LARGE", part=ref.part, sheet=sheet_name)
        clear_from = None
        if findings is not None and findings.sheet == sheet_name:
            # The findings list is wiped from its first row, then written: blanks need no cell writes.
            clear_from = from_a1(findings.ref)[0]
            values = {pos: v for pos, v in values.items() if v is not None or pos[0] < clear_from}
        # Cells added below the template's prepared rows take the style of the column's last styled cell.
        parts[ref.part] = patch_sheet_xml(xml, values, styles_from_above=True, clear_rows_from=clear_from)
    return parts


def default_output(src: Path) -> Path:
    return src.with_name(f"{src.stem}-已评分{src.suffix}")


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


def read_stamp(pkg: Package) -> dict[str, str]:
    from .a1 import from_a1

    dn = pkg.defined_names().get(STAMP_NAME)
    if dn is None:
        return {}
    r, c = from_a1(dn.ref)
    cells = pkg.read_cells(dn.sheet, r + len(STAMP_KEYS) - 1, c)
    return {key: canon(cells[(r + i, c)].value) if (r + i, c) in cells else "" for i, key in enumerate(STAMP_KEYS)}


def verify(path: str | os.PathLike, *, registry: Registry | None = None) -> Verdict:
    from .. import __version__

    pkg = Package.open(path)
    stamp = read_stamp(pkg)
    if not stamp.get("outputs_sha256"):
        return Verdict(NOT_FILLED, "该工作簿尚未由 xlperf 填写（没有审计标记）", stamp=stamp)
    # The stamp's SHA-256 picks the system among those the operator trusts; its id is only a label.
    system = (registry or Registry()).by_sha256(stamp["system_sha256"])
    if system is None or system.id != stamp["system_id"] or stamp["xlperf_version"] != __version__:
        mine = f"、{system.id}（{system.sha256[:12]}）" if system else "，且本机没有该指标体系"
        return Verdict(OTHER_ENGINE, f"该工作簿由 xlperf {shown(stamp['xlperf_version'])}、指标体系 "
                       f"{shown(stamp['system_id'])}（{shown(stamp['system_sha256'][:12])}）填写，与本机 xlperf "
                       f"{__version__}{mine} 不同，无法逐格核对", stamp=stamp)
    result, read, expected = compute(pkg, system)
    if inputs_hash(read.data) != stamp["inputs_sha256"]:
        return Verdict(INPUTS_EDITED, "填写后输入数据被修改过：评分表与当前输入不一致，请重新运行 xlperf fill",
                       stamp=stamp)
    changed = []
    for sheet, values in expected.items():
        current = pkg.read_cells(sheet, max((p[0] for p in values), default=1), max((p[1] for p in values), default=1))
        for pos, value in sorted(values.items()):
            now = current.get(pos)
            now_text = canon(now.value) if now is not None else ""
            if now_text != canon(value):
                from .a1 import to_a1

                changed.append(f"{sheet}!{to_a1(*pos)}: 应为“{canon(value)}”，现为“{now_text}”")
    if changed or outputs_hash(expected) != stamp["outputs_sha256"]:
        return Verdict(OUTPUTS_EDITED, f"输出单元格被手工修改（{len(changed)} 处）", changed, stamp)
    return Verdict(UNCHANGED, f"未被修改：总分 {result.total}，与 xlperf {__version__} 重新计算一致", stamp=stamp)
