"""Text bound for a terminal: a workbook's strings must not drive it.

A unit name may carry ESC, CSI or OSC sequences (written in the file as ``_x001B_``): printed raw
they recolour, retitle or rewrite the operator's terminal. Every control character (C0 except tab
and newline, DEL, C1), the line/paragraph separators and the bidirectional overrides are shown as
``\\uXXXX``, which is also a valid escape inside JSON strings, so ``--json`` output stays JSON.
"""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from typing import TextIO

# A translation table, not a regex: compiling one costs a CLI run ~1 ms. UNSAFE is also what a message keeps
# off its line (engine/messages.one_line, which escapes the newline too).
UNSAFE = (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029,
          *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_TABLE = {cp: f"\\u{cp:04x}" for cp in UNSAFE}


def escape(text: str) -> str:
    return text.translate(_TABLE)


class SafeStream:
    """A text stream whose writes are escaped; everything else goes to the wrapped stream."""

    def __init__(self, inner: TextIO):
        self._inner = inner

    def write(self, text: str) -> int:
        return self._inner.write(escape(text))

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@contextmanager
def safe_streams():
    """sys.stdout and sys.stderr escaped (SafeStream) for the block. A lone surrogate (a file name's stray
    byte, see pathtext.py), which no UTF-8 stream takes as it is, is written by the stream's own error
    handler as ``\\udcNN``, a JSON escape too: JSON readers get the very name back, and text for people has
    been through pathtext.shown_path before."""
    out, err = sys.stdout, sys.stderr
    restore = [(stream, previous) for stream in (out, err)
               if (previous := _set_errors(stream, "backslashreplace")) is not None]
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
        for stream, previous in restore:
            _set_errors(stream, previous)


def _set_errors(stream, errors: str) -> str | None:
    """Set a text stream's encoding error handler; the one it had, or None where there is none to set."""
    previous = getattr(stream, "errors", None)
    if previous is None:
        return None
    try:
        stream.reconfigure(errors=errors)
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return None
    return previous


def unwrap(stream):
    """The stream under a SafeStream: for a progress bar, whose own control sequences must pass and
    whose every piece of workbook text was escaped already."""
    return stream._inner if isinstance(stream, SafeStream) else stream
