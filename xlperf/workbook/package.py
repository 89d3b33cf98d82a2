"""The OOXML package core: safe opening within limits, bounded member reads, parsed XML and relationships.

The package layer is split by job: this module opens and guards (limits, encryption, legacy and
strict formats, CRCs); contents.py adds sheets, names, tables and cells; writer.py writes a copy
with some parts replaced; structure.py checks a package's structure; problems.py words failures.
Only the parts xlperf owns are ever rewritten; every other zip member is copied as raw compressed
bytes, so VBA, buttons, x14 features, ribbons, printer settings and cached values survive untouched.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from xlperf import sightings
from xlperf.workbook import opc
from xlperf.workbook.contents import Contents, DefinedName, SheetRef, TableRef, workbook_view
from xlperf.workbook.deflate import crc32
from xlperf.workbook.partmemo import MAX_PART as MEMO_PART, remember
from xlperf.workbook.problems import workbook_error
from xlperf.workbook.cellvalues import Cell, SharedStrings
from xlperf.workbook.sheetread import formula_cells
from xlperf.workbook.xmlsafe import parse_xml
from xlperf.workbook.zipraw import Local, inflate_member, local_member

__all__ = ["Limits", "Package", "SheetRef", "TableRef", "DefinedName", "Cell"]

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODF_SPREADSHEET = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RATIO_FLOOR = 1 << 20
_CHUNK = 1 << 20
_FORMULA_TAG = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")


@dataclass(frozen=True)
class Limits:
    max_members: int = 10_000
    max_total_unzipped: int = 200 * 2**20  # summed over declared sizes and enforced while inflating
    max_part: int = 100 * 2**20
    max_ratio: int = 200  # refuse a member whose uncompressed/compressed > ratio and > 1 MiB
    max_cells_per_sheet: int = 2_000_000
    max_shared_string_chars: int = 50_000_000


class Package(Contents):
    """A workbook package held in memory: the file is read once, so nothing stays open or locked."""

    def __init__(self, path: Path, blob: bytes, zf: zipfile.ZipFile, limits: Limits):
        self.path = path
        self.limits = limits
        self._blob = blob
        self._zf = zf
        self._index: dict[str, zipfile.ZipInfo] = {}
        self._inflated: set[str] = set()
        self._inflated_total = 0
        self._locals: dict[str, Local] = {}  # member → its local header's reading: a fill reads, then copies
        self._xml_cache: dict[str, etree._Element] = {}
        self._rels_cache: dict[str, list[opc.Rel]] = {}
        self._sheets: list[SheetRef] | None = None
        self._shared: SharedStrings | None = None
        self._names: dict[str, DefinedName] | None = None
        self._types: list[opc.ContentTypes | None] = []  # [] until looked up
        self._workbook: tuple | None = None  # (bytes, WorkbookView) of the workbook part
        # by sheet part: ((top, left, bottom, right) read, cells); fill reads a sheet more than once
        self._cells: dict[str, tuple[tuple[int, int, int, int], dict[tuple[int, int], Cell]]] = {}
        self._merges: dict[str, tuple[tuple[int, int, int, int], ...]] = {}  # member → its merged ranges
        self.workbook_part = ""

    def __repr__(self) -> str:
        return f"Package({str(self.path)!r})"

    def sha256(self) -> str:
        """SHA-256 of the file's bytes as read: what everything read from this package came from."""
        from ..digest import sha256

        return sha256(self._blob).hexdigest()

    @classmethod
    def open(cls, path: str | os.PathLike, limits: Limits = Limits()) -> "Package":
        path = Path(path)
        sightings.next_file()  # the per-process memos hold what this file shares with earlier ones
        blob = _load(path, limits)
        if blob.startswith(_CFB_MAGIC):
            encrypted = any(stream in blob for stream in _ENCRYPTION_STREAMS)
            wps = path.suffix.lower() in (".et", ".ett")  # WPS's own format is the same kind of file as .xls
            raise workbook_error("ENCRYPTED" if encrypted else "WPS_ET" if wps else "XLS_BIFF", path=path)
        try:
            zf = zipfile.ZipFile(io.BytesIO(blob))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError,
                NotImplementedError, OverflowError, UnicodeDecodeError):
            raise workbook_error("CORRUPT_ZIP" if blob.startswith(b"PK") else "NOT_ZIP", path=path) from None
        if _ODF_SPREADSHEET in blob[:100]:  # an ODF package starts with its stored "mimetype" member
            raise workbook_error("ODF_SPREADSHEET", path=path)
        pkg = cls(path, blob, zf, limits)
        pkg._check_members()
        pkg._find_workbook()
        pkg.sheets()  # a workbook whose sheet list cannot be resolved is unusable: say so at once
        return pkg

    # -- members ---------------------------------------------------------------------------------

    def _check_members(self) -> None:
        infos = self._zf.infolist()
        if len(infos) > self.limits.max_members:
            raise workbook_error("TOO_LARGE", path=self.path)
        if sum(i.file_size for i in infos) > self.limits.max_total_unzipped:
            raise workbook_error("TOO_LARGE", path=self.path)
        for info in infos:
            if info.file_size > _RATIO_FLOOR and info.file_size > self.limits.max_ratio * max(info.compress_size, 1):
                raise workbook_error("TOO_LARGE", part=info.orig_filename)
            if info.flag_bits & 0x1:
                raise workbook_error("ENCRYPTED", path=self.path)
            k = opc.key(info.orig_filename)
            if k in self._index:
                # Two members answering to one part name: readers would disagree about which is real.
                raise workbook_error("CORRUPT_ZIP", part=info.orig_filename)
            self._index[k] = info

    def names(self) -> list[str]:
        return [i.orig_filename for i in self._zf.infolist()]

    def infos(self) -> list[zipfile.ZipInfo]:
        """The members in stored order (the writer copies them in this order)."""
        return self._zf.infolist()

    @property
    def comment(self) -> bytes:
        return self._zf.comment

    def raw(self, info: zipfile.ZipInfo) -> tuple[memoryview, bytes]:
        """A member's stored (compressed) bytes and its local header's extra field, for copying as is."""
        data, _, extra = self._local(info)
        return data, extra

    def _local(self, info: zipfile.ZipInfo) -> Local:
        found = self._locals.get(info.orig_filename)
        if found is None:
            found = self._locals[info.orig_filename] = local_member(self._blob, info)
        return found

    def was_inflated(self, member: str) -> bool:
        """Read in full already, so its CRC was checked then."""
        return member in self._inflated

    def info(self, part: str) -> zipfile.ZipInfo:
        info = self._index.get(opc.key(part))
        if info is None:
            raise KeyError(part)
        return info

    def member(self, part: str) -> str | None:
        """The member name for a part name or relationship target (any case, slashes, escaping)."""
        for candidate in opc.target_candidates(part):
            info = self._index.get(opc.key(candidate))
            if info is not None:
                return info.orig_filename
        return None

    def read(self, part: str) -> bytes:
        """A member's bytes; KeyError if absent; WorkbookError if corrupt or over the limits."""
        return self._inflate(self.info(part))

    def _inflate(self, info: zipfile.ZipInfo) -> bytes:
        name = info.orig_filename
        if info.is_dir():
            return b""
        if info.file_size > self.limits.max_part:
            raise workbook_error("TOO_LARGE", part=name)
        try:
            # The local header read once: the writer copies this member's bytes from the same reading.
            local = self._local(info) if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else None
            data = inflate_member(self._blob, info, local)
            if data is None:  # another compression method: zipfile knows it or refuses it
                with self._zf.open(info) as stream:
                    # One byte more than declared: a member that inflates past its size is caught here,
                    # without ever holding more than the declared size in memory.
                    data = stream.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                ValueError, OverflowError):  # RawZipError is a ValueError
            raise workbook_error("CORRUPT_ZIP", part=name) from None
        if len(data) != info.file_size:
            raise workbook_error("CORRUPT_ZIP", part=name)
        if name not in self._inflated:
            self._inflated.add(name)
            self._inflated_total += len(data)
            if self._inflated_total > self.limits.max_total_unzipped:
                raise workbook_error("TOO_LARGE", part=name)
        return data

    def check_crc(self, info: zipfile.ZipInfo, data: memoryview) -> None:
        """Check a member's CRC by inflating its raw bytes chunk by chunk, never holding it whole.

        Stored bytes that passed before (with the same declared CRC, size and method) pass again
        without inflating: copies of one template share their theme, styles and images."""
        if info.is_dir():
            return
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and info.compress_size <= MEMO_PART:
            remember("crc", bytes(data), lambda: self._check_crc(info, data), info.CRC, info.file_size,
                     info.compress_type)
        else:
            self._check_crc(info, data)

    def _check_crc(self, info: zipfile.ZipInfo, data: memoryview) -> bool:
        try:
            if info.compress_type == zipfile.ZIP_STORED:
                total, crc = len(data), crc32(data)
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                total, crc = _inflate_crc(data, info.file_size)
            else:
                total, crc = self._stream_crc(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                ValueError, OverflowError):
            raise workbook_error("CORRUPT_ZIP", part=info.orig_filename) from None
        if total != info.file_size or crc != info.CRC:
            raise workbook_error("CORRUPT_ZIP", part=info.orig_filename)
        return True

    def _stream_crc(self, info: zipfile.ZipInfo) -> tuple[int, int]:
        total = crc = 0
        with self._zf.open(info) as stream:
            while (chunk := stream.read(_CHUNK)) and total <= info.file_size:
                total += len(chunk)
                crc = crc32(chunk, crc)
        return total, crc

    def xml_of(self, part: str) -> etree._Element:
        member = self.member(part)
        if member is None:
            raise workbook_error("BROKEN_PACKAGE", part=part)
        root = self._xml_cache.get(member)
        if root is None:
            root = self._xml_cache[member] = parse_xml(self.read(member), member)
        return root

    def rels_of(self, part: str) -> list[opc.Rel]:
        """Relationships whose source is part ("" for the package itself); [] when there is no .rels."""
        rels_part = opc.ROOT_RELS if not part else opc.rels_part_for(part)
        member = self.member(rels_part)
        if member is None:
            return []
        found = self._rels_cache.get(member)
        if found is None:
            data = self.read(member)
            found = self._rels_cache[member] = list(
                remember("rels", data, lambda: tuple(opc.parse_rels(parse_xml(data, member), part)), part))
        return found

    def content_types(self) -> opc.ContentTypes | None:
        if not self._types:
            member = self.member(opc.CONTENT_TYPES)
            if member is None:
                self._types.append(None)
            else:
                data = self.read(member)
                self._types.append(remember("types", data, lambda: opc.ContentTypes.parse(parse_xml(data, member))))
        return self._types[0]

    def is_macro_enabled(self) -> bool:
        """The workbook part is registered as macro-enabled (.xlsm), whether or not it holds a macro project."""
        types = self.content_types()
        return "macroEnabled" in ((types.of(self.workbook_part) if types else None) or "")

    def related_member(self, source: str, kind: str) -> str | None:
        for rel in self.rels_of(source):
            if rel.kind == kind and rel.target:
                found = self.member(rel.target)
                if found:
                    return found
        return None

    # -- workbook discovery ------------------------------------------------------------------------

    def _find_workbook(self) -> None:
        root_rels = self.rels_of("")
        office = [r for r in root_rels if r.kind == "officeDocument" and not r.external]
        if any(opc.STRICT_MARK in r.type for r in office):
            raise workbook_error("STRICT_OOXML", path=self.path)
        target = office[0].target if office else None
        types = self.content_types()
        if target is None and types is not None:
            target = next(
                (part for part, ct in types.overrides.items()
                 if ct.endswith(("spreadsheetml.sheet.main+xml", "sheet.macroEnabled.main+xml"))),
                None,
            )
        if target is None:
            raise workbook_error("NOT_WORKBOOK", path=self.path)
        content_type = (types.of(target) if types else None) or ""
        if "sheet.binary" in content_type or target.lower().endswith(".bin"):
            raise workbook_error("XLSB", path=self.path)
        if content_type and "spreadsheetml" not in content_type and "ms-excel" not in content_type:
            raise workbook_error("NOT_WORKBOOK", path=self.path)
        member = self.member(target)
        if member is None:
            raise workbook_error("BROKEN_PACKAGE", part=target)
        data = self.read(member)
        view = remember("workbook", data, lambda: workbook_view(parse_xml(data, member)))
        ns = opc.namespace(view.tag) if isinstance(view.tag, str) else ""
        if opc.STRICT_MARK in ns:
            raise workbook_error("STRICT_OOXML", path=self.path)
        if opc.local(view.tag) != "workbook" or ns != _MAIN_NS:
            raise workbook_error("NOT_WORKBOOK", path=self.path)
        self.workbook_part = member
        self._workbook = (data, view)
    # -- for the writer ----------------------------------------------------------------------------

    def calc_chain(self) -> str | None:
        found = self.related_member(self.workbook_part, "calcChain")
        if found is None:
            # Some writers register the chain in [Content_Types].xml without relating it.
            types = self.content_types()
            for part, content_type in (types.overrides.items() if types else ()):
                if content_type.endswith("spreadsheetml.calcChain+xml") and self.member(part):
                    return self.member(part)
        return found

    def lost_formulas(self, member: str, new_xml: bytes) -> bool:
        old = self.read(member)
        if not _FORMULA_TAG.search(old):
            return False
        before = formula_cells(parse_xml(old, member), member)
        return bool(before - formula_cells(parse_xml(new_xml, member), member))


def _inflate_crc(data: memoryview, limit: int) -> tuple[int, int]:
    """Inflated size (stopping just past limit) and CRC of a raw deflate stream."""
    inflater = zlib.decompressobj(-15)
    total = crc = 0
    pending = bytes(data)
    while total <= limit:
        chunk = inflater.decompress(pending, _CHUNK)
        pending = inflater.unconsumed_tail
        total += len(chunk)
        crc = crc32(chunk, crc)
        if inflater.eof or not (chunk or pending):
            break
    if total <= limit and not inflater.eof:
        raise zlib.error("deflate stream ends early")
    return total, crc


def _load(path: Path, limits: Limits) -> bytes:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise workbook_error("NOT_FOUND", path=path)
        if st.st_size > limits.max_total_unzipped:
            raise workbook_error("TOO_LARGE", path=path)
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise workbook_error("NOT_FOUND", path=path) from None
    except OSError:
        raise workbook_error("NO_ACCESS", path=path) from None
