"""Values checked and turned into cell text once, and the byte-level patch of a plain template sheet.

The output sheets xlperf owns come from its template: plain <c r="B3" s="7"/> cells, no formulas,
no namespace prefixes. Rewriting just those cells' bytes avoids building and serialising the
whole tree; anything unusual returns None and sheetpatch.py's lxml patcher does the work.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from types import MappingProxyType

from xlperf.book.a1 import MAX_COL, MAX_ROW, col_index, col_letter, to_a1
from xlperf.book.celltext import clean_text
from xlperf.workbook.partmemo import remember

Prepared = dict[tuple[int, int], "tuple[str, str] | None"]
# Output text → its prepared entry: every unit's sheets carry the same indicator names, notes and most
# of the same finding texts. Short texts only, and a bounded count (a batch fills thousands of files):
# a fill writes ~350 cells, so 2,048 hold the template's and the common ones and are full within a few
# dozen files; 8,192 kept filling for ~500 files, ~3 MB more per worker, for no time measured.
_CLEANED: dict[str, tuple[str, str]] = {}
_CLEANED_TEXT, _CLEANED_LIMIT = 512, 2048


def number_text(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value.adjusted()) > 300:
            raise ValueError(f"number outside Excel's range: {value!r}")
        return format(value, "f") if -20 <= value.adjusted() <= 20 else format(value, "E")
    raise TypeError(f"not a number: {value!r}")


def _in_sheet(row: int, col: int) -> None:
    if type(row) is not int or type(col) is not int or not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        to_a1(row, col)  # raises with the standard message


def prepare(values: dict, styles: dict) -> Prepared:
    """Check every value before the XML is touched, and turn each into (kind, text) once."""
    prepared: Prepared = {}
    cleaned = _CLEANED
    for (row, col), value in values.items():
        if type(row) is not int or type(col) is not int or not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
            to_a1(row, col)  # raises with the standard message
        if value is None:
            prepared[row, col] = None
        elif isinstance(value, bool):
            prepared[row, col] = ("b", "1" if value else "0")
        elif type(value) is str:
            entry = cleaned.get(value)
            if entry is None:
                entry = ("s", clean_text(value))
                if len(value) <= _CLEANED_TEXT and len(cleaned) < _CLEANED_LIMIT:
                    cleaned[value] = entry
            prepared[row, col] = entry
        elif isinstance(value, str):
            prepared[row, col] = ("s", clean_text(value))
        elif isinstance(value, (int, float, Decimal)):
            prepared[row, col] = ("n", number_text(value))
        else:
            raise TypeError(f"{to_a1(row, col)}: cannot write {type(value).__name__}")
    for (row, col), style in styles.items():
        _in_sheet(row, col)
        if isinstance(style, bool) or not isinstance(style, int) or style < 0:
            raise ValueError(f"{to_a1(row, col)}: bad style index {style!r}")
    return prepared


# One plain cell, from just after its '<c r="': ref, attributes, content of a non-empty cell. Possessive
# quantifiers and an unrolled content loop: the pattern runs over every cell of the sheet.
_CELL_BODY = rb'([A-Z]{1,3})([0-9]{1,7})"((?:\s+[a-zA-Z]+="[^"<>]*+")*+)\s*+(?:/>|>([^<]*+(?:<(?!/c>)[^<]*+)*+)</c>)'
_CELL = re.compile(rb'<c r="' + _CELL_BODY)
_PIECE = re.compile(_CELL_BODY)
_OPEN = b'<c r="'
_VALUE_ATTRS = re.compile(rb'\s+(?:t|cm|vm)="[^"]*"')
_FORMULA = re.compile(rb"<f[\s>/]")
_COLS: dict[bytes, int] = {}
_LETTERS: dict[int, bytes] = {}


def _escape(text: str) -> bytes:
    # \r must be a character reference, or a parser would read it back as \n.
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
            .encode("utf-8"))


def _value_attrs(attrs: bytes) -> bytes:
    """A cell's attributes without those about its old value (t=, cm=, vm=): most carry only s=."""
    return _VALUE_ATTRS.sub(b"", attrs) if b"t=" in attrs or b"m=" in attrs else attrs


