"""Finding a worksheet's cells: rows and positions, within a box, from a part parsed at once or streamed.

cellvalues.py turns each cell found into its exact value (Decimal, never float).
"""

from __future__ import annotations

import re
from typing import Iterator

from lxml import etree

from xlperf.book.a1 import MAX_ROW, from_a1, to_a1
from xlperf.workbook.cellvalues import Cell, SharedStrings, cell_value, rich_text
from xlperf.workbook.sheetscan import NOTHING, Record, scan_cells
from xlperf.workbook.opc import local
from xlperf.workbook.xmlsafe import WHOLE_PART, children, parse_xml

_PLAIN_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_COLS: dict[str, int] = {}


def _error(code: str, **where):
    # package.py owns the message table and imports this module, so import it late.
    from xlperf.workbook.problems import workbook_error

    return workbook_error(code, **where)


def sheet_data(root: etree._Element) -> etree._Element | None:
    for child in root:
        if local(child.tag) == "sheetData":
            return child
    return None


def iter_cells(root: etree._Element, part: str) -> Iterator[tuple[int, int, etree._Element, etree._Element]]:
    """(row, col, <c>, <row>) in document order; rows and cells without r= take the next position."""
    data = sheet_data(root)
    if data is None:
        return
    prev_row = 0
    for row_el in data:
        if local(row_el.tag) != "row":
            continue
        prev_row = _row_number(row_el, prev_row, part)
        for row, col, c in _row_cells(row_el, prev_row, part):
            yield row, col, c, row_el


def _row_number(row_el: etree._Element, prev_row: int, part: str) -> int:
    r = row_el.get("r")
    if r is None:
        return prev_row + 1
    try:
        rownum = int(r) if len(r) <= 8 else 0  # int() of 5,000 digits is slow, and no row has 8
    except ValueError:
        raise _error("XML_BROKEN", part=part, cell=r) from None
    if not 1 <= rownum <= MAX_ROW:
        raise _error("XML_BROKEN", part=part, cell=r)
    return rownum


def _row_cells(row_el: etree._Element, rownum: int, part: str) -> Iterator[tuple[int, int, etree._Element]]:
    col = 0
    for c in row_el:
        if not isinstance(c.tag, str) or local(c.tag) != "c":
            continue
        ref = c.get("r")
        if ref is None:
            row, col = rownum, col + 1
            if col > 16_384:
                raise _error("XML_BROKEN", part=part, cell=f"R{rownum}C{col}")
        else:
            row, col = position(ref, part)
        yield row, col, c


_POSITIONS: dict[str, tuple[int, int]] = {}  # valid refs seen: every copy of a template has the same


def position(ref: str, part: str) -> tuple[int, int]:
    # Hot path: a ref seen before; then plain "B12" refs with a memo of column letters; anything else
    # takes the strict parser.
    found = _POSITIONS.get(ref)
    if found is not None:
        return found
    m = _PLAIN_REF.fullmatch(ref)
    if m:
        col = _COLS.get(m.group(1))
        row = int(m.group(2))
        if col is not None and 1 <= row <= MAX_ROW:
            if len(_POSITIONS) < 20_000:  # a few MB at most, whatever a sheet holds
                _POSITIONS[ref] = (row, col)
            return row, col
    try:
        row, col = from_a1(ref)
    except ValueError:
        raise _error("XML_BROKEN", part=part, cell=str(ref)) from None
    if m and len(_COLS) < 20_000:
        _COLS[m.group(1)] = col
    return row, col


def expand_shared(text: str, origin: tuple[int, int], dest: tuple[int, int]) -> str | None:
    """A shared formula's text as seen from dest (relative references shifted); None if impossible."""
    if origin == dest:
        return text
    try:
        from openpyxl.formula.translate import Translator
    except ImportError:  # openpyxl is a declared dependency; degrade rather than fail a read
        return None
    try:
        out = Translator("=" + text, origin=to_a1(*origin)).translate_formula(to_a1(*dest))
    except Exception:  # a third-party tokenizer meeting an odd formula may raise anything
        return None
    return out[1:] if out.startswith("=") else out


def child(el: etree._Element, name: str) -> etree._Element | None:
    for ch in el:
        if local(ch.tag) == name:
            return ch
    return None


def formula_cells(root: etree._Element, part: str) -> set[tuple[int, int]]:
    return {(row, col) for row, col, c, _ in iter_cells(root, part) if child(c, "f") is not None}


def read_cells(data: bytes, shared: "SharedStrings | list[str] | None", part: str, max_cells: int,
               max_row: int = MAX_ROW, max_col: int = 16_384, min_row: int = 1, min_col: int = 1
               ) -> dict[tuple[int, int], Cell]:
    """Cells holding a value or a formula within rows min_row..max_row and columns min_col..max_col.

    A plain part is read from its bytes (sheetscan.py, lxml's answer without lxml's tree); any other
    part up to WHOLE_PART is parsed at once, and a larger one row by row with each row dropped once
    read, so memory follows what is kept, not the sheet. Reading stops at the first row past
    max_row (rows are stored in ascending order), so junk below the ranges the layout names costs
    next to nothing.
    """
    records = scan_cells(data, part, min_row, max_row) if len(data) <= WHOLE_PART else None
    if records is None:
        rows = _tree_rows(data, part, max_row, min_row) if len(data) <= WHOLE_PART else \
            _streamed_rows(data, part, max_row, min_row)
        records = _records(rows, max_col, min_col)
    out: dict[tuple[int, int], Cell] = {}
    masters: dict[str, tuple[str, tuple[int, int]]] = {}
    for record in records:
        col, cell = record[1], record[9]
        if col > max_col or col < min_col:
            continue
        if cell is not None:  # decoded once, when the scanner first met these bytes (most cells: no unpacking)
            if cell is not NOTHING:
                out[(record[0], col)] = cell
                if len(out) > max_cells:
                    raise _error("TOO_LARGE", part=part)
            continue
        row, col, t, v, has_v, inline, f, f_t, si, _ = record
        value = cell_value(t, v, has_v, inline, shared, part, row, col)
        formula = None
        if f is not None:
            formula = f
            if f_t == "shared" and si is not None:
                if formula:
                    masters.setdefault(si, (formula, (row, col)))
                else:
                    master = masters.get(si)
                    formula = (expand_shared(master[0], master[1], (row, col)) or "") if master else ""
        if value is not None or formula is not None:
            out[(row, col)] = Cell(value, formula)
            if len(out) > max_cells:
                raise _error("TOO_LARGE", part=part)
    return out


