"""The six actions of the Excel front, over any Book, each ending with one message for the user.

``run(action, book, app)`` is what the RunPython entry points (``xlperf.excel``) and the xlwings
Lite scripts (``xlperf/excel/lite/main.py``) call. It never lets an exception reach Excel, where
xlwings would show a traceback: bad input becomes the same located Chinese problems as the
headless ``xlperf fill`` (and the first problem cell is selected), a workbook xlperf cannot use
becomes its problem list, anything unexpected becomes one sentence naming the log file.
While it writes, screen updating is off and calculation manual; both are restored afterwards,
whatever happened.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from ..book import fill as book_fill
from ..book.protocol import Book
from ..book.stamp import write_stamp
from ..errors import InputError, Problem, ProblemsError
from ..book.layout import FINDINGS_NAME, SYSTEM_NAME_CELL
from ..book.outputs import blocks

TITLE = "绩效评价"
MAX_LISTED = 15  # problems shown in one message box; the rest are counted
LOG_NAME = "xlperf-excel.log"


@dataclass
class Outcome:
    """What an action tells the user, and where to take them."""

    message: str
    ok: bool = True
    select: tuple[str, str] | None = None  # (sheet, cell) to show
    details: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [self.message]
        if self.details:
            lines += self.details[:MAX_LISTED]
            if len(self.details) > MAX_LISTED:
                lines.append(f"……另有 {len(self.details) - MAX_LISTED} 处，改正上面这些后再运行一次可看到其余的。")
        return "\n".join(lines)


def recompute(book: Book) -> Outcome:
    scored = book_fill.fill(book)
    r = scored.result
    parts = "　".join(f"{node.name} {r.level1[node.id]}" for node in r.system.level1)
    found = len(r.findings)
    tail = f"校验发现 {found} 条问题，见“校验结果”工作表。" if found else "校验未发现问题。"
    return Outcome(f"已重新计算：{r.inputs.unit} {r.inputs.year} 年度，总分 {r.total}（{parts}）。{tail}")


def check(book: Book) -> Outcome:
    """The findings only: the 校验结果 sheet is written, the other outputs and the stamp are not."""
    scored = book_fill.compute(book)
    findings_at = book.defined_names()[FINDINGS_NAME]
    sheet = findings_at.sheet
    for first, rows in blocks(scored.cells[sheet]):
        book.write(sheet, first, rows, clear_from=findings_at.top if first[0] >= findings_at.top else None)
    book.commit()
    found = len(scored.result.findings)
    if found:
        return Outcome(f"校验完成：发现 {found} 条问题，已列在“校验结果”工作表（计算指标和评分表未改动）。",
                       select=(sheet, findings_at.a1()))
    return Outcome("校验完成：未发现问题（计算指标和评分表未改动）。")


def clear(book: Book) -> Outcome:
    """Empty every cell a recompute writes (values, reasons, findings rows) and the stamp; inputs stay.

    Where those cells are depends on the layout's names only, not on the values, so they are
    placed by rendering the reference unit's result against this book's names.
    """
    names = book.defined_names()
    findings_at = names.get(FINDINGS_NAME)
    keep = {(names[SYSTEM_NAME_CELL].sheet, names[SYSTEM_NAME_CELL].first)} if SYSTEM_NAME_CELL in names else set()
    for sheet, positions in output_positions(book).items():
        empty = {pos: None for pos in positions if (sheet, pos) not in keep}
        for first, rows in blocks(empty):
            shrinks = findings_at is not None and findings_at.sheet == sheet and first[0] >= findings_at.top
            book.write(sheet, first, rows, clear_from=findings_at.top if shrinks else None)
    write_stamp(book, {})
    book.commit()
    return Outcome("已清除计算结果：计算指标、评分表、校验结果和计算记录已清空，填报数据未改动。")


def output_positions(book: Book) -> dict[str, list[tuple[int, int]]]:
    """The cells a recompute writes, by sheet (the findings list at its template length)."""
    from ..engine.evaluate import evaluate
    from ..examples import reference_inputs
    from ..book.layout import load_layout
    from ..book.outputs import render

    result = replace(evaluate(reference_inputs(), book_fill.system_for(book, None)), findings=())
    cells = render(result, None, book.defined_names(), load_layout())
    return {sheet: sorted(values) for sheet, values in cells.items()}


def verify(book: Book) -> Outcome:
    verdict = book_fill.verify(book)
    ok = verdict.status == book_fill.UNCHANGED
    select = None
    if verdict.cells:
        sheet, _, rest = verdict.cells[0].partition("!")
        select = (sheet, rest.split(":", 1)[0])
    return Outcome(("核对通过：" if ok else "核对未通过：") + verdict.message, ok, select, list(verdict.cells))


def new_template(book: Book, folder: str | os.PathLike) -> Outcome:
    """A blank template of the book's system and year beside it, never over an existing file."""
    from ..workbook.bundled import macro_project
    from ..book.layout import name_for
    from ..workbook.template import build_template

    system = book_fill.system_for(book, None)
    at = book.defined_names().get(name_for("year"))
    value = book.read(at)[0][0] if at else None
    year = int(value) if isinstance(value, Decimal) and value == value.to_integral_value() else None
    folder = Path(folder)
    stem = f"{system.name}-空白模板"
    path = folder / f"{stem}.xlsm"
    n = 2
    while path.exists():
        path, n = folder / f"{stem}（{n}）.xlsm", n + 1
    build_template(path, system, year=year, vba_project=macro_project())
    return Outcome(f"已生成空白模板：{path}")


