"""Text as one Excel cell holds it: XML-illegal characters dropped, Excel's length limit, _xHHHH_ kept literal.

Pure (re only), so every book — the zip package, Excel through xlwings, xlwings Lite in Pyodide —
writes output text through the same rule.
"""

from __future__ import annotations

import re

MAX_TEXT = 32_767  # Excel's cell text limit; longer text makes Excel "repair" the file
# Characters XML 1.0 forbids: the complement of [\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff], spelled
# positively because the negated class with an astral range takes ~3 ms to compile (on every CLI start).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def clean_text(text: str) -> str:
    """Text as Excel will show it: XML-illegal characters dropped, literal _xHHHH_ protected from decoding."""
    text = _ILLEGAL.sub("", text)
    if len(text) > MAX_TEXT:
        raise ValueError(f"text longer than {MAX_TEXT} characters")
    return _LOOKS_ESCAPED.sub("_x005F_", text)
