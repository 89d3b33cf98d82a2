"""The two ways a sheet is read (small parts parsed at once, large ones streamed) agree cell for cell."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xlperf.book.protocol import ErrorValue
from xlperf.errors import WorkbookError
from xlperf.workbook import sheetread, xmlsafe

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# Rows and cells without r= (positions counted), a shared formula, inline and shared strings, a cell
# nested where no cell belongs, an empty styled cell, a row of a prefixed namespace and a comment.
SHEET = f"""<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="{MAIN}"><x:sheetData>
<!-- a comment between rows -->
<x:row r="1"><x:c r="A1" t="s"><x:v>1</x:v></x:c><x:c r="B1"><x:v>0.57999999999999996</x:v></x:c>
  <x:c r="C1" s="3"/><x:c r="D1" t="inlineStr"><x:is><x:r><x:t>ri</x:t></x:r><x:r><x:t>ch</x:t></x:r></x:is></x:c></x:row>
<x:row><x:c t="b"><x:v>1</x:v></x:c><x:c><x:f t="shared" si="0" ref="B2:B4">A1*2</x:f><x:v>4</x:v></x:c></x:row>
<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>a_x000D_b</x:t></x:is></x:c>
  <x:c r="B3"><x:f t="shared" si="0"/><x:v>6</x:v></x:c><x:c r="C3"><x:is><x:c r="Z9"><x:v>9</x:v></x:c></x:is></x:c></x:row>
<x:row r="5"><x:c r="A5" t="e"><x:v>#N/A</x:v></x:c><x:c r="E5" t="str"><x:f>"x"</x:f><x:v>x</x:v></x:c></x:row>
<x:row r="9"><x:c r="A9"><x:v>99</x:v></x:c></x:row>
</x:sheetData></x:worksheet>""".encode()


@pytest.fixture(params=["whole", "streamed"])
def way(request, monkeypatch):
    if request.param == "streamed":
        for module in (sheetread, xmlsafe):  # every part streamed, as a large one is
            monkeypatch.setattr(module, "WHOLE_PART", 0)
    return request.param


def test_both_ways_read_the_same_cells(way):
    cells = sheetread.read_cells(SHEET, ["zero", "one"], "sheet", 1000)
    assert {pos: c.value for pos, c in cells.items()} == {
        (1, 1): "one", (1, 2): Decimal("0.58"), (1, 4): "rich", (2, 1): True, (2, 2): Decimal(4),
        (3, 1): "a\rb", (3, 2): Decimal(6), (5, 1): ErrorValue("#N/A"), (5, 5): "x", (9, 1): Decimal(99)}
    assert cells[(2, 2)].formula == "A1*2" and cells[(3, 2)].formula == "A2*2"  # B3 follows B2: one row down


def test_both_ways_keep_to_the_box(way):
    cells = sheetread.read_cells(SHEET, ["zero", "one"], "sheet", 1000, max_row=5, max_col=2, min_row=2, min_col=2)
    assert set(cells) == {(2, 2), (3, 2)}


def test_both_ways_refuse_a_bad_row_number_before_the_box_ends(way):
    bad = SHEET.replace(b'<x:row r="5">', b'<x:row r="5x">')
    with pytest.raises(WorkbookError):
        sheetread.read_cells(bad, [], "sheet", 1000)
    assert sheetread.read_cells(bad, ["zero", "one"], "sheet", 1000, max_row=2)  # row 3 ends the read


def test_both_ways_count_cells_against_the_limit(way):
    with pytest.raises(WorkbookError) as info:
        sheetread.read_cells(SHEET, ["zero", "one"], "sheet", 5)
    assert info.value.problems[0].code == "TOO_LARGE"