def _cell_tail(ref: bytes, attrs: bytes, prepared: tuple[str, str] | None) -> bytes:
    """A rewritten cell without its leading '<c r="' (``attrs`` already without value attributes)."""
    if prepared is None:
        return ref + b'"' + attrs + b"/>"
    kind, text = prepared
    if kind == "s":
        return ref + b'"' + attrs + b' t="inlineStr"><is><t xml:space="preserve">' + _escape(text) + b"</t></is></c>"
    t = b' t="b"' if kind == "b" else b""
    return ref + b'"' + attrs + t + b"><v>" + text.encode("ascii") + b"</v></c>"


def _ref(pos: tuple[int, int]) -> bytes:
    letters = _LETTERS.get(pos[1])
    if letters is None:
        letters = _LETTERS[pos[1]] = col_letter(pos[1]).encode("ascii")
    return letters + str(pos[0]).encode("ascii")


def fast_patch(xml: bytes, prepared: Prepared, clear_rows_from: int | None,
               styles_from_above: bool = False) -> bytes | None:
    """The patched sheet, or None when the sheet is not a plain template sheet (use the tree path).

    Every cell must match the plain pattern and start with its r=; the body is split at each cell
    start (in C), and only the pieces of cells written or cleared are rebuilt. A cell to create is
    added here only at the end of an existing row (the stamp's values beside their keys), with the
    tree path's style rule; anything else about new cells is left to the tree path.
    """
    split = remember("sheet-split", xml, lambda: _split(xml), weight=4)
    if split is _NOT_PLAIN:
        return None
    head, sep, cells, pieces_held, at, parsed, filled, sep2, tail = split
    pieces = list(pieces_held)
    created: list[tuple[tuple[int, int], tuple[str, str]]] = []
    for pos, value in prepared.items():
        i = at.get(pos)
        if i is None:
            if value is not None:  # (nothing there to empty otherwise)
                created.append((pos, value))
            continue
        if not _rewrite(pieces, parsed, i, value):
            return None
    if clear_rows_from is not None:
        for i, row, col in filled:
            if row >= clear_rows_from and (row, col) not in prepared and not _rewrite(pieces, parsed, i, None):
                return None
    body = _OPEN.join(pieces)
    if created:
        grown = _create(head, body, cells, sorted(created), styles_from_above)
        if grown is None:
            return None
        head, body = grown
    return head + sep + body + sep2 + tail


_NOT_PLAIN = ()  # what _split answers for a sheet the byte patch does not handle


def _split(xml: bytes) -> tuple:
    """What the patch needs from a sheet's bytes alone, or _NOT_PLAIN: (head, "<sheetData", its
    cells as found, the body split at each cell start, {(row, column): piece index} of the cells
    whose ref is written as the patch writes one, each piece's (ref, attributes without value ones,
    bytes after the cell) or None, (piece index, row, column) of each cell with content,
    "</sheetData>", tail).

    Copies of one template carry their output sheets byte for byte, so this is remembered per
    process by the exact bytes (partmemo); every part is still checked by the pattern, as before.
    """
    if _FORMULA.search(xml) or b"<sheetData" not in xml or b"<!" in xml:
        return _NOT_PLAIN  # formulas, prefixes or CDATA/DOCTYPE: the lxml path handles them
    head, sep, rest = xml.partition(b"<sheetData")
    body, sep2, tail = rest.partition(b"</sheetData>")
    if not sep2 or b"<?" in body:
        return _NOT_PLAIN  # a processing instruction may hold anything, even text that looks like a cell
    cells = _CELL.findall(body)
    pieces = body.split(_OPEN)
    if len(cells) != body.count(b"<c ") or len(pieces) != len(cells) + 1:
        return _NOT_PLAIN  # a cell this pattern does not understand
    if len({letters + digits for letters, digits, _, _ in cells}) != len(cells):
        return _NOT_PLAIN  # a position given twice: the tree path decides which one counts
    # Only refs spelled as _ref spells them (no leading zero) are found by position: a value for A1
    # never lands on a cell written "A01"; such a cell is left to the tree path, as before.
    at = {(int(digits), _column(letters)): i for i, (letters, digits, _, _) in enumerate(cells, 1)
          if not digits.startswith(b"0")}
    parsed = (None, *map(_parsed_piece, pieces[1:]))
    filled = tuple((i, int(digits), _column(letters)) for i, (letters, digits, _, content) in enumerate(cells, 1)
                   if content)
    return head, sep, tuple(cells), tuple(pieces), MappingProxyType(at), parsed, filled, sep2, tail