ACTIONS: dict[str, Callable[..., Outcome]] = {
    "recompute": recompute, "check": check, "clear": clear, "verify": verify, "new_template": new_template,
}


# --- running an action in Excel -------------------------------------------------------------------


def problems_outcome(error: ProblemsError) -> Outcome:
    problems: list[Problem] = error.problems
    first = next(((p.sheet, p.cell) for p in problems if p.sheet and p.cell), None)
    head = (f"填报数据有 {len(problems)} 处问题，未写入任何结果；请逐项改正后再运行"
            if isinstance(error, InputError) else f"此工作簿不能按 xlperf 模板读取（{len(problems)} 处问题）")
    if first:
        head += f"（已选中第一处：{first[0]}!{first[1]}）"
    return Outcome(head + "：", False, first, [p.located() for p in problems])


def log_path() -> Path:
    return Path(tempfile.gettempdir()) / LOG_NAME


def unexpected_outcome(exc: BaseException) -> Outcome:
    """One sentence for the user; the traceback goes to a log file for whoever maintains xlperf."""
    path = log_path()
    try:
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')}\n")
            log.write("".join(traceback.format_exception(exc)))
        where = f"详细信息已记录在 {path}"
    except OSError:
        where = "详细信息未能记录"
    return Outcome(f"xlperf 内部出错（{type(exc).__name__}: {str(exc)[:200]}），结果未写完整。{where}；"
                   "请把这个文件和本工作簿发给维护人员。", False)


@contextmanager
def quiet_excel(app: Any):
    """Screen updating off and calculation manual while writing; the user's settings come back after.

    An app without these settings (xlwings Lite applies the writes when the script ends anyway)
    is left as it is.
    """
    saved: list[tuple[str, Any]] = []
    try:
        for setting, quiet in (("screen_updating", False), ("calculation", "manual")):
            before = getattr(app, setting)
            setattr(app, setting, quiet)
            saved.append((setting, before))
    except (AttributeError, NotImplementedError):
        pass
    try:
        yield
    finally:
        for setting, before in reversed(saved):
            setattr(app, setting, before)


def run(action: str, book: Any, app: Any, **kwargs: Any) -> Outcome:
    """Run one action on ``book`` (a Book over the workbook in Excel), show its message, return it.

    ``book`` may offer ``select(sheet, cell)`` (XwBook does) to take the user to a problem cell.
    """
    try:
        with quiet_excel(app):
            try:
                outcome = ACTIONS[action](book, **kwargs)
            except ProblemsError as error:
                outcome = problems_outcome(error)
    except Exception as exc:  # noqa: BLE001 - the user gets a sentence, never a traceback dialog
        outcome = unexpected_outcome(exc)
    if outcome.select and hasattr(book, "select"):
        try:
            book.select(*outcome.select)
        except Exception:  # noqa: BLE001 - a cell that cannot be shown does not hide the message
            pass
    app.alert(outcome.text(), title=TITLE, mode="info" if outcome.ok else "critical")
    return outcome
