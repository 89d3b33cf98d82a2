"""Which keys an earlier file showed: what lets a per-process memo hold only what units share.

A batch worker reads thousands of units. Their template's parts, strings and common figures recur
from file to file; each unit's own figures, strings and (in a workbook saved again by a spreadsheet
program) whole sheets never come back. A memo that held everything it met would grow with each file
until its cap, so a worker's peak memory would rise with the batch's length. So a memo asks
``worth_holding(key)`` before it holds an answer: yes for whatever the process's first file brings
(its template comes with it), after that only for a key an earlier file showed. Repeats within one
file do not count (a fill reads some sheets twice). A key not held costs two bits; a collision can
only make an answer held, never a wrong one returned, as every memo keys by the whole key.

Used by the memos of whole parts (inflatememo, partmemo), of shared strings (stringscan) and of
small calls (memo.remembered). The sheet scanner's and the byte patch's memos of cells do not ask:
they are capped at a few megabytes and full within the first hundred or so files, and asking there
was measured to cost 2-5 % of a fill (each recurring cell worked out twice) for about 4 MB.
"""

from __future__ import annotations

from typing import Hashable

# Earlier files' sightings as bits of one fixed bitmap (a Bloom filter, two bits a key): its size
# never changes, so it is the same at the 10th file as at the 10,000th, and it remembers hundreds of
# files back. Keys that set the same bits only make an answer held, never a wrong one returned.
_BITS = 1 << 21  # 256 KB
_MASK = _BITS - 1
_FULL = _BITS // 16  # bits set before it starts afresh: a new key then passes by mistake once in 250
_PER_FILE = 16_384  # sightings recorded per file; a file with more records its first ones

_earlier = bytearray(_BITS // 8)
_set = 0  # bits set in _earlier
_now: set[int] = set()  # this file's sightings, as the bits they set
_files = 0  # files begun in this process (Package.open)
_this_file: list[dict] = []  # memos of answers kept for the file in hand only (for_this_file)


def worth_holding(key: Hashable) -> bool:
    """Whether a memo may hold the answer for ``key``: it is the process's first file, or an earlier
    file showed the key. Otherwise the sighting is recorded for the files after this one."""
    if _files <= 1:
        return True
    h = hash(key)  # bytes cache their hash: the memo's own look-up has paid for it
    one, two = h & _MASK, (h >> 32) & _MASK
    if _earlier[one >> 3] & (1 << (one & 7)) and _earlier[two >> 3] & (1 << (two & 7)):
        return True
    if len(_now) < _PER_FILE:
        _now.add(one)
        _now.add(two)
    return False


def for_this_file() -> dict:
    """A dict emptied whenever another file is begun: for answers ``worth_holding`` refused that the
    file in hand may ask for again (a unit's figure is read, checked and written more than once)."""
    held: dict = {}
    _this_file.append(held)
    return held


def next_file() -> None:
    """Another file is being read: what this one showed counts as earlier from now on."""
    global _files, _set
    _files += 1
    for held in _this_file:
        held.clear()
    if _set + len(_now) > _FULL:
        _earlier[:] = bytes(len(_earlier))
        _set = 0
    for bit in _now:
        mask = 1 << (bit & 7)
        if not _earlier[bit >> 3] & mask:
            _earlier[bit >> 3] |= mask
            _set += 1
    _now.clear()


def reset() -> None:
    """As in a fresh process: the next file begun is the first."""
    global _files, _set
    _files = 0
    _earlier[:] = bytes(len(_earlier))
    _set = 0
    _now.clear()
    for held in _this_file:
        held.clear()
