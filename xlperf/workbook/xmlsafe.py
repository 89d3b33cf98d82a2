"""The one hardened XML parser for package parts: no DTDs, no entities, no network, bounded trees."""

from __future__ import annotations

import threading
from typing import Iterator

from lxml import etree

_BOM8 = b"\xef\xbb\xbf"
_PROLOG_SCAN = 1 << 20


def _error(code: str, part: str):
    # package.py owns the message table and imports this module, so import it late.
    from xlperf.workbook.problems import workbook_error

    return workbook_error(code, part=part)


def _prolog_text(data: bytes) -> str:
    head = data[:_PROLOG_SCAN]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", "ignore")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", "ignore")
    return head.decode("latin-1")


def has_doctype(data: bytes) -> bool:
    """True if a DOCTYPE appears in the prolog (before the root element), whatever it declares."""
    text = _prolog_text(data).lstrip("\ufeff\xef\xbb\xbf")
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos)
            if end >= 0:
                end += 1  # "-->" is one longer than "?>"
        else:
            return text[pos : pos + 9].upper() == "<!DOCTYPE"
        if end < 0:
            return False
        pos = end + 2


def _parser_options() -> dict:
    # collect_ids=False: no table of xml:id values, which nothing here looks up (a quarter of a sheet's parse).
    return dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False,
                collect_ids=False)


_LOCAL = threading.local()


def _parser() -> etree.XMLParser:
    """One parser with these options per thread: making one costs more than parsing a small part, and
    an lxml parser may be reused, though never by two threads at once."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.XMLParser(**_parser_options())
    return parser


# Parts up to this size are parsed in one C call and walked in memory (the tree costs a few times
# the part); larger ones are streamed row by row, so their memory follows what is kept.
WHOLE_PART = 1 << 20


def children(data: bytes, part: str, tag: str, parent_tag: str) -> Iterator[etree._Element]:
    """The <tag> children of <parent_tag> elements in document order: parsed at once when the part is
    small, streamed (each dropped once passed) when it is large. Same refusals either way."""
    if len(data) > WHOLE_PART:
        yield from iter_children(data, part, tag, parent_tag)
        return
    root = parse_xml(data, part)  # on first use, as the stream would: an unused part is never parsed
    for el in root.iter("{*}" + tag):
        parent = el.getparent()
        if parent is not None and isinstance(parent.tag, str) and parent.tag.endswith(parent_tag):
            yield el


def iter_rows(data: bytes, part: str):
    """A worksheet's <row> elements one by one, each dropped after the caller moves on (bounded memory)."""
    return iter_children(data, part, "row", "sheetData")


def iter_children(data: bytes, part: str, tag: str, parent_tag: str):
    """The <tag> children of <parent_tag> elements one by one, each dropped once the caller moves on.

    The same refusals as parse_xml: DOCTYPEs are XML_UNSAFE, malformed XML is XML_BROKEN.
    """
    import io

    if has_doctype(data):
        raise _error("XML_UNSAFE", part)
    if data.startswith(_BOM8):
        data = data[3:]
    events = etree.iterparse(io.BytesIO(data), events=("end",), tag="{*}" + tag, **_parser_options())
    try:
        for _, el in events:
            parent = el.getparent()
            if parent is None or not isinstance(parent.tag, str) or not parent.tag.endswith(parent_tag):
                continue
            yield el
            el.clear()
            while el.getprevious() is not None:  # the ones already read
                del parent[0]
        root = events.root
    except (etree.LxmlError, ValueError):
        raise _error("XML_BROKEN", part) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _error("XML_UNSAFE", part)


def parse_xml(data: bytes, part: str) -> etree._Element:
    """Parse one part; DOCTYPEs are refused outright (XML_UNSAFE), malformed XML is XML_BROKEN naming the part."""
    if has_doctype(data):
        raise _error("XML_UNSAFE", part)
    if data.startswith(_BOM8):
        data = data[3:]
    try:
        root = etree.fromstring(data, _parser())
    except (etree.LxmlError, ValueError):
        raise _error("XML_BROKEN", part) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _error("XML_UNSAFE", part)
    return root
