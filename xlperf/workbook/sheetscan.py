"""A plain worksheet's cells straight from its bytes, without building a tree, or None to let lxml read it.

Why: parsing a sheet into a tree and walking it costs a few microseconds per cell, and every unit's
workbook repeats the template's cells (labels, headers, styled blanks). Here sheetData is split at each
``<c `` and each piece (one cell and the row tags after it) is checked against a strict subset of XML
once per process: a piece seen before is known good and known in meaning, so most of a workbook costs
a dictionary lookup per cell.

The answer must be lxml's answer or none at all. The subset admits only what the reading rules
(sheetread.py) would read identically: rows and cells carrying r=, a cell's f, v and is in that order,
is holding one t, UTF-8, and inside sheetData no comment, CDATA, processing instruction, carriage
return or namespace declaration. Everything outside sheetData is judged by lxml itself (the part
with an empty sheetData, parsed once per distinct head and tail). Anything else returns None and the
reference path reads the part, with its errors and messages.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from xlperf.book.a1 import MAX_ROW
from xlperf.book import codec
from xlperf.book.celltext import ILLEGAL_XML_CHAR
from xlperf.workbook.cellvalues import Cell, cell_value, decode_xstring

# What a process remembers, bounded in count and in the size of each entry, so hostile files (a huge
# cell, thousands of blank rows before the first cell, a megabyte of header) cannot grow a batch
# worker: a template's pieces are 50-500 bytes, its heads and tails a few kilobytes.
_MEMO_LIMIT = 10_000  # pieces, and shapes (a template has 1,000-2,000): ~3 MB typical, under 25 MB at worst each
_PIECE_BYTES = 1024
_FRAMES_LIMIT = 256  # heads and tails, and what precedes the first cell
_FRAME_BYTES = 64 << 10


class Record(NamedTuple):
    """What the reading rules need of one cell: its position and its t=, <v>, <is> and <f> as text."""

    row: int
    col: int
    t: str  # "n" when absent
    v: str | None  # the text of <v>; None for none or an empty one
    has_v: bool
    inline: str | None  # the text of <is><t>, None without <is>
    f: str | None  # the text of <f> ("" for an empty one), None without <f>
    f_t: str | None
    f_si: str | None
    # The cell as read (NOTHING when it holds nothing), where that needs nothing else of the workbook
    # (no shared string, no shared formula) and decoding raised nothing; else None: read_cells decodes.
    cell: Cell | None = None


NOTHING = Cell(None, None)


_WS = rb"[ \t\n]"
_NAME = rb"[A-Za-z_][A-Za-z0-9_.\-]*(?::[A-Za-z_][A-Za-z0-9_.\-]*)?"
_VALUE = rb"(?:\"[^\"<\t\n]*\"|'[^'<\t\n]*')"  # attribute values: no <, and no tab or newline lxml would normalise
_ATTR = re.compile(rb"[ \t\n]+(" + _NAME + rb")[ \t\n]*=[ \t\n]*(?:\"([^\"<\t\n]*)\"|'([^'<\t\n]*)')")
_ATTRS = rb"(?:[ \t\n]+" + _NAME + rb"[ \t\n]*=[ \t\n]*" + _VALUE + rb")*+" + _WS + rb"*+"
_TEXT = rb"[^<]*+"
# The split at "<c " ate the cell's first space: a piece starts with its first attribute's name.
_CELL = re.compile(
    rb"(?P<attrs>" + _NAME + rb"[ \t\n]*=[ \t\n]*" + _VALUE + _ATTRS + rb")"
    rb"(?:/>|>" + _WS + rb"*+"
    rb"(?:<f(?P<f_attrs>" + _ATTRS + rb")(?:/>|>(?P<f>" + _TEXT + rb")</f" + _WS + rb"*>)" + _WS + rb"*+)?+"
    rb"(?:(?P<v_tag><v)" + _WS + rb"*(?:/>|>(?P<v>" + _TEXT + rb")</v" + _WS + rb"*>)" + _WS + rb"*+)?+"
    rb"(?:(?P<is><is)" + _WS + rb"*>" + _WS + rb"*+<t(?P<t_attrs>" + _ATTRS + rb")(?:/>|>(?P<t>" + _TEXT + rb")</t" + _WS
    + rb"*>)" + _WS + rb"*+</is" + _WS + rb"*>" + _WS + rb"*+)?+"
    rb"</c" + _WS + rb"*>)",
)
_ROW_TAG = re.compile(rb"[ \t\n]*+(?:(</row[ \t\n]*>)|<row(" + _ATTRS + rb")(/?)>)")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,8})|#x([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_DECLARATION = re.compile(
    rb"<\?xml[ \t\n]+version=[\"']1\.[0-9][\"']"
    rb"(?:[ \t\n]+encoding=[\"'](?:[Uu][Tt][Ff]-8)[\"'])?(?:[ \t\n]+standalone=[\"'](?:yes|no)[\"'])?[ \t\n]*\?>")
_CLOSE = 0  # in a piece's row steps: the row ends; r > 0 a row opens, -r an empty row passes


class _Bad(Exception):
    """Outside the subset: lxml reads the part."""


def scan_cells(data: bytes, part: str, min_row: int, max_row: int) -> list[Record] | None:
    """The part's cells in rows min_row..max_row (by the row's r=, stopping at the first row below
    max_row, as the reading rules do), in document order; None when the part is outside the subset."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    inner = _split(data, part)
    if inner is None:
        return None
    global _decoder
    if codec.from_number_text is not _decoder:  # remembered numbers come from the decoder then in force
        _PIECES.clear()
        _SHAPES.clear()
        _decoder = codec.from_number_text
    prefixes = inner[1]
    pieces = inner[0].split(b"<c ")
    try:
        lead = _LEADS.get(pieces[0])
        if lead is None:
            used: set[str] = set()
            lead = (_row_steps(pieces[0], prefixes, used), _needs(used))
            if len(_LEADS) < _FRAMES_LIMIT and len(pieces[0]) <= _PIECE_BYTES:
                _LEADS[pieces[0]] = lead
        steps, needs = lead
        if needs is not None and not needs <= prefixes:
            raise _Bad
        out: list[Record] = []
        in_row, current, stopped = False, 0, False
        for k in range(len(pieces)):
            if k:
                entry = _PIECES.get(pieces[k])
                if entry is None:
                    entry = _shaped(pieces[k]) or _piece(pieces[k], prefixes)
                record, steps, needs = entry
                if needs is not None and not needs <= prefixes:  # checked where these were in scope
                    raise _Bad
                if not in_row:
                    raise _Bad
                if record is not None and not stopped and current >= min_row:
                    out.append(record)
            for step in steps:
                if step == _CLOSE:
                    if not in_row:
                        raise _Bad
                    in_row = False
                    continue
                if in_row:
                    raise _Bad
                if not stopped:
                    row = step if step > 0 else -step
                    if row > max_row:
                        stopped = True
                    current = row
                in_row = step > 0
        if in_row:
            raise _Bad
    except _Bad:
        return None
    return out


