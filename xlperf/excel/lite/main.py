"""xlperf in xlwings Lite (Excel on the web, Excel on a Mac or PC without Python installed).

Paste this file into Lite's main.py tab and the lines of requirements.txt (next to this file)
into its requirements.txt tab; then run the scripts from Lite's task pane. They call the same
actions as the ribbon and the buttons of the desktop template (xlperf.excel.actions), through
the same book adapter: Lite's Book loads every value when a script starts and applies the
writes when it ends, which is all the adapter needs (it reads and writes whole blocks, never the
file's bytes). Only pure-Python code runs on this path: no lxml, pandas or openpyxl.

新建空白模板 and 导入工作表函数 need files and a local Python: they are desktop-only.
"""

import xlwings as xw
from xlwings import script

from xlperf.excel.actions import run
from xlperf.excel.xwbook import XwBook


def _run(action: str, book: xw.Book) -> None:
    run(action, XwBook(book), book.app)  # ends with a message box; a script returns nothing


@script
def xlperf_recompute(book: xw.Book):
    """重新计算：计算指标和得分，写入计算指标、评分表、校验结果和计算记录。"""
    _run("recompute", book)


@script
def xlperf_check(book: xw.Book):
    """仅校验：只写入校验结果。"""
    _run("check", book)


@script
def xlperf_clear(book: xw.Book):
    """清除结果：清空 xlperf 写入的内容，填报数据不动。"""
    _run("clear", book)


@script
def xlperf_verify(book: xw.Book):
    """核对：按计算记录重新计算并比对。"""
    _run("verify", book)