def _parsed_piece(piece: bytes) -> tuple[bytes, bytes, bytes] | None:
    # findall matched this cell in the body already; matched again alone, so the end is known.
    m = _PIECE.match(piece)
    return None if m is None else (m.group(1) + m.group(2), _value_attrs(m.group(3)), piece[m.end():])


_DIMENSION = re.compile(rb'<dimension ref="[A-Z0-9:]*"/>')
_STYLE = re.compile(rb'\ss="([0-9]+)"')


def _create(head: bytes, body: bytes, cells: list[tuple], created: list, styles_from_above: bool
            ) -> tuple[bytes, bytes] | None:
    """(head, body) with the new cells appended to their rows and <dimension> widened, or None."""
    if len(_DIMENSION.findall(head)) != 1:
        return None
    positions = []
    last_styled: dict[bytes, tuple[int, bytes]] = {}  # column → (row, s) of its last styled cell
    for letters, digits, attrs, _ in cells:
        positions.append((int(digits), _column(letters)))
        m = _STYLE.search(attrs)
        if m:
            last_styled[letters] = (int(digits), m.group(1))
    for (row, col), value in created:
        if any(r == row and c >= col for r, c in positions):
            return None  # not at the end of its row: order needs the tree path
        start = body.find(b'<row r="%d"' % row)
        end = body.find(b"</row>", start)
        if start < 0 or body.find(b'<row r="%d"' % row, start + 1) >= 0 or end < 0:
            return None  # no such row (or twice): the tree path creates rows
        open_tag = body[start:body.find(b">", start) + 1]
        if open_tag.endswith(b"/>") or b"spans=" in open_tag or body.find(b"<row", start + 1, end) >= 0:
            return None
        letters = _ref((row, col))[: -len(str(row))]
        style = last_styled.get(letters) if styles_from_above else None
        attrs = b' s="%d"' % int(style[1]) if style and style[0] < row else b""
        body = body[:end] + _OPEN + _cell_tail(_ref((row, col)), attrs, value) + body[end:]
        positions.append((row, col))
    rows, cols = [r for r, _ in positions], [c for _, c in positions]
    first, last = to_a1(min(rows), min(cols)), to_a1(max(rows), max(cols))
    ref = first if first == last else f"{first}:{last}"
    return _DIMENSION.sub(b'<dimension ref="' + ref.encode("ascii") + b'"/>', head), body


def _column(letters: bytes) -> int:
    col = _COLS.get(letters)
    if col is None:
        col = _COLS[letters] = col_index(letters.decode("ascii"))
    return col


def _rewrite(pieces: list[bytes], parsed: tuple, i: int, value: tuple[str, str] | None) -> bool:
    found = parsed[i]
    if found is None:
        return False
    ref, attrs, rest = found
    key = (ref, attrs, value)
    cell = _TAILS.get(key)
    if cell is None:
        cell = _cell_tail(ref, attrs, value)
        if len(cell) <= _TAIL_BYTES and len(_TAILS) < _CLEANED_LIMIT:
            _TAILS[key] = cell
    pieces[i] = cell + rest
    return True


# (ref, attributes, prepared value) → the cell's bytes: nine in ten output cells of a unit are one an
# earlier unit wrote the same (labels, notes, full marks, most finding texts); bounded like _CLEANED.
_TAILS: dict[tuple, bytes] = {}
_TAIL_BYTES = 1024
