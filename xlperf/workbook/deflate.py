"""Raw deflate and CRC-32 for zip members: ISA-L (the isal package) where it is installed, zlib otherwise.

ISA-L inflates about twice and deflates (level 1, the same size) about three times as fast as zlib,
and a fill inflates most of a workbook's members and deflates the sheets it wrote. Both make and
read the same raw deflate streams, so which one ran never shows in a file. CRC-32 is one standard
function: ISA-L's is about ten times zlib's here, and a fill checks every member it reads.
"""

from __future__ import annotations

import zlib

try:
    from isal import isal_zlib as _fast
except ImportError:  # no wheel for this platform (Pyodide, an odd CPU): zlib is the same format
    _fast = None

_impl = _fast or zlib
crc32 = _impl.crc32  # crc32(data[, start]) as zlib's
ERRORS: tuple[type[Exception], ...] = (zlib.error,) + ((_fast.error,) if _fast is not None else ())


def deflate(payload: bytes) -> bytes:
    """payload as a raw deflate stream, at the fastest level (the parts deflated here are small XML)."""
    packer = _impl.compressobj(1, zlib.DEFLATED, -15)
    return packer.compress(payload) + packer.flush()


def inflater():
    """A raw-deflate decompressor with zlib's interface (decompress(data, max_length), eof)."""
    return _impl.decompressobj(-15)
