"""openpyxl writes every non-ASCII character of a sheet as a character reference (评 as &#35780;).

A Chinese template is mostly such text, so its sheets come out two to three times the size of the
same XML in UTF-8, and every reader pays for the difference on every unit's workbook: inflating,
parsing, patching and deflating again. ``compact_sheets`` writes those characters as UTF-8 instead.
The XML means exactly the same (equal canonical forms); references to ASCII characters (&#13;, a CR
that must stay one) and to characters that cannot stand literally are kept as they are.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

_REF = re.compile(rb"&#([0-9]{1,7});")
_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def _literal(match: re.Match) -> bytes:
    code = int(match.group(1))
    # Below 0x80 a reference may be load-bearing (a CR, a quote in an attribute); the rest are not
    # XML characters at all, so they stay as written (a parser refuses them either way).
    if code < 0x80 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF) or code > 0x10FFFF:
        return match.group(0)
    return chr(code).encode("utf-8")


def compact_xml(data: bytes) -> bytes:
    """``data`` with references to non-ASCII characters written as UTF-8, when the part is plain
    UTF-8 XML; anything else (another encoding, a comment, CDATA or DOCTYPE, where &# may not be a
    reference) is returned unchanged."""
    if b"&#" not in data or b"<!" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data
    declared = _DECLARATION.match(data.lstrip(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return data
    return _REF.sub(_literal, data)


def compact_sheets(path: str | Path) -> None:
    """Every worksheet part of the package at ``path`` compacted in place (members, order and
    compression kept; written to a temporary file beside it, then renamed)."""
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    tmp = path.with_name(path.name + ".compacting")
    try:
        with zipfile.ZipFile(tmp, "w") as out:
            for info, data in members:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    data = compact_xml(data)
                out.writestr(info, data, compress_type=info.compress_type)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