def _records(rows: Iterator[list[list]], max_col: int, min_col: int) -> Iterator[Record]:
    """The elements the tree walk found as the texts the reading rules use (the box's columns only)."""
    for found in rows:
        for row, col, c, v, is_el, f in found:
            if col > max_col or col < min_col:
                continue
            t = c.get("t") or "n"
            yield Record(row, col, t, v.text if v is not None else None, v is not None,
                         rich_text(is_el) if is_el is not None and t == "inlineStr" else None,
                         (f.text or "") if f is not None else None,
                         f.get("t") if f is not None else None, f.get("si") if f is not None else None)


def _streamed_rows(data: bytes, part: str, max_row: int, min_row: int) -> Iterator[list[list]]:
    """The content of each row from min_row to max_row (see _row_content), streaming the part."""
    prev_row = 0
    for row_el in children(data, part, "row", "sheetData"):
        rownum = _row_number(row_el, prev_row, part)
        if rownum > max_row:
            return
        prev_row = rownum
        if rownum >= min_row:  # above the area: its cells are never decoded
            yield _row_content(row_el, rownum, part)


def _tree_rows(data: bytes, part: str, max_row: int, min_row: int) -> Iterator[list[list]]:
    """What _streamed_rows yields, from a part parsed at once and walked in one C-level pass over
    its rows and value, inline-string and formula elements (the same rules, without a call per row)."""
    root = parse_xml(data, part)
    prev_row = 0
    row_el = None  # the row being read, None while between rows or skipping one
    c_tag = ""
    found: list[list] = []
    cur = entry = None
    for el in root.iter("{*}row", "{*}v", "{*}is", "{*}f"):
        tag = el.tag
        slot = _SLOT_OF.get(tag)
        if slot is None:
            name = local(tag)
            slot = 0 if name == "row" else _SLOTS[name]
            if len(_SLOT_OF) < 64:
                _SLOT_OF[tag] = slot
        if slot == 0:  # a row
            parent = el.getparent()
            if parent is None or not isinstance(parent.tag, str) or not parent.tag.endswith("sheetData"):
                continue
            if row_el is not None:
                yield found
            row_el, found, cur = None, [], None
            rownum = _row_number(el, prev_row, part)
            if rownum > max_row:
                return
            prev_row = rownum
            if rownum >= min_row:
                row_el, c_tag = el, tag[: -len("row")] + "c"
            continue
        if row_el is None:
            continue
        c = el.getparent()
        if c is not cur:
            if c.tag != c_tag or c.getparent() is not row_el:
                continue
            ref = c.get("r")
            if ref is None:  # a cell without r=: the row is walked in order, as the stream does
                yield _row_walk(row_el, prev_row, part)
                row_el, found = None, []
                continue
            cur = c
            entry = [*position(ref, part), c, None, None, None]
            found.append(entry)
        if entry[slot] is None:
            entry[slot] = el
    if row_el is not None:
        yield found


_SLOTS = {"v": 3, "is": 4, "f": 5}
_SLOT_OF: dict[str, int] = {}


def _row_content(row_el: etree._Element, rownum: int, part: str) -> list[list]:
    """[row, col, <c>, first <v>, first <is>, first <f>] of the row's cells that hold something.

    Found in C (templates pre-format hundreds of style-only cells, which Python never touches) when
    each such cell has its r=; otherwise by walking the row in order, counting positions.
    """
    c_tag = row_el.tag[: -len("row")] + "c"
    found: list[list] = []
    cur = entry = None
    for el in row_el.iter("{*}v", "{*}is", "{*}f"):
        c = el.getparent()
        if c is not cur:
            # Matches inside one cell come together (document order); deeper ones belong to no cell.
            if c.tag != c_tag or c.getparent() is not row_el:
                continue
            ref = c.get("r")
            if ref is None:
                return _row_walk(row_el, rownum, part)
            cur = c
            entry = [*position(ref, part), c, None, None, None]
            found.append(entry)
        tag = el.tag
        slot = _SLOT_OF.get(tag)
        if slot is None:
            slot = _SLOTS[local(tag)]
            if len(_SLOT_OF) < 64:
                _SLOT_OF[tag] = slot
        if entry[slot] is None:
            entry[slot] = el
    return found


def _row_walk(row_el: etree._Element, rownum: int, part: str) -> list[list]:
    out = []
    for row, col, c in _row_cells(row_el, rownum, part):
        v, is_el, f = child(c, "v"), child(c, "is"), child(c, "f")
        if v is not None or is_el is not None or f is not None:
            out.append([row, col, c, v, is_el, f])
    return out
