"""A member's content remembered per process by its compressed bytes, once those bytes come back.

Units filled from one template share many members byte for byte, compressed as well: the tables,
the relationships, the workbook part and, in a workbook never filled before, the output sheets (the
largest parts). Inflating the same compressed bytes always gives the same content, so a hit returns
what inflating would, and the same bytes object each time: the memos keyed by a part's content
(partmemo) then find it without hashing or comparing it again.

Only bytes an earlier file showed too are held (or the process's first file's: sightings.py), so a
unit's own sheets are not, however often one fill reads them; bytes not held cost one hash. The
key holds the whole compressed bytes with the declared CRC, size and method, so a hash collision
can only make a part held, never answer for another one. Only inflations that passed every check are held.
"""

from __future__ import annotations

from typing import Callable

from xlperf.workbook.partmemo import MAX_PART  # larger members (compressed or inflated) are inflated every time
from xlperf.sightings import worth_holding

MAX_HELD = 8 << 20  # bytes held (keys and contents); past it the memo starts afresh

_held: dict[tuple[bytes, int, int, int], bytes] = {}
_held_bytes = 0


def inflated(data: bytes | memoryview, crc: int, size: int, method: int,
             inflate: Callable[[bytes | memoryview], bytes]) -> bytes:
    """inflate(data), or its earlier result for these exact compressed bytes, CRC, size and method."""
    global _held_bytes
    if len(data) > MAX_PART or size > MAX_PART:
        return inflate(data)
    raw = bytes(data)  # the key: small members only, copied once
    key = (raw, crc, size, method)
    found = _held.get(key)
    if found is not None:
        return found
    out = inflate(raw)  # raises for a corrupt member: nothing is recorded
    if not worth_holding(key):
        return out
    if _held_bytes + len(raw) + len(out) > MAX_HELD:
        _held.clear()
        _held_bytes = 0
    _held[key] = out
    _held_bytes += len(raw) + len(out)
    return out


def clear() -> None:
    global _held_bytes
    _held.clear()
    _held_bytes = 0
