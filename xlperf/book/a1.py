"""Pure A1-address helpers: column letters, cell references and ranges (1-based rows and columns)."""

from __future__ import annotations

import re
from functools import lru_cache

MAX_ROW = 1_048_576
MAX_COL = 16_384

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


# Every workbook names the same template cells, so answers are remembered per process. Only exact
# int / str arguments reach a memo: True must not pass as 1, and a non-str ref must raise ValueError,
# not lru_cache's TypeError. Errors are never remembered.
_MEMO = 20_000  # entries per memo: a few MB at most; a template names a few thousand cells


def col_letter(col: int) -> str:
    """1 -> "A", 27 -> "AA", 16384 -> "XFD"."""
    return _col_letter(col) if type(col) is int else _col_letter_checked(col)


def _col_letter_checked(col: int) -> str:
    if isinstance(col, bool) or not isinstance(col, int) or not 1 <= col <= MAX_COL:
        raise ValueError(f"column out of range: {col!r}")
    n, letters = col, ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_col_letter = lru_cache(maxsize=MAX_COL)(_col_letter_checked)


def col_index(letters: str) -> int:
    """"A" -> 1, "aa" -> 27; "$" prefixes are allowed."""
    text = letters.lstrip("$").upper() if isinstance(letters, str) else ""
    if not 1 <= len(text) <= 3 or not text.isascii() or not text.isalpha():
        raise ValueError(f"not a column: {letters!r}")
    col = 0
    for ch in text:
        col = col * 26 + ord(ch) - 64
    if col > MAX_COL:
        raise ValueError(f"column out of range: {letters!r}")
    return col


def to_a1(row: int, col: int) -> str:
    return _to_a1(row, col) if type(row) is int and type(col) is int else _to_a1_checked(row, col)


def _to_a1_checked(row: int, col: int) -> str:
    if isinstance(row, bool) or not isinstance(row, int) or not 1 <= row <= MAX_ROW:
        raise ValueError(f"row out of range: {row!r}")
    return f"{col_letter(col)}{row}"


_to_a1 = lru_cache(maxsize=_MEMO)(_to_a1_checked)


def from_a1(ref: str) -> tuple[int, int]:
    """"$B$3" -> (3, 2)."""
    m = _CELL.match(ref) if isinstance(ref, str) else None
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    row = int(m.group(2))
    if not 1 <= row <= MAX_ROW:
        raise ValueError(f"row out of range: {ref!r}")
    return row, col_index(m.group(1))


def parse_range(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """"A1:C5" -> ((1, 1), (5, 3)); a single cell gives the same corner twice; corners are normalised."""
    return _remembered_range(ref) if type(ref) is str else _parse_range(ref)


def _parse_range(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    if not isinstance(ref, str):
        raise ValueError(f"not a range: {ref!r}")
    parts = ref.split(":")
    if len(parts) == 1:
        cell = from_a1(parts[0])
        return cell, cell
    if len(parts) != 2:
        raise ValueError(f"not a range: {ref!r}")
    (r1, c1), (r2, c2) = from_a1(parts[0]), from_a1(parts[1])
    return (min(r1, r2), min(c1, c2)), (max(r1, r2), max(c1, c2))


_remembered_range = lru_cache(maxsize=_MEMO)(_parse_range)