def _split(data: bytes, part: str) -> tuple[bytes, frozenset[str]] | None:
    """(sheetData's content, the prefixes in scope there), once the rest of the part passed lxml.

    Only two scans of the part per read: what could hide or change cells outside sheetData (a
    comment or CDATA around it, a second sheetData, another encoding) is judged once per distinct
    head and tail, and inside it the pieces' grammar has no room for "<!" or "<?"."""
    start = data.find(b"<sheetData")
    if start < 0:
        return None
    if data.startswith(b"<sheetData/>", start):
        head, inner, tail = data[:start], b"", data[start + len(b"<sheetData/>"):]
    elif data.startswith(b"<sheetData>", start):
        end = data.find(b"</sheetData>", start)
        if end < 0:
            return None
        head, inner, tail = data[:start], data[start + len(b"<sheetData>"):end], data[end + len(b"</sheetData>"):]
    else:
        return None
    frame = (head, tail)
    prefixes = _FRAMES.get(frame)
    if prefixes is None:
        prefixes = _frame_prefixes(head, tail, part)
        if prefixes is None:
            return None
        if len(_FRAMES) < _FRAMES_LIMIT and len(head) + len(tail) <= _FRAME_BYTES:
            _FRAMES[frame] = prefixes
    return inner, prefixes


_FRAMES: dict[tuple[bytes, bytes], frozenset[str]] = {}  # (head, tail) passed by lxml → prefixes in scope
# piece → (its cell, its row steps, the namespace prefixes it uses or None), and the same for what
# comes before the first cell; a piece remembered is good only where its prefixes are bound.
_PIECES: dict[bytes, tuple[Record | None, tuple[int, ...], frozenset[str] | None]] = {}
_LEADS: dict[bytes, tuple[tuple[int, ...], frozenset[str] | None]] = {}
# A piece with its <v> or <is><t> text cut out → which text it was, and its entry without it: every
# unit types its own numbers and names into the same cells, so most of a workbook's pieces are new
# while their shapes are the template's.
_SHAPES: dict[tuple[bytes, bytes], tuple[str, Record, tuple[int, ...], frozenset[str] | None]] = {}
_decoder = codec.from_number_text


