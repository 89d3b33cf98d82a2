"""Messages on a batch worker's two pipes, either way: a length, then a pickle.

Only the parent ever unpickles what a worker sends, and a worker only what its own parent sends.
"""

from __future__ import annotations

import os
import pickle
import struct

HEADER = struct.Struct("<I")  # a frame's length in bytes, before its pickle


def frame(message: tuple) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def write_frame(fd: int, message: tuple) -> None:
    view = memoryview(frame(message))
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int) -> tuple | None:
    """The next message, blocking; None once the other end has closed the pipe."""
    head = _read_exactly(fd, HEADER.size)
    if head is None:
        return None
    data = _read_exactly(fd, HEADER.unpack(head)[0])
    return None if data is None else pickle.loads(data)


def _read_exactly(fd: int, n: int) -> bytes | None:
    parts, left = [], n
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)
