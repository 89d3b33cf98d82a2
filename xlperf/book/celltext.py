"""Text as one Excel cell holds it: Excel's length limit, literal _xHHHH_ protected, control characters escaped.

Pure (re only), so every book — the zip package, Excel through xlwings, xlwings Lite in Pyodide —
writes output text through the same rule.
"""

from __future__ import annotations

import re

MAX_TEXT = 32_767  # Excel's cell text limit; longer text makes Excel "repair" the file
# Characters XML 1.0 forbids: the complement of [\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff], spelled
# positively because the negated class with an astral range takes ~3 ms to compile (on every CLI start).
ILLEGAL_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone half: no cell can hold it, reading yields U+FFFD
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def clean_text(text: str) -> str:
    """Text as stored: literal _xHHHH_ protected from decoding, XML-illegal characters written as _xHHHH_.

    Excel writes a control character in a cell the same way, and the reader decodes it back, so what
    is written and what verify reads agree for every character a cell can hold.
    """
    if not text.isascii():  # (ASCII holds no surrogate)
        text = _SURROGATE.sub("\ufffd", text)
    if len(text) > MAX_TEXT:
        raise ValueError(f"text longer than {MAX_TEXT} characters")
    if "_x" in text:
        text = _LOOKS_ESCAPED.sub("_x005F_", text)
    return ILLEGAL_XML_CHAR.sub(lambda m: f"_x{ord(m.group()):04X}_", text) if ILLEGAL_XML_CHAR.search(text) else text
