"""What a structural part says, remembered per process by its exact bytes.

Copies of one template share their relationships, content types, workbook part and table parts
byte for byte, so a batch worker (or any process filling many files) parses each such part once.
An answer is held only for bytes an earlier file showed too (or the process's first file: see
sightings.py), so a unit's own parts, such as sheets a spreadsheet program saved again, are not.
The key is the part's whole content (plus what the answer depends on, such as the source of a
.rels), so a hit returns exactly what parsing would; other bytes are parsed as usual. Only the
answers of successful parses are kept, and they are immutable; a refused part is refused again
for the next file. Every part read is size-checked per file, and inflated and CRC-checked unless
the very same compressed bytes, CRC and size passed before (inflatememo); a member only copied has
its CRC check remembered by its stored bytes, declared CRC and size.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from xlperf.sightings import worth_holding

T = TypeVar("T")

MAX_PART = 1 << 18  # larger parts are parsed every time: no memo holds a big part
MAX_HELD = 16 << 20  # bytes of keys held; past it the memo starts afresh

_memo: dict[tuple, object] = {}
_held = 0


def remember(kind: str, data: bytes, compute: Callable[[], T], *more: object, weight: int = 1) -> T:
    """compute(), or what it returned before for these exact bytes (and ``more``).

    ``weight``: about how many times the key's size the answer holds (counted against MAX_HELD).
    """
    global _held
    if len(data) > MAX_PART:
        return compute()
    key = (kind, data, *more)
    found = _memo.get(key)
    if found is None:
        found = compute()
        if not worth_holding(key):  # a unit's own part (sightings.py): parsed for this file only
            return found
        cost = len(data) * weight
        if _held + cost > MAX_HELD:
            _memo.clear()
            _held = 0
        _memo[key] = found
        _held += cost
    return found  # type: ignore[return-value]


def clear() -> None:
    global _held
    _memo.clear()
    _held = 0
