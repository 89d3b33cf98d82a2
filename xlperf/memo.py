"""A per-process memo for a pure function that holds only small calls.

Batch workers fill thousands of files from strangers: remembering every answer keyed by a cell's text
would let one hostile file (a 30,000-digit number, a megabyte target text) grow a worker. Calls the
``small`` test refuses are worked out every time and never held.
"""

from __future__ import annotations

from functools import lru_cache, wraps
from typing import Callable


def remembered(maxsize: int, small: Callable[..., bool]):
    """lru_cache(maxsize) for the calls whose arguments ``small`` accepts; cache_info and cache_clear kept."""
    def wrap(fn):
        held = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(*args):
            return held(*args) if small(*args) else fn(*args)

        call.cache_info, call.cache_clear = held.cache_info, held.cache_clear
        return call

    return wrap
