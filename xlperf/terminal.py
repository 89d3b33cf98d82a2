"""Text bound for a terminal: a workbook's strings must not drive it.

A unit name may carry ESC, CSI or OSC sequences (written in the file as ``_x001B_``): printed raw
they recolour, retitle or rewrite the operator's terminal. Every control character (C0 except tab
and newline, DEL, C1), the line/paragraph separators and the bidirectional overrides are shown as
``\\uXXXX``, which is also a valid escape inside JSON strings, so ``--json`` output stays JSON.
"""

from __future__ import annotations

import re
from typing import TextIO

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape(text: str) -> str:
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
