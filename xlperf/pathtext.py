"""File and folder names from the system, as text that every output can hold.

On Linux a name is bytes, and Python hands over one that is not UTF-8 with each stray byte as a lone
surrogate (U+DC80–U+DCFF, PEP 383): exact for opening the file, but no UTF-8 file, terminal or
workbook can hold it. Such names are common where xlperf runs: a zip archive made on Chinese Windows
stores its names in GBK, and unzip on a server writes those bytes as they are.

- For people (summaries, messages, the terminal): ``shown_path`` reads each part of the path that is
  not UTF-8 as GB18030 (the superset of GBK) where it reads so ("单位A.xlsx"), else shows its stray
  bytes as ``\\xNN``.
- For JSON (``--json``, the batch's record): the lone surrogates go out as ``\\udcNN`` escapes, which
  JSON readers read back to the very same name (terminal.safe_streams, and the record's error handler).
- ``plain_text``: the last guard of a UTF-8 output, for text that may still carry one.
"""

from __future__ import annotations

import os
import re

# Patterns compiled on first use (re keeps them): most runs never meet such a name, and every CLI run imports this.
_STRAY = "[\ud800-\udfff]"


def shown_path(path: str | os.PathLike) -> str:
    text = os.fspath(path)
    if not _has_stray(text):
        return text
    return "".join(_shown_part(part) for part in re.split(r"([/\\])", text))


def _has_stray(text: str) -> bool:
    """Whether text holds a lone surrogate: what no UTF-8 output can take (asked of the encoder, in C)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _shown_part(part: str) -> str:
    if not _has_stray(part):
        return part
    try:
        raw = part.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte became (a broken UTF-16 name on Windows)
        return plain_text(part)
    runs = re.split(rb"([\x00-\x7f]+)", raw)  # non-ASCII runs at even places
    if not any(run and _utf8(run) for run in runs[::2]):
        try:
            return raw.decode("gb18030")  # a name wholly in GBK, even its characters with an ASCII second byte
        except UnicodeDecodeError:
            pass
    # Both kinds in one name (xlperf's own "-已评分" after a GBK name): each run of non-ASCII bytes by itself.
    return "".join(run.decode("ascii") if k % 2 else _shown_run(run) for k, run in enumerate(runs))


def _utf8(run: bytes) -> bool:
    try:
        run.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _shown_run(run: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return run.decode(encoding)
        except UnicodeDecodeError:
            pass
    return run.decode("utf-8", "backslashreplace")


def plain_text(text: str) -> str:
    """text with each lone surrogate shown: a stray byte as ``\\xNN``, any other as ``\\uXXXX``."""
    return re.sub(_STRAY, _escaped, text) if _has_stray(text) else text


def _escaped(match: re.Match) -> str:
    cp = ord(match.group())
    return f"\\x{cp - 0xDC00:02x}" if 0xDC80 <= cp <= 0xDCFF else f"\\u{cp:04x}"


def link_target(path: str) -> str:
    """A relative path for a hyperlink: its stray bytes percent-encoded, as a URI carries bytes."""
    if not _has_stray(path):
        return path
    return re.sub(_STRAY, lambda m: f"%{ord(m.group()) - 0xDC00:02X}" if 0xDC80 <= ord(m.group()) <= 0xDCFF else "",
                  path)
