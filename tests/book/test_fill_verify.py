"""Fill and verify over the book interface: every test runs against the zip book and the memory book.

The memory book starts as a copy of the bundled example's cells, names and tables
(``ZipBook.to_memory``); the zip book is the file itself, written to a new file on commit
and opened again to look at the result. Both must give the same outputs, cell for cell, as
the fill did before the book interface existed (``example-2024-outputs.json``, see dump.py).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from dump import OUTPUT_SHEETS, text
from reference import PUBLISHED_ITEMS
from xlperf.book import fill as book_fill
from xlperf.book.memory import MemoryBook
from xlperf.book.protocol import Area, Book
from xlperf.errors import InputError
from xlperf.book.a1 import to_a1
from xlperf.workbook.zipbook import ZipBook

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "workbooks" / "example-2024.xlsx"
BEFORE = json.loads((Path(__file__).parent / "example-2024-outputs.json").read_text(encoding="utf-8"))


class Zip:
    """Books that are files: each commit writes a new file; the next look opens it."""

    def __init__(self, tmp: Path):
        self.tmp, self.n = tmp, 0

    def _next(self) -> Path:
        self.n += 1
        return self.tmp / f"book{self.n}.xlsx"

    def example(self) -> Book:
        return ZipBook.open(EXAMPLE, self._next())

    def after(self, book: ZipBook) -> Book:
        return ZipBook.open(book.out_path, self._next())

    def edited(self, book: ZipBook, name: str, value: object, down: int = 0) -> Book:
        at = book.defined_names()[name]
        book.write(at.sheet, (at.top + down, at.left), [[value]])
        book.commit()
        return self.after(book)


class Memory:
    """The same workbook as plain dicts: writes land at once, so 'after' is the book itself."""

    def __init__(self, tmp: Path):
        self.snapshot = ZipBook.open(EXAMPLE).to_memory()

    def example(self) -> Book:
        s = self.snapshot
        return MemoryBook(s.sheets, s.names, s.table_map)

    def after(self, book: MemoryBook) -> Book:
        return book

    def edited(self, book: MemoryBook, name: str, value: object, down: int = 0) -> Book:
        at = book.defined_names()[name]
        book.write(at.sheet, (at.top + down, at.left), [[value]])
        return book


@pytest.fixture(params=[Zip, Memory], ids=["zip", "memory"])
def books(request, tmp_path):
    return request.param(tmp_path)


@pytest.fixture
def filled(books):
    book = books.example()
    scored = book_fill.fill(book, filled_at="2025-01-01T00:00:00")
    return books.after(book), scored


def named(book: Book, name: str):
    at = book.defined_names()[name]
    return book.read(Area.cell(at.sheet, at.first))[0][0]


def outputs(book: Book) -> dict[str, dict[str, str]]:
    """The output sheets' non-empty cells as text, shaped like the fixture."""
    out = {}
    for sheet in OUTPUT_SHEETS:
        block = book.read(Area(sheet, 1, 1, 200, 12))  # the output sheets fit in A1:L200
        out[sheet] = {to_a1(r, c): text(v) for r, line in enumerate(block, 1) for c, v in enumerate(line, 1)
                      if text(v) != ""}
    stamp = book.defined_names()["xo_stamp"]
    out["_xlperf"].pop(to_a1(stamp.top + 5, stamp.left), None)  # filled_at
    return out


def test_outputs_identical_to_the_fill_before_the_book_interface(filled):
    from xlperf import __version__

    book, _ = filled
    got = outputs(book)
    # The stamp's first row, xlperf_version, is this xlperf's, whatever the fixture was made with.
    stamp = book.defined_names()["xo_stamp"]
    version_cell = to_a1(stamp.top, stamp.left)
    assert got["_xlperf"].pop(version_cell) == __version__
    assert got == {**BEFORE, "_xlperf": {k: v for k, v in BEFORE["_xlperf"].items() if k != version_cell}}


