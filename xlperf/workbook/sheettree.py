"""A parsed worksheet indexed for patching: rows and cells by position, new ones inserted in order.

sheetpatch.py's tree path edits through it; <dimension> and row spans are kept consistent.
"""

from __future__ import annotations

import bisect

from lxml import etree

from xlperf.book.a1 import to_a1
from xlperf.workbook.opc import local, namespace
from xlperf.workbook.sheetread import child, iter_cells, sheet_data

_BEFORE_DIMENSION = {"sheetPr"}
_BEFORE_SHEETDATA = {"sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols"}


class SheetTree:
    """Index of one parsed worksheet: rows and cells by position, kept in document order."""

    def __init__(self, root: etree._Element, part: str):
        self.root, self.part = root, part
        ns = namespace(root.tag)
        self.q = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
        self.tag_v, self.tag_is, self.tag_t = self.q("v"), self.q("is"), self.q("t")
        data = sheet_data(root)
        if data is None:
            data = etree.Element(self.q("sheetData"))
            root.insert(_insert_index(root, _BEFORE_SHEETDATA), data)
        self.data = data
        prev = 0
        self.row_nums: list[int] = []
        self.row_els: list[etree._Element] = []
        for row_el in data:
            if local(row_el.tag) != "row":
                continue
            if row_el.get("r") is None:
                row_el.set("r", str(prev + 1))
            prev = int(row_el.get("r")) if row_el.get("r").isdigit() else prev + 1
            self.row_nums.append(prev)
            self.row_els.append(row_el)
        self.rows = dict(zip(self.row_nums, self.row_els))
        self.cells: dict[tuple[int, int], etree._Element] = {}
        self.row_cols: dict[int, tuple[list[int], list[etree._Element]]] = {}
        for row, col, c, _ in iter_cells(root, part):
            if c.get("r") is None:
                c.set("r", to_a1(row, col))
            if (row, col) not in self.cells:
                self.cells[row, col] = c
                cols, els = self.row_cols.setdefault(row, ([], []))
                cols.append(col)
                els.append(c)

    def row(self, row: int) -> etree._Element:
        el = self.rows.get(row)
        if el is not None:
            return el
        el = etree.Element(self.q("row"))
        el.set("r", str(row))
        i = bisect.bisect_right(self.row_nums, row)
        if i < len(self.row_els):
            self.row_els[i].addprevious(el)
        else:
            self.data.append(el)
        self.row_nums.insert(i, row)
        self.row_els.insert(i, el)
        self.rows[row] = el
        return el

    def cell(self, pos: tuple[int, int]) -> etree._Element:
        el = self.cells.get(pos)
        if el is not None:
            return el
        row, col = pos
        row_el = self.row(row)
        cols, els = self.row_cols.setdefault(row, ([], []))
        el = etree.Element(self.q("c"))
        el.set("r", to_a1(row, col))
        i = bisect.bisect_right(cols, col)
        if i < len(els) and els[i].getparent() is row_el:
            els[i].addprevious(el)
        else:
            ext = child(row_el, "extLst")
            if ext is not None:
                ext.addprevious(el)
            else:
                row_el.append(el)
        cols.insert(i, col)
        els.insert(i, el)
        self.cells[pos] = el
        _widen_spans(row_el, col)
        return el

    def update_dimension(self) -> None:
        if self.cells:
            rows = [r for r, _ in self.cells]
            cols = [c for _, c in self.cells]
            first, last = to_a1(min(rows), min(cols)), to_a1(max(rows), max(cols))
            ref = first if first == last else f"{first}:{last}"
        else:
            ref = "A1"
        dim = child(self.root, "dimension")
        if dim is None:
            dim = etree.Element(self.q("dimension"))
            self.root.insert(_insert_index(self.root, _BEFORE_DIMENSION), dim)
        dim.set("ref", ref)


def _insert_index(root: etree._Element, before: set[str]) -> int:
    index = 0
    for i, el in enumerate(root):
        if local(el.tag) in before:
            index = i + 1
    return index


def _widen_spans(row_el: etree._Element, col: int) -> None:
    spans = row_el.get("spans")
    if spans is None:
        return
    lo, sep, hi = spans.partition(":")
    if sep and lo.isdigit() and hi.isdigit() and " " not in spans:
        row_el.set("spans", f"{min(int(lo), col)}:{max(int(hi), col)}")
    else:
        del row_el.attrib["spans"]  # spans is only an optimisation hint; absent is always valid
