"""What every Book implementation must do, as plain checks any adapter's tests can call.

Each check takes a book opened on the contract workbook (``make_contract_workbook``: one sheet
"数据" with a defined name, an Excel table, a formula saved without its result, an error value,
text that looks like a formula) and, for writes, a function that returns the book as it is after
``commit`` (the same object for a live book, the re-opened file for the zip book).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Callable

from xlperf.book.protocol import Area, Book, ErrorValue, Uncalculated


def make_contract_workbook(path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.table import Table

    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws["A1"] = "单位"
    ws["B1"] = "深圳"
    ws["B2"] = 12.5
    ws["B3"] = "=B2*2"  # openpyxl saves no result: Uncalculated
    ws["B4"] = "#DIV/0!"  # an error value
    ws.append([])
    for row in (["名称", "金额"], ["甲", 1], ["乙", 2], [None, None]):
        ws.append(row)  # rows 6–9
    ws.add_table(Table(displayName="xp_list", ref="A6:B9"))
    wb.create_sheet("空")
    wb.defined_names["xp_unit"] = DefinedName("xp_unit", attr_text="数据!$B$1")
    wb.defined_names["xp_block"] = DefinedName("xp_block", attr_text="'数据'!$A$1:$B$4")
    wb.save(path)
    return path


def check_reads(book: Book) -> None:
    assert book.sheet_names() == ["数据", "空"]
    names = book.defined_names()
    assert names["xp_unit"] == Area("数据", 1, 2, 1, 2) and names["xp_block"] == Area("数据", 1, 1, 4, 2)
    table = book.tables()["xp_list"]
    assert (table.name, table.area, table.header_row) == ("xp_list", Area("数据", 6, 1, 9, 2), 6)
    block = book.read(table.area)
    assert [list(map(str_or_value, row)) for row in block] == [["名称", "金额"], ["甲", Decimal(1)], ["乙", Decimal(2)],
                                                               [None, None]]
    top = book.read(Area("数据", 1, 1, 4, 3))  # a column beyond the used range reads as empty
    assert top[0] == ["单位", "深圳", None] and str_or_value(top[1][1]) == Decimal("12.5")
    assert isinstance(top[2][1], Uncalculated) and top[2][1].formula == "B2*2"
    assert top[3][1] == ErrorValue("#DIV/0!")
    assert book.read(Area("空", 1, 1, 2, 2)) == [[None, None], [None, None]]
    try:
        book.read(Area("没有", 1, 1, 1, 1))
    except KeyError:
        pass
    else:
        raise AssertionError("an unknown sheet must raise KeyError")


def check_writes(book: Book, after: Callable[[Book], Book]) -> None:
    book.write("数据", (7, 1), [["丙", Decimal("3.25")]], clear_from=7)  # the list shrinks to one row
    book.write("数据", (1, 4), [["=1+1", True], [None, "#REF!"]])
    book.commit()
    done = after(book)
    assert [list(map(str_or_value, r)) for r in done.read(Area("数据", 6, 1, 9, 2))] == [
        ["名称", "金额"], ["丙", Decimal("3.25")], [None, None], [None, None]]
    assert done.read(Area("数据", 1, 4, 2, 5)) == [["=1+1", True], [None, "#REF!"]]  # text stays text
    assert str_or_value(done.read(Area("数据", 2, 2, 2, 2))[0][0]) == Decimal("12.5")  # untouched


def str_or_value(value: object) -> object:
    """Numbers compared as exact decimals, whichever type the book hands back."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        from xlperf.book.codec import from_float

        return from_float(float(value)) if isinstance(value, float) else Decimal(value)
    return value
