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


# What a link's target cannot hold as it is, for XlsxWriter and for the readers of the link: # (XlsxWriter and
# Excel read what follows as a place in the file: 单位#1.xlsx opened 单位), % (a target that holds %XX is taken as
# escaped already: %E5%8D%95.xlsx opened 单.xlsx), ? (a query), and what XlsxWriter would escape itself, which it
# does not once a target holds one %XX of ours.
_LINK_SPECIAL = frozenset('%#? "<>[]^`{}|') | frozenset(map(chr, range(0x20))) | {"\x7f"}


def link_target(path: str) -> str:
    """A relative path for a hyperlink, percent-encoded where a URI must be: its stray bytes (as a URI carries
    bytes) and _LINK_SPECIAL; other characters, Chinese ones too, as they are (as Excel writes them)."""
    if not _has_stray(path) and _LINK_SPECIAL.isdisjoint(path):
        return path
    return "".join(_link_char(c) for c in path)


def _link_char(c: str) -> str:
    cp = ord(c)
    if 0xDC80 <= cp <= 0xDCFF:  # a stray byte
        return f"%{cp - 0xDC00:02X}"
    if 0xD800 <= cp <= 0xDFFF:  # a surrogate no byte became: nothing a URI can carry
        return ""
    return f"%{cp:02X}" if c in _LINK_SPECIAL else c