def test_example_scores_as_published(filled):
    book, _ = filled
    assert named(book, "xo_total") == Decimal("96.88")
    assert [named(book, f"xo_l1_{n}") for n in ("decision", "management", "performance")] == [
        Decimal("20"), Decimal("18.89"), Decimal("57.99")]
    assert {item: named(book, f"xo_item_{item}") for item in PUBLISHED_ITEMS} == {
        item: Decimal(points) for item, points in PUBLISHED_ITEMS.items()}


def test_the_book_is_committed_once(books):
    book = books.example()
    book_fill.fill(book)
    if isinstance(book, MemoryBook):
        assert book.commits == 1
    else:
        assert book.out_path.exists()


def test_refused_inputs_write_nothing(books):
    book = books.edited(books.example(), "xp_procurement_plan", "很多")
    before = outputs(book) if isinstance(book, MemoryBook) else None
    with pytest.raises(InputError) as exc:
        book_fill.fill(book)
    assert [(p.code, p.sheet) for p in exc.value.problems] == [("NOT_NUMBER", "预算执行")]
    if isinstance(book, MemoryBook):
        assert book.commits == 0 and outputs(book) == before
    else:
        assert not book.out_path.exists()


def test_verify_unchanged(filled):
    book, _ = filled
    verdict = book_fill.verify(book)
    assert (verdict.status, verdict.exit_code) == ("unchanged", 0)


def test_verify_catches_edited_output(books, filled):
    book, _ = filled
    verdict = book_fill.verify(books.edited(book, "xo_item_procurement", Decimal("2")))
    assert (verdict.status, verdict.exit_code) == ("outputs", 4)
    at = book.defined_names()["xo_item_procurement"]
    assert verdict.cells == [f"评分表!{to_a1(*at.first)}: 应为“1.89”，现为“2”"]


def test_verify_catches_edited_input(books, filled):
    book, _ = filled
    verdict = book_fill.verify(books.edited(book, "xp_procurement_plan", Decimal("5.00")))
    assert (verdict.status, verdict.exit_code) == ("inputs", 3)


def test_verify_unfilled(books):
    assert book_fill.verify(books.example()).status == "unfilled"


@pytest.mark.parametrize("down, value", [(0, "0.0.1"), (2, "0" * 64)], ids=["version", "system_sha256"])
def test_verify_other_engine_or_system(books, filled, down, value):
    book, _ = filled
    verdict = book_fill.verify(books.edited(book, "xo_stamp", value, down))
    assert (verdict.status, verdict.exit_code) == ("engine", 5)
    assert value[:12] in verdict.message  # names what filled it


def test_refill_is_stable(books, filled):
    book, _ = filled
    again = book_fill.fill(book)
    assert again.result.total == Decimal("96.88")
    assert book_fill.verify(books.after(book)).status == "unchanged"


def test_a_shrinking_findings_list_leaves_no_old_rows(books, filled):
    # First fill: the example's findings. Then the findings area is padded with stale rows
    # (as a longer earlier list would leave them); the next fill must clear them.
    book, scored = filled
    at = book.defined_names()["xo_findings"]
    stale_row = at.top + 70  # below the 60 prepared rows too
    book.write(at.sheet, (stale_row, at.left), [["错误", "OLD", "", "", "旧的校验结果"]])
    if isinstance(book, ZipBook):
        book.commit()
        book = books.after(book)
    book_fill.fill(book)
    after = books.after(book)
    assert after.read(Area(at.sheet, stale_row, at.left, stale_row, at.left + 4)) == [[None] * 5]
    assert book_fill.verify(after).status == "unchanged"


def test_the_zip_books_bulk_write_gives_the_file_its_block_writes_give(tmp_path):
    # write_outputs hands the zip book each sheet's cells at once (write_cells); a book without that
    # method gets them as blocks. Same fill, same moment: the two files must be byte for byte alike.
    from xlperf.workbook.package import Package

    class BlocksOnly(ZipBook):
        write_cells = None

    outputs = []
    for kind in (ZipBook, BlocksOnly):
        out = tmp_path / f"{kind.__name__}.xlsx"
        book = kind(Package.open(EXAMPLE), out)
        book_fill.fill(book, filled_at="2026-12-05T12:00:00")
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert book_fill.verify(ZipBook.open(tmp_path / "ZipBook.xlsx")).status == "unchanged"
