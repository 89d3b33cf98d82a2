"""The audit stamp: a column of key → value cells under the defined name xo_stamp.

Read and written through the book interface in one block each, so every implementation (zip
package, memory, Excel) shares it. The keys sit one column left of the values, written by the
template; only the values are xlperf's.
"""

from __future__ import annotations

from .layout import STAMP_KEYS, STAMP_NAME
from .protocol import Area, Book


def stamp_area(book: Book) -> Area | None:
    """Where the stamp's values go; None when the workbook has no stamp name."""
    at = book.defined_names().get(STAMP_NAME)
    if at is None:
        return None
    return Area(at.sheet, at.top, at.left, at.top + len(STAMP_KEYS) - 1, at.left)


def read_stamp(book: Book) -> dict[str, str]:
    """The stamp as text by key ({} when there is no stamp name; "" for an empty value)."""
    from .outputs import canon

    area = stamp_area(book)
    if area is None:
        return {}
    rows = book.read(area)
    return {key: canon(row[0]) for key, row in zip(STAMP_KEYS, rows)}


def write_stamp(book: Book, values: dict[str, str]) -> None:
    """Write the stamp values (missing keys empty) in one block; nothing when there is no stamp name."""
    area = stamp_area(book)
    if area is not None:
        book.write(area.sheet, area.first, [[values.get(key, "")] for key in STAMP_KEYS])
