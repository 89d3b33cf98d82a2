"""The shared strings table straight from its bytes, without building a tree, or None to let lxml read it.

Why: Excel, WPS and LibreOffice keep a workbook's text in xl/sharedStrings.xml, often as rich text (a
run per font), and a fill reads most of it (the evaluator's sheet refers to its last strings). Parsing
it into a tree and walking every <si> cost a LibreOffice-saved unit nearly half its fill. Here the
table is split at each ``<si>`` and each piece (one string) is checked against a strict subset of XML
once per process: a piece seen before is known good and known in meaning, and every unit from one
template repeats the template's labels.

The answer must be lxml's reading (cellvalues.rich_text of each <si>) or none at all, as in
sheetscan.py, whose text rules this shares. A piece holds <t> elements and <r> runs (each an optional
<rPr> of empty elements and one <t>), then any phonetic runs and properties, which the reading skips;
a <t> may carry xml:space. No prefixes, comments, CDATA, processing instructions, entity or character
references outside text, or carriage returns. Everything outside the strings is judged by lxml itself, once per distinct head and
tail. Anything else returns None, and the reference path reads the part, with its errors.
"""

from __future__ import annotations

import re

from xlperf.workbook.cellvalues import decode_xstring
from xlperf.workbook.sheetscan import _Bad, _text, frame_root  # the sheet scanner's subset rules
from xlperf.sightings import worth_holding

# What a process remembers, bounded in bytes and in the size of each piece, so a hostile table cannot grow
# a batch worker: a template's table holds hundreds of strings, a rich-text note (a run per font) up to ~8 KB.
_HELD_LIMIT = 8 << 20  # bytes of pieces held; past it the memo starts afresh
_PIECE_BYTES = 16 << 10
_FRAMES_LIMIT = 64  # heads and tails (one per template and writer)
_FRAME_BYTES = 64 << 10

_WS = rb"[ \t\n\r]*+"  # possessive throughout: the patterns run over every new string, some kilobytes long
_VALUE = rb"(?:\"[^\"<&\t\n]*+\"|'[^'<&\t\n]*+')"  # no entity, and no tab or newline lxml would normalise
_ATTRS = rb"(?:[ \t\n\r]++[A-Za-z]++" + _WS + rb"=" + _WS + _VALUE + rb")*+" + _WS
_T = rb"<t(?:[ \t\n\r]++xml:space" + _WS + rb"=" + _WS + _VALUE + rb")?+" + _WS + rb"(?:/>|>([^<]*+)</t" + _WS + rb">)"
_EMPTY = rb"<[A-Za-z]++" + _ATTRS + rb"/>"  # an <rPr> child: an empty element of plain attributes
_RPR = rb"<rPr" + _WS + rb"(?:/>|>(?:" + _WS + _EMPTY + rb")*+" + _WS + rb"</rPr" + _WS + rb">)"
_RUN = rb"<r" + _WS + rb">" + _WS + rb"(?:" + _RPR + _WS + rb")?+" + _T + _WS + rb"</r" + _WS + rb">"
_ITEM = rb"(?:" + _T + rb"|" + _RUN + rb")"  # what the string is made of: its <t>, or a run's
# After them, what the reading skips: phonetic runs (Japanese readings) and Excel's phonetic properties,
# which Excel in a Chinese locale writes after nearly every string.
_PHONETIC = (rb"(?:<rPh" + _ATTRS + rb">" + _WS + rb"(?:" + _ITEM + _WS + rb")*+</rPh" + _WS + rb">" + _WS + rb")*+"
             rb"(?:<phoneticPr" + _ATTRS + rb"/>" + _WS + rb")?+")
_PIECE = re.compile(_WS + rb"((?:" + _ITEM + _WS + rb")*+)" + _PHONETIC + rb"</si" + _WS + rb">" + _WS)
_ITEMS = re.compile(_ITEM)  # over the string's part only: a <t> inside a phonetic run is not read

# An element with two attributes or more (only an <rPr> child can have them): lxml refuses a name given twice.
_SEVERAL_ATTRS = re.compile(rb"<[A-Za-z]++((?:[ \t\n\r]++[A-Za-z]++" + _WS + rb"=" + _WS + _VALUE + rb"){2,}+)")
_ATTR_NAME = re.compile(rb"([A-Za-z]++)" + _WS + rb"=")

_PIECES: dict[bytes, str] = {}  # piece → its string, as rich_text gives it
_held = 0  # bytes of the pieces in _PIECES
_FRAMES: set[tuple[bytes, bytes]] = set()  # (head, tail) that lxml read with one marker string between


def scan_strings(data: bytes, part: str) -> list[str] | None:
    """Every string of the table in order, as the reference reading gives them; None when the part is
    outside the subset (or holds no string: the reference path then reads it, as ever)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first, last = data.find(b"<si>"), data.rfind(b"</si")
    if first < 0 or last < first:
        return None
    end = data.find(b">", last) + 1
    if end <= 0:
        return None
    head, inner, tail = data[:first], data[first + 4:end], data[end:]
    if (head, tail) not in _FRAMES:
        if not _frame_ok(head, tail, part):
            return None
        if len(_FRAMES) < _FRAMES_LIMIT and len(head) + len(tail) <= _FRAME_BYTES:
            _FRAMES.add((head, tail))
    global _held
    out = []
    try:
        for piece in inner.split(b"<si>"):
            text = _PIECES.get(piece)
            if text is None:
                text = _piece(piece)
                if len(piece) <= _PIECE_BYTES and worth_holding(piece):
                    if _held + len(piece) > _HELD_LIMIT:
                        _PIECES.clear()
                        _held = 0
                    _PIECES[piece] = text
                    _held += len(piece)
            out.append(text)
    except _Bad:
        return None
    return out


def _frame_ok(head: bytes, tail: bytes, part: str) -> bool:
    """lxml reads head + one marker string + tail as an <sst> whose only string is the marker."""
    root = frame_root(head, b"<si/>", tail, part)
    if root is None:
        return False
    found = list(root.iter("{*}si"))
    # The marker must be a real element right under the table (not inside a comment or CDATA the head
    # opens), and no other <si> may hide in the head or the tail (the reference reads every one).
    return (isinstance(root.tag, str) and root.tag.endswith("sst") and len(found) == 1
            and found[0].getparent() is root)


def _piece(piece: bytes) -> str:
    """One <si>'s string, from the bytes after its "<si>" up to the next one."""
    if b"]]>" in piece:  # refused in text
        raise _Bad
    m = _PIECE.fullmatch(piece)
    if m is None:
        raise _Bad
    texts = [item[1] if item[1] is not None else item[2] for item in _ITEMS.finditer(m[1])]
    if any(t and b"\r" in t for t in texts):
        raise _Bad  # lxml reads a CR in text as a newline (between elements it is only white space)
    for attrs in _SEVERAL_ATTRS.findall(piece):
        names = _ATTR_NAME.findall(attrs)
        if len(set(names)) != len(names):
            raise _Bad
    try:
        piece.decode("utf-8")  # attribute values too: lxml refuses a part that is not UTF-8 anywhere
    except UnicodeDecodeError:
        raise _Bad from None
    _text(piece.replace(b"<", b" ").replace(b">", b" ").replace(b"&", b" "))  # no character XML forbids
    return "".join(decode_xstring(_text(t)) if t else "" for t in texts)