def frame_root(head: bytes, marker: bytes, tail: bytes, part: str):
    """lxml's tree of a part's frame with a marker where the scanned pieces were; None for another encoding
    (the pieces are read as UTF-8), an odd declaration, or a frame lxml refuses (the reference path then
    raises the proper error)."""
    from xlperf.workbook.xmlsafe import parse_xml

    if head.startswith(b"<?") and _DECLARATION.match(head) is None:
        return None
    try:
        return parse_xml(head + marker + tail, part)
    except Exception:  # noqa: BLE001 - see above
        return None


def _frame_prefixes(head: bytes, tail: bytes, part: str) -> frozenset[str] | None:
    root = frame_root(head, b"<sheetData/>", tail, part)
    if root is None:
        return None
    # The reading rules take rows under any element whose tag ends so: ours must be the only one (not
    # one inside a comment, CDATA or a processing instruction, where it would be no element at all).
    found = [el for el in root.iter() if isinstance(el.tag, str) and el.tag.endswith("sheetData")]
    if len(found) != 1 or found[0].getparent() is None or len(found[0]) or found[0].text:
        return None
    return frozenset({p for p in found[0].nsmap if p is not None} | {"xml"})


def _piece(piece: bytes, prefixes: frozenset[str]) -> tuple[Record | None, tuple[int, ...], frozenset[str] | None]:
    m = _CELL.match(piece)
    if m is None or b"\r" in piece or b"]]>" in piece:  # lxml reads a CR as a newline; "]]>" is refused
        raise _Bad
    used: set[str] = set()
    attrs = _attrs(b" " + m["attrs"], prefixes, used)
    ref = attrs.get("r")
    if ref is None:
        raise _Bad
    row, col = _position(ref)
    f_attrs = _attrs(m["f_attrs"], prefixes, used) if m["f_attrs"] is not None else None
    if m["t_attrs"]:
        _attrs(m["t_attrs"], prefixes, used)  # checked only: xml:space changes nothing lxml reports
    # An empty <v></v>, <f></f> or <t></t> has no text, as lxml says (None), like <v/>. A cell with
    # none of them (a styled blank) is no record: the reading rules never look at it.
    empty = m["v_tag"] is None and m["is"] is None and f_attrs is None
    t = attrs.get("t") or "n"
    inline = None
    if m["is"] is not None:
        text = _text(m["t"]) if m["t"] else ""  # checked even where the type ignores it: lxml refuses a bad entity
        inline = decode_xstring(text) if t == "inlineStr" else None
    record = None if empty else Record(
        row, col, t,
        _text(m["v"]) if m["v"] else None,
        m["v_tag"] is not None,
        inline,
        (_text(m["f"]) if m["f"] else "") if f_attrs is not None else None,
        f_attrs.get("t") if f_attrs else None,
        f_attrs.get("si") if f_attrs else None,
    )
    if record is not None and t != "s" and record.f_t != "shared":
        record = record._replace(cell=_cell_of(record))
    steps = _row_steps(piece[m.end():], prefixes, used)
    entry = (record, steps, _needs(used))
    if len(piece) <= _PIECE_BYTES:
        if len(_PIECES) < _MEMO_LIMIT:
            _PIECES[piece] = entry
        split = _split_text(piece)
        if record is not None and split is not None and len(_SHAPES) < _MEMO_LIMIT:
            field = "v" if m.span("v") == split else "t" if m["is"] is not None and m.span("t") == split else None
            if field:
                blank = record._replace(v=None, cell=None) if field == "v" else record._replace(inline=None, cell=None)
                _SHAPES[piece[:split[0]], piece[split[1]:]] = (field, blank, steps, entry[2])
    return entry


def _split_text(piece: bytes) -> tuple[int, int] | None:
    """Where the piece's first element text lies: from the last ">" before the first "</" up to it."""
    end = piece.find(b"</")
    start = piece.rfind(b">", 0, end) + 1 if end > 0 else 0
    return (start, end) if start else None


