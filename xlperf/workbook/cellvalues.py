"""Cell values as stored in a sheet part → exact Python values (Decimal, never float).

The decoding half of reading a sheet: shared and inline strings (with Excel's _xHHHH_ escapes),
numbers through the one codec, booleans, errors; sheetread.py finds the cells and calls in here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Callable, Iterator, NamedTuple

from lxml import etree

from ..book import codec
from xlperf.book.protocol import ErrorValue  # one error-value type for every book
from xlperf.book.a1 import to_a1
from xlperf.memo import remembered
from xlperf.workbook.opc import local
from xlperf.workbook.xmlsafe import children

_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SURROGATE = re.compile("[\ud800-\udfff]")


class Cell(NamedTuple):
    """One cell's value and formula (a named tuple: reading makes thousands of them)."""

    value: object  # Decimal | str | bool | None | ErrorValue
    formula: str | None  # as stored, without the leading "="


def _error(code: str, **where):
    # package.py owns the message table and imports this module, so import it late.
    from xlperf.workbook.problems import workbook_error

    return workbook_error(code, **where)


def decode_xstring(text: str) -> str:
    """Undo Excel's _xHHHH_ escapes (_x000D_ is a CR, _x005F_ a literal underscore)."""
    if "_x" not in text:
        return text
    out = _XESC.sub(lambda m: chr(int(m.group(1), 16)), text)
    if _SURROGATE.search(out):
        # Astral characters arrive as two escaped UTF-16 halves; lone halves cannot be encoded.
        out = out.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return out


def rich_text(el: etree._Element) -> str:
    """Text of an <si> or <is>: plain <t> and rich-text runs in order; phonetic <rPh> runs skipped."""
    if len(el) == 1:  # the common case, one plain <t>: no list, no join
        node = el[0]
        if local(node.tag) == "t":
            return decode_xstring(node.text or "")
    parts = []
    for node in el:
        name = local(node.tag)
        if name == "t":
            parts.append(decode_xstring(node.text or ""))
        elif name == "r":
            parts.extend(decode_xstring(t.text or "") for t in node if local(t.tag) == "t")
    return "".join(parts)


class SharedStrings:
    """The shared strings, held only as far as the highest index a read cell asks for.

    A table up to xmlsafe.WHOLE_PART is read whole (by stringscan.py, else by lxml); a larger one is
    streamed, so a sender who pads it with millions of strings no cell refers to never has them parsed.
    max_chars bounds the text held, counted in order up to the index asked for, whichever path read it.
    """

    def __init__(self, data: bytes | None, part: str, max_chars: int):
        self._items: list[str] = []
        self._rest = _strings(data, part) if data is not None else None
        self._chars, self._max, self._part = 0, max_chars, part

    def _more(self) -> bool:
        if self._rest is None:
            return False
        text = next(self._rest, None)
        if text is None:
            self._rest = None
            return False
        self._chars += len(text)
        if self._chars > self._max:
            raise _error("TOO_LARGE", part=self._part)
        self._items.append(text)
        return True

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, index: int) -> str:
        while index >= len(self._items) and self._more():
            pass
        return self._items[index]

    def all(self) -> list[str]:
        while self._more():
            pass
        return list(self._items)


def _strings(data: bytes, part: str) -> Iterator[str]:
    """The table's strings in order: from its bytes (stringscan.py) where the part allows, else each
    <si> as lxml reads it (a large part streamed)."""
    from xlperf.workbook.stringscan import scan_strings  # it imports this module's decode_xstring
    from xlperf.workbook.xmlsafe import WHOLE_PART

    found = scan_strings(data, part) if len(data) <= WHOLE_PART else None
    if found is not None:
        return iter(found)
    return (rich_text(si) for si in children(data, part, "si", "sst"))


class CellRef:
    """A cell address formatted only when an error message needs it."""

    __slots__ = ("row", "col")

    def __init__(self, row: int, col: int):
        self.row, self.col = row, col

    def __str__(self) -> str:
        return to_a1(self.row, self.col)


def _number(text: str, part: str, ref: object) -> Decimal:
    # The stored text is a double's serialisation: the codec reads it as the spreadsheet shows it.
    try:
        return _decoded(codec.from_number_text, text)
    except codec.NotANumber:
        raise _error("XML_BROKEN", part=part, cell=str(ref)) from None


_SHORT = 32  # a double's text is at most 24 characters ("-2.2250738585072014E-308")


# <v> text → its Decimal, per process: units share most of their numbers (0, 1, years, counts); a few
# thousand hold those, while every unit's own figures pass through (held at most ≈ 3 MB). The
# decoder is part of the key, so answers never outlive the decoder that gave them (a test swaps it).
# A longer text is never a writer's double: decoded, not held (a hostile one may be megabytes).
@remembered(8192, lambda decoder, text: len(text) <= _SHORT)
def _decoded(decoder: Callable[[str], Decimal], text: str) -> Decimal:
    return decoder(text)


def decode_text(t: str, text: str | None, has_v: bool, shared: "SharedStrings | list[str] | None", part: str,
                ref: object) -> object:
    """A cell's value from its t= and the text of its (first) <v> (None: none, or empty), whether it has
    one; inline strings (<is>) are decoded by rich_text."""
    if t == "n":
        return _number(text, part, ref) if text and text.strip() else None
    if t == "s":
        if not text or not text.strip():
            return None
        try:
            index = int(text)
            if index < 0:  # Python would read from the end: the last string as the unit's name
                raise IndexError(index)
            return (shared or [])[index]
        except (ValueError, IndexError):
            raise _error("XML_BROKEN", part=part, cell=str(ref)) from None
    if t == "inlineStr":
        return decode_xstring(text) if text is not None else None
    if t == "str":
        return decode_xstring(text or "") if has_v else None
    if t == "b":
        if not text or not text.strip():
            return None
        flag = text.strip().lower()
        if flag in ("1", "true"):
            return True
        if flag in ("0", "false"):
            return False
        raise _error("XML_BROKEN", part=part, cell=str(ref))
    if t == "e":
        return ErrorValue(text.strip()) if text and text.strip() else None
    if t == "d":
        return text.strip() if text and text.strip() else None
    raise _error("XML_BROKEN", part=part, cell=str(ref))


def cell_value(t: str, v: str | None, has_v: bool, inline: str | None, shared: "SharedStrings | list[str] | None",
               part: str, row: int, col: int) -> object:
    """A cell's value from its t=, the text of its <v> and whether it has one, and its inline string's
    text (None without <is>), as the tree walk and the byte scanner both find them."""
    if t == "inlineStr" and inline is not None:
        return inline
    if t == "s" and has_v and shared:
        return decode_shared(v, shared, part, row, col)
    return decode_text(t, v, has_v, shared, part, CellRef(row, col))


def decode_shared(text: str | None, shared, part: str, row: int, col: int) -> object:
    # The hot case of decode's t="s" branch (a plain index, the text of <v>), with the same refusals.
    if text and text.isascii() and text.isdigit():
        try:
            return shared[int(text)]
        except IndexError:
            raise _error("XML_BROKEN", part=part, cell=to_a1(row, col)) from None
    return decode_text("s", text, True, shared, part, CellRef(row, col))
