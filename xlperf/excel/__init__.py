"""xlperf inside Excel: the entry points the workbook's buttons and ribbon run through xlwings.

    RunPython "import xlperf.excel; xlperf.excel.recompute()"

Each entry point finds the calling workbook with ``xlwings.Book.caller()``, runs its action
(``xlperf.excel.actions``) over the workbook through the xlwings book adapter
(``xlperf.excel.xwbook``) and ends with a message box; no exception reaches Excel. Importing this
package imports nothing heavy: xlwings and the rest load when an entry point runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _caller() -> Any:
    import xlwings as xw

    return xw.Book.caller()


def _run(action: str, **kwargs: Any):
    from .actions import run
    from .xwbook import XwBook

    book = _caller()
    return run(action, XwBook(book), book.app, **kwargs)


def recompute():
    """重新计算: fill every output (计算指标, 评分表, 校验结果) and the audit stamp."""
    return _run("recompute")


def check():
    """仅校验: the findings only."""
    return _run("check")


def clear():
    """清除结果: empty the outputs and the stamp."""
    return _run("clear")


def verify():
    """核对: compare the outputs with a recompute and with the audit stamp."""
    return _run("verify")


def new_template():
    """新建空白模板: a blank template of the same system and year beside the workbook."""
    from .actions import run
    from .xwbook import XwBook

    book = _caller()
    folder = Path(book.fullname).parent if Path(book.fullname).parent != Path("") else Path.home()
    return run("new_template", XwBook(book), book.app, folder=folder)
