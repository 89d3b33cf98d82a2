"""A minimal zip writer that copies members' compressed bytes verbatim and deflates only new content."""

from __future__ import annotations

import struct
import zipfile
import zlib
from typing import BinaryIO

from xlperf.memo import remembered
from xlperf.workbook.deflate import ERRORS, crc32, deflate, inflater
from xlperf.workbook.inflatememo import inflated

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_EOCD = struct.Struct("<4s4H2LH")
_LOCAL_SIG, _CENTRAL_SIG, _EOCD_SIG = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_UTF8 = 0x800
_ZIP64_EXTRA = 0x0001
_LIMIT32, _LIMIT16 = 0xFFFFFFFF, 0xFFFF


class RawZipError(ValueError):
    """The source archive's bytes disagree with its central directory."""


def raw_member(blob: bytes | memoryview, info: zipfile.ZipInfo) -> tuple[memoryview, bytes]:
    """The member's compressed bytes and its local extra field, straight from the archive."""
    data, _, extra = local_member(blob, info)
    return data, extra


Local = tuple[memoryview, tuple[bytes, int], bytes]


def local_member(blob: bytes | memoryview, info: zipfile.ZipInfo) -> Local:
    """(compressed bytes, (local header's name bytes, its flags), local extra field) of a member."""
    off = info.header_offset
    head = bytes(blob[off : off + _LOCAL.size])
    if len(head) != _LOCAL.size or head[:4] != _LOCAL_SIG:
        raise RawZipError(info.orig_filename)
    fields = _LOCAL.unpack(head)
    name_len, extra_len = fields[-2], fields[-1]
    start = off + _LOCAL.size + name_len + extra_len
    end = start + info.compress_size
    if end > len(blob):
        raise RawZipError(info.orig_filename)
    name = bytes(blob[off + _LOCAL.size : off + _LOCAL.size + name_len])
    extra = bytes(blob[off + _LOCAL.size + name_len : start])
    return memoryview(blob)[start:end], (name, fields[3]), extra


def inflate_member(blob: bytes | memoryview, info: zipfile.ZipInfo, local: Local | None = None) -> bytes | None:
    """A stored or deflated member's content, refused (RawZipError) exactly where zipfile's reader would
    refuse it: bad local header, a local name that differs from the directory's, a stream ending early
    or running past the declared size, a wrong CRC. None for other methods: zipfile reads those.

    zipfile's reader costs about twice this in Python for the small parts of a workbook.
    local: the member's local_member(), when the caller has it already."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    data, (name, local_flags), _ = local or local_member(blob, info)
    try:
        local_name = name.decode("utf-8" if local_flags & _UTF8 else "cp437")
    except UnicodeDecodeError:
        raise RawZipError(info.orig_filename) from None
    if local_name != info.orig_filename:
        raise RawZipError(info.orig_filename)
    return inflated(data, info.CRC, info.file_size, info.compress_type, lambda d: _inflate_checked(d, info))


def _inflate_checked(data: bytes | memoryview, info: zipfile.ZipInfo) -> bytes:
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(data)
    else:
        stream = inflater()
        try:
            # One byte more than declared: a stream that inflates past its size is caught, never held.
            out = stream.decompress(data, info.file_size + 1)
        except ERRORS:
            raise RawZipError(info.orig_filename) from None
        if not stream.eof and len(out) <= info.file_size:
            raise RawZipError(info.orig_filename)  # ends early
    if len(out) != info.file_size or crc32(out) != info.CRC:
        raise RawZipError(info.orig_filename)
    return out


def strip_zip64(extra: bytes) -> bytes:
    """Drop zip64 size fields: the sizes we write always fit in 32 bits, and stale ones would mislead."""
    out, pos = bytearray(), 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<2H", extra, pos)
        if pos + 4 + size > len(extra):
            return bytes(out)  # malformed tail: keep only what parsed
        if tag != _ZIP64_EXTRA:
            out += extra[pos : pos + 4 + size]
        pos += 4 + size
    return bytes(out)


def _dos(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    if year < 1980:
        year, month, day, hour, minute, second = 1980, 1, 1, 0, 0, 0
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _name_bytes(orig_filename: str, flag_bits: int) -> bytes:
    # zipfile decoded non-UTF-8 names as cp437, which maps every byte, so this round-trips exactly.
    return orig_filename.encode("utf-8" if flag_bits & _UTF8 else "cp437")


# Copies of one template repeat every member's name, time and extra fields; a hostile 64 KB field is not held.
# A template has a few dozen members: 1,024 hold many templates' (4,096 only grew a worker over a long batch).
@remembered(1024, lambda name, flags, when, local_extra, central_extra:
            len(name) + len(local_extra) + len(central_extra) <= 1024)
def _fixed(orig_filename: str, flag_bits: int, date_time: tuple, local_extra: bytes, central_extra: bytes
           ) -> tuple[bytes, int, int, bytes, bytes]:
    """A member's name bytes, DOS time and date, and both extra fields without zip64 sizes."""
    dostime, dosdate = _dos(date_time)
    return (_name_bytes(orig_filename, flag_bits), dostime, dosdate, strip_zip64(local_extra),
            strip_zip64(central_extra))