def _shaped(piece: bytes) -> tuple[Record, tuple[int, ...], frozenset[str] | None] | None:
    """The entry of a piece whose shape is remembered, its own <v> or <t> text decoded; None if the
    shape is new (or the text is one a shape cannot vouch for).

    Why this gives _piece's answer: a shape is remembered from a piece the pattern read, as the bytes
    before and after the text its [^<]* group took. Any piece made of those same bytes around another
    text without "<" is read the same way, with that text in the group, and nothing else of the piece
    depends on it; a text holding no "<", ">" or CR puts no "]]>" or CR into the piece. How the text
    is found here only decides whether a shape is found.
    """
    split = _split_text(piece)
    shape = _SHAPES.get((piece[:split[0]], piece[split[1]:])) if split is not None else None
    if shape is None:
        return None
    raw = piece[split[0]:split[1]]
    if b"<" in raw or b"\r" in raw:
        return None
    field, blank, steps, needs = shape
    row, col, t, v, has_v, inline, f, f_t, f_si, _ = blank
    if field == "v":
        v = _text(raw) if raw else None
    elif t == "inlineStr":
        inline = decode_xstring(_text(raw) if raw else "")
    elif raw:
        _text(raw)  # checked only, as the full reading does
    # One construction (the hottest line of a read: most cells of a unit's workbook are new text in a
    # known shape), not a _replace per field.
    cell = _decoded(t, v, has_v, inline, f, row, col) if t != "s" and f_t != "shared" else None
    entry = (Record(row, col, t, v, has_v, inline, f, f_t, f_si, cell), steps, needs)
    if len(_PIECES) < _MEMO_LIMIT:  # the same text in the same cell again (a status, 是/否) is then a lookup
        _PIECES[piece] = entry
    return entry


def _cell_of(record: Record) -> Cell | None:
    return _decoded(record.t, record.v, record.has_v, record.inline, record.f, record.row, record.col)


def _decoded(t: str, v: str | None, has_v: bool, inline: str | None, f: str | None, row: int, col: int) -> Cell | None:
    try:  # (no shared strings: the caller leaves t="s" cells to read_cells)
        value = cell_value(t, v, has_v, inline, None, "", row, col)
    except Exception:  # noqa: BLE001 - read_cells decodes it again, and says what is wrong where
        return None
    return NOTHING if value is None and f is None else Cell(value, f)


def _needs(used: set[str]) -> frozenset[str] | None:
    used.discard("xml")  # bound everywhere
    return frozenset(used) if used else None


def _row_steps(text: bytes, prefixes: frozenset[str], used: set[str]) -> tuple[int, ...]:
    """The row tags between two cells as steps (see _CLOSE); only whitespace may lie between them."""
    if b"\r" in text:
        raise _Bad
    steps, pos, end = [], 0, len(text)
    while pos < end:
        m = _ROW_TAG.match(text, pos)
        if m is None:
            if text[pos:].strip(b" \t\n"):
                raise _Bad
            break
        pos = m.end()
        if m[1] is not None:
            steps.append(_CLOSE)
            continue
        r = _attrs(m[2], prefixes, used).get("r")
        if r is None or not r.isascii() or not r.isdigit() or len(r) > 8:
            raise _Bad  # no r= (rows are then counted), or one the reading rules refuse
        number = int(r)
        if not 1 <= number <= MAX_ROW:
            raise _Bad
        steps.append(-number if m[3] else number)
    return tuple(steps)


def _attrs(text: bytes, prefixes: frozenset[str], used: set[str]) -> dict[str, str]:
    """Attributes by qualified name; duplicates, unbound prefixes and namespace declarations are refused."""
    out: dict[str, str] = {}
    locals_: set[str] = set()
    for m in _ATTR.finditer(text):
        name = m[1].decode("ascii")
        prefix, _, local = name.rpartition(":")
        if name in out or name == "xmlns" or prefix == "xmlns" or (prefix and (prefix not in prefixes
                                                                               or local in locals_)):
            raise _Bad
        if prefix:
            locals_.add(local)
            used.add(prefix)
        raw = m[2] if m[2] is not None else m[3]
        out[name] = _text(raw)
    return out


def _text(raw: bytes) -> str:
    """Text or an attribute value as lxml gives it: UTF-8, the five named entities and character references."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Bad from None
    if "&" in text:
        pieces = _ENTITY.split(text)
        literal = "".join(pieces[0::4])  # the text between references
        if "&" in literal or ILLEGAL_XML_CHAR.search(literal):
            raise _Bad  # a bare &, an entity XML does not define, or a character it forbids
        out = [pieces[0]]
        for i in range(1, len(pieces), 4):
            named, dec, hexa = pieces[i:i + 3]
            if named:
                out.append(_NAMED[named])
            else:
                code = int(dec) if dec else int(hexa, 16)
                if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
                        or 0x10000 <= code <= 0x10FFFF):
                    raise _Bad
                out.append(chr(code))
            out.append(pieces[i + 3])
        return "".join(out)
    if ILLEGAL_XML_CHAR.search(text):
        raise _Bad
    return text


def _position(ref: str) -> tuple[int, int]:
    from xlperf.workbook.sheetread import position

    try:
        return position(ref, "")
    except Exception:  # noqa: BLE001 - a ref the reading rules refuse: they say so
        raise _Bad from None
