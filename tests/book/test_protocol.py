"""The book interface's neutral types and the in-memory book."""

from __future__ import annotations

import pytest

from xlperf.book.memory import MemoryBook
from xlperf.book.protocol import Area, Book, Table, Uncalculated


def test_area_parse_and_text():
    area = Area.parse("项目", "$B$3:D9")
    assert (area.top, area.left, area.bottom, area.right) == (3, 2, 9, 4)
    assert (area.height, area.width, area.a1()) == (7, 3, "B3:D9")
    assert Area.parse("s", "C5").a1() == "C5"
    assert (9, 4) in area and (10, 4) not in area
    with pytest.raises(ValueError):
        Area("s", 3, 1, 2, 1)


def test_table_data_rows_exclude_the_header():
    table = Table("xp_projects", Area.parse("项目", "A2:F22"))
    assert table.header_row == 2
    assert table.data == Area("项目", 3, 1, 22, 6)
    assert Table("t", Area.parse("s", "A2:F2")).data is None


def test_uncalculated_reads_as_blank_text():
    assert not Uncalculated("A1+1") and str(Uncalculated("A1+1")) == ""


def test_memory_book_reads_and_writes_blocks():
    book = MemoryBook({"s": {(1, 1): "a", (6, 2): 3, (6, 4): "keep"}})
    assert isinstance(book, Book)
    book.write("s", (2, 1), [["x", None], [1, 2]], clear_from=2)
    # cleared: (6, 2) is in the block's columns; (6, 4) is not
    assert book.cells("s") == {(1, 1): "a", (2, 1): "x", (3, 1): 1, (3, 2): 2, (6, 4): "keep"}
    assert book.read(Area("s", 1, 1, 2, 2)) == [["a", None], ["x", None]]
    book.commit()
    assert book.commits == 1
    with pytest.raises(KeyError):
        book.read(Area("nope", 1, 1, 1, 1))