class RawZipWriter:
    def __init__(self, fp: BinaryIO):
        self.fp = fp
        self.offset = 0
        self.central: list[bytes] = []

    def _write(self, data: bytes | memoryview) -> None:
        self.fp.write(data)
        self.offset += len(data)

    def _entry(
        self, info: zipfile.ZipInfo, *, flags: int, method: int, crc: int, csize: int, usize: int,
        extract_version: int, local_extra: bytes, data: bytes | memoryview,
    ) -> None:
        if max(csize, usize, self.offset) >= _LIMIT32 or len(self.central) >= _LIMIT16:
            raise OverflowError("archive too large for a plain zip")
        name, dostime, dosdate, local_extra, central_extra = _fixed(
            info.orig_filename, info.flag_bits, info.date_time, local_extra, info.extra)
        header_offset = self.offset
        self._write(
            _LOCAL.pack(
                _LOCAL_SIG, extract_version, 0, flags, method, dostime, dosdate, crc, csize, usize,
                len(name), len(local_extra),
            )
            + name
            + local_extra
        )
        self._write(data)
        comment = info.comment or b""
        self.central.append(
            _CENTRAL.pack(
                _CENTRAL_SIG, info.create_version, info.create_system, extract_version, info.reserved,
                flags, method, dostime, dosdate, crc, csize, usize, len(name), len(central_extra),
                len(comment), 0, info.internal_attr, info.external_attr, header_offset,
            )
            + name
            + central_extra
            + comment
        )

    def copy(self, info: zipfile.ZipInfo, data: memoryview, local_extra: bytes) -> None:
        """Copy a member as stored; the data descriptor bit goes because sizes now sit in the header."""
        self._entry(
            info, flags=info.flag_bits & ~0x08, method=info.compress_type, crc=info.CRC,
            csize=info.compress_size, usize=info.file_size, extract_version=info.extract_version,
            local_extra=local_extra, data=data,
        )

    def replace(self, info: zipfile.ZipInfo, payload: bytes, local_extra: bytes) -> None:
        """Write new content under the old member's name, time and attributes, deflated."""
        # Level 1: the replaced parts are small XML; level 6 costs several times the time for a few % of size.
        data = deflate(payload)
        self._entry(
            info, flags=info.flag_bits & _UTF8, method=zipfile.ZIP_DEFLATED, crc=crc32(payload),
            csize=len(data), usize=len(payload), extract_version=20,
            local_extra=local_extra, data=data,
        )

    def finish(self, comment: bytes = b"") -> None:
        start = self.offset
        for record in self.central:
            self._write(record)
        size = self.offset - start
        if self.offset >= _LIMIT32:
            raise OverflowError("archive too large for a plain zip")
        count = len(self.central)
        self._write(_EOCD.pack(_EOCD_SIG, 0, 0, count, count, size, start, len(comment[:_LIMIT16])))
        self._write(comment[:_LIMIT16])
