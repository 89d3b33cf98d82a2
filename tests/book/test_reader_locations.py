"""Where the reader says a field lives: a list's cells are located on demand (ReadInputs.cell_of).

The golden cell of each path is the cell whose value the reader read into that path: reading the
located cell back from the workbook must give the same text, so a wrong row or column fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xlperf.book.a1 import from_a1
from xlperf.book.protocol import Area
from xlperf.book.reader import read_inputs
from xlperf.engine import paths
from xlperf.engine.system import load
from xlperf.workbook.zipbook import ZipBook

EXAMPLE = Path(__file__).parents[2] / "workbooks" / "example-2024.xlsx"


@pytest.fixture(scope="module")
def read():
    book = ZipBook.open(EXAMPLE)
    return book, read_inputs(book, load("shenzhen-2024"))


def _value_at(book, sheet: str, a1: str):
    (row,) = book.read(Area.cell(sheet, from_a1(a1)))
    return row[0]


def test_every_filled_cell_of_every_list_is_located_where_its_value_was_read(read):
    book, found = read
    checked = 0
    for key, (sheet, rows, letters) in found.rows_at.items():
        for i, row in enumerate(paths.get(found.data, key)):
            for column, text in row.items():
                where = found.cell_of(f"{key}[{i}].{column}")
                assert where is not None and where[0] == sheet
                assert str(_value_at(book, *where)) == str(text), f"{key}[{i}].{column} at {where}"
                checked += 1
    assert checked >= 30  # the example's lists hold 31 filled cells


def test_a_row_is_located_at_its_first_column_and_a_cell_nearest_enclosing(read):
    _, found = read
    key = max(found.rows_at, key=lambda k: len(found.rows_at[k][1]))  # the longest list
    sheet, rows, letters = found.rows_at[key]
    assert len(rows) >= 3
    first_letters = next(iter(letters.values()))
    assert found.cell_of(f"{key}[2]") == (sheet, f"{first_letters}{rows[2]}")
    column = next(iter(letters))
    assert found.find(f"{key}[2].{column}") == (sheet, f"{letters[column]}{rows[2]}")
    # An unknown column of a row that was read: the row itself, the nearest enclosing path.
    assert found.cell_of(f"{key}[2].no_such_column") is None
    assert found.find(f"{key}[2].no_such_column") == (sheet, f"{first_letters}{rows[2]}")


@pytest.mark.parametrize("path", ["projects[9999]", "projects[9999].budget", "projects[x].budget",
                                  "projects[-1]", "no_such_list[0].budget"])
def test_a_path_past_the_list_or_malformed_is_not_located(read, path):
    assert read[1].cell_of(path) is None
