"""A per-process memo for a pure function that holds only small calls, and only those that recur.

Batch workers fill thousands of files from strangers: remembering every answer keyed by a cell's text
would let one hostile file (a 30,000-digit number, a megabyte target text) grow a worker. Calls the
``small`` test refuses are worked out every time and never held. Of the rest, an answer is held for
good once an earlier file showed the same call (sightings.py), and otherwise for the file in hand
only: each unit's own figures would fill the memo up to its size, so a worker's memory would rise
with the batch's length.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable, NamedTuple

from .sightings import for_this_file, worth_holding


class CacheInfo(NamedTuple):
    maxsize: int
    currsize: int


def remembered(maxsize: int, small: Callable[..., bool]):
    """A memo of at most ``maxsize`` answers (started afresh when full) for the calls whose arguments
    ``small`` accepts and that recur; ``cache_info`` and ``cache_clear`` as functools' caches have."""
    def wrap(fn):
        held: dict[tuple, object] = {}
        this_file = for_this_file()  # the file's own figures: asked for again within it, never after
        missing = object()

        @wraps(fn)
        def call(*args):
            if not small(*args):
                return fn(*args)
            found = held.get(args, missing)
            if found is missing:
                found = this_file.get(args, missing)
                if found is missing:
                    found = fn(*args)
                    if worth_holding(args):
                        if len(held) >= maxsize:
                            held.clear()
                        held[args] = found
                    elif len(this_file) < maxsize:
                        this_file[args] = found
            return found

        def clear() -> None:
            held.clear()
            this_file.clear()

        call.cache_info = lambda: CacheInfo(maxsize, len(held) + len(this_file))
        call.cache_clear = clear
        return call

    return wrap
