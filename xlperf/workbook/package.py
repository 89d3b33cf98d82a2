"""The OOXML package: safe opening, workbook/sheet/table discovery, bounded reads and atomic writes.

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

from xlperf.errors import Problem, WorkbookError
from xlperf.workbook import opc
from xlperf.workbook.a1 import MAX_ROW, parse_range
from xlperf.workbook.atomic import fsync_dir, open_temp, target_problem
from xlperf.workbook.sheetpatch import SheetPatch, patch_sheet, patch_sheet_xml
from xlperf.workbook.sheetread import Cell, ErrorValue, SharedStrings, decode_xstring, formula_cells
from xlperf.workbook.sheetread import read_cells as _read_cells
from xlperf.workbook.xmlsafe import parse_xml
from xlperf.workbook.zipraw import RawZipError, RawZipWriter, raw_member

__all__ = [
    "MESSAGES", "Limits", "SheetRef", "TableRef", "DefinedName", "Cell", "ErrorValue", "Package",
    "SheetPatch", "patch_sheet", "patch_sheet_xml", "write_package", "check_structure", "workbook_error",
]

# Every user-facing sentence of the package layer. Placeholders: {path} {part} {where} {cell} {rel} {target}.
MESSAGES = {
    "NOT_FOUND": "找不到文件 {path}，请检查路径和文件名是否正确",
    "NO_ACCESS": "无法读取文件 {path}，请确认有读取权限，并关闭正在占用它的程序后再试",
    "XLS_BIFF": "这是旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 或 .xlsm 后再试",
    "ENCRYPTED": "文件设置了打开密码（已加密），请在 Excel/WPS 中取消密码后另存为 .xlsx 或 .xlsm 再试",
    "NOT_ZIP": "这不是 .xlsx/.xlsm 工作簿（可能是 CSV、文本或其他文件），请在 Excel/WPS 中打开并另存为 .xlsx 后再试",
    "CORRUPT_ZIP": "文件已损坏或不完整{where}，请重新获取文件，或在 Excel/WPS 中打开修复并另存后再试",
    "TOO_LARGE": "文件过大或含有异常压缩的内容{where}，超出安全上限，请删除不需要的内容后再试",
    "NOT_WORKBOOK": "这个文件不是 Excel 工作簿（可能是 Word、PowerPoint 文档或其他压缩包），请选择 .xlsx 或 .xlsm 文件",
    "XLSB": "这是 .xlsb 二进制工作簿，请在 Excel 中另存为 .xlsx 或 .xlsm 后再试",
    "STRICT_OOXML": "这是“Strict Open XML 电子表格”格式，请在 Excel 中另存为普通的“Excel 工作簿(*.xlsx)”或“Excel 启用宏的工作簿(*.xlsm)”后再试",
    "XML_UNSAFE": "文件中的 {part} 含有不安全的 XML 声明（DOCTYPE/实体），已拒绝处理，请在 Excel/WPS 中打开并另存后再试",
    "XML_BROKEN": "文件中的 {part}{cell} 内容无效，文件可能已损坏，请在 Excel/WPS 中打开并另存后再试",
    "BROKEN_PACKAGE": "工作簿结构不完整：找不到 {part}，请在 Excel/WPS 中打开并另存后再试",
    "SHEET_NO_PART": "工作簿结构不完整：工作表“{sheet}”已登记，但 {part} 中没有指向它内容的关系（{rel}），请在 Excel/WPS 中打开并另存后再试",
    "OUTPUT_NOT_FILE": "输出路径 {path} 不是普通文件（是文件夹、设备、管道或指向它们的链接），不会写入它；请另选输出文件",
    "READ_ONLY": "{path} 是只读文件，不会覆盖它；请去掉只读属性，或用 -o 另存为新文件",
    "WRITE_FAILED": "无法写入 {path}，请确认文件夹存在且可写，并在 Excel/WPS 中关闭该文件后再试",
    "CHECK_NO_CONTENT_TYPES": "缺少 [Content_Types].xml",
    "CHECK_NO_CONTENT_TYPE": "部件 {part} 没有登记内容类型",
    "CHECK_DANGLING": "{part} 中的关系 {rel} 指向不存在的部件 {target}",
}

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RATIO_FLOOR = 1 << 20
_CHUNK = 1 << 20
_XML_SUFFIXES = (".xml", ".rels")
_NAME_REF = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^\s'!\[\]:,;()=+\-*/&^<>\"{}#]+))!"
    r"(\$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?)$"
)
MAX_COL = 16_384
_FORMULA_TAG = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
_SHOWN = re.compile(r"[\x00-\x1f\x7f]")


def _shown(text: object, limit: int = 120) -> str:
    text = _SHOWN.sub("?", str(text))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def workbook_error(code: str, *, path: object = "", part: str = "", cell: str = "", sheet: str = "",
                   rel: str = "") -> WorkbookError:
    """A WorkbookError carrying one Problem whose one-line message comes from MESSAGES.

    Every echoed value is capped: a 5,000-digit row number must not make a 5 KB message.
    """
    cell = _shown(cell, 24) if cell else ""
    message = MESSAGES[code].format(
        path=_shown(path),
        part=_shown(part),
        where=f"（{_shown(part)}）" if part else "",
        cell=f" 单元格 {cell}" if cell else "",
        sheet=_shown(sheet, 40),
        rel=_shown(rel, 40),
    )
    return WorkbookError([Problem(code, message, sheet=_shown(sheet, 40) if sheet else "", cell=cell,
                                  value=_shown(part or path))])


@dataclass(frozen=True)
class Limits:
    max_members: int = 10_000
    max_total_unzipped: int = 200 * 2**20  # summed over declared sizes and enforced while inflating
    max_part: int = 100 * 2**20
    max_ratio: int = 200  # refuse a member whose uncompressed/compressed > ratio and > 1 MiB
    max_cells_per_sheet: int = 2_000_000
    max_shared_string_chars: int = 50_000_000


@dataclass(frozen=True)
class SheetRef:
    name: str
    part: str
    state: str  # "visible" | "hidden" | "veryHidden"
    kind: str  # "worksheet" | "chartsheet" | "other"


@dataclass(frozen=True)
class TableRef:
    name: str
    display_name: str
    ref: str
    columns: tuple[str, ...]
    part: str
    sheet: str = ""


@dataclass(frozen=True)
class DefinedName:
    name: str
    sheet: str
    ref: str  # "C5" or "B3:D9", dollars stripped


def _is_xml_name(name: str) -> bool:
    return name.lower().endswith(_XML_SUFFIXES)


class Package:
    """A workbook package held in memory: the file is read once, so nothing stays open or locked."""

    def __init__(self, path: Path, blob: bytes, zf: zipfile.ZipFile, limits: Limits):
        self.path = path
        self.limits = limits
        self._blob = blob
        self._zf = zf
        self._index: dict[str, zipfile.ZipInfo] = {}
        self._inflated: set[str] = set()
        self._inflated_total = 0
        self._xml_cache: dict[str, etree._Element] = {}
        self._rels_cache: dict[str, list[opc.Rel]] = {}
        self._sheets: list[SheetRef] | None = None
        self._shared: SharedStrings | None = None
        self._names: dict[str, DefinedName] | None = None
        # by sheet part: (rows, columns read, cells); fill reads a sheet more than once
        self._cells: dict[str, tuple[int, int, dict[tuple[int, int], Cell]]] = {}
        self.workbook_part = ""

    def __repr__(self) -> str:
        return f"Package({str(self.path)!r})"

    @classmethod
    def open(cls, path: str | os.PathLike, limits: Limits = Limits()) -> "Package":
        path = Path(path)
        blob = _load(path, limits)
        if blob.startswith(_CFB_MAGIC):
            encrypted = any(stream in blob for stream in _ENCRYPTION_STREAMS)
            raise workbook_error("ENCRYPTED" if encrypted else "XLS_BIFF", path=path)
        try:
            zf = zipfile.ZipFile(io.BytesIO(blob))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError,
                NotImplementedError, OverflowError, UnicodeDecodeError):
            raise workbook_error("CORRUPT_ZIP" if blob.startswith(b"PK") else "NOT_ZIP", path=path) from None
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

    def _info(self, part: str) -> zipfile.ZipInfo:
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
        return self._inflate(self._info(part))

    def _inflate(self, info: zipfile.ZipInfo) -> bytes:
        name = info.orig_filename
        if info.is_dir():
            return b""
        if info.file_size > self.limits.max_part:
            raise workbook_error("TOO_LARGE", part=name)
        try:
            with self._zf.open(info) as stream:
                # One byte more than declared: a member that inflates past its size is caught here,
                # without ever holding more than the declared size in memory.
                data = stream.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                ValueError, OverflowError):
            raise workbook_error("CORRUPT_ZIP", part=name) from None
        if len(data) != info.file_size:
            raise workbook_error("CORRUPT_ZIP", part=name)
        if name not in self._inflated:
            self._inflated.add(name)
            self._inflated_total += len(data)
            if self._inflated_total > self.limits.max_total_unzipped:
                raise workbook_error("TOO_LARGE", part=name)
        return data

    def _verify(self, info: zipfile.ZipInfo, data: memoryview) -> None:
        """Check a member's CRC by inflating its raw bytes chunk by chunk, never holding it whole."""
        if info.is_dir():
            return
        try:
            if info.compress_type == zipfile.ZIP_STORED:
                total, crc = len(data), zlib.crc32(data)
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                total, crc = _inflate_crc(data, info.file_size)
            else:
                total, crc = self._stream_crc(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                ValueError, OverflowError):
            raise workbook_error("CORRUPT_ZIP", part=info.orig_filename) from None
        if total != info.file_size or crc != info.CRC:
            raise workbook_error("CORRUPT_ZIP", part=info.orig_filename)

    def _stream_crc(self, info: zipfile.ZipInfo) -> tuple[int, int]:
        total = crc = 0
        with self._zf.open(info) as stream:
            while (chunk := stream.read(_CHUNK)) and total <= info.file_size:
                total += len(chunk)
                crc = zlib.crc32(chunk, crc)
        return total, crc

    def _xml(self, part: str) -> etree._Element:
        member = self.member(part)
        if member is None:
            raise workbook_error("BROKEN_PACKAGE", part=part)
        root = self._xml_cache.get(member)
        if root is None:
            root = self._xml_cache[member] = parse_xml(self.read(member), member)
        return root

    def _rels(self, part: str) -> list[opc.Rel]:
        """Relationships whose source is part ("" for the package itself); [] when there is no .rels."""
        rels_part = opc.ROOT_RELS if not part else opc.rels_part_for(part)
        member = self.member(rels_part)
        if member is None:
            return []
        found = self._rels_cache.get(member)
        if found is None:
            found = self._rels_cache[member] = opc.parse_rels(self._xml(member), part)
        return found

    def _content_types(self) -> opc.ContentTypes | None:
        if self.member(opc.CONTENT_TYPES) is None:
            return None
        return opc.ContentTypes.parse(self._xml(opc.CONTENT_TYPES))

    def _rel_member(self, source: str, kind: str) -> str | None:
        for rel in self._rels(source):
            if rel.kind == kind and rel.target:
                found = self.member(rel.target)
                if found:
                    return found
        return None

    # -- workbook discovery ------------------------------------------------------------------------

    def _find_workbook(self) -> None:
        root_rels = self._rels("")
        office = [r for r in root_rels if r.kind == "officeDocument" and not r.external]
        if any(opc.STRICT_MARK in r.type for r in office):
            raise workbook_error("STRICT_OOXML", path=self.path)
        target = office[0].target if office else None
        types = self._content_types()
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
        root = self._xml(member)
        ns = opc.namespace(root.tag) if isinstance(root.tag, str) else ""
        if opc.STRICT_MARK in ns:
            raise workbook_error("STRICT_OOXML", path=self.path)
        if opc.local(root.tag) != "workbook" or ns != _MAIN_NS:
            raise workbook_error("NOT_WORKBOOK", path=self.path)
        self.workbook_part = member

    def sheets(self) -> list[SheetRef]:
        if self._sheets is None:
            self._sheets = self._list_sheets()
        return list(self._sheets)

    def _list_sheets(self) -> list[SheetRef]:
        rels = {r.id: r for r in self._rels(self.workbook_part)}
        out = []
        for el in self._xml(self.workbook_part).iter():
            if opc.local(el.tag) != "sheet" or opc.local(el.getparent().tag) != "sheets":
                continue
            rid = next(
                (v for k, v in el.attrib.items() if k in (f"{{{opc.R_NS}}}id", f"{{{opc.R_NS_STRICT}}}id")), None
            )
            rel = rels.get(rid or "")
            if rel is None or rel.target is None:
                raise workbook_error("SHEET_NO_PART", part=self.workbook_part, sheet=el.get("name") or "?",
                                     rel=rid or "r:id")
            kind = rel.kind if rel.kind in ("worksheet", "chartsheet") else "other"
            state = el.get("state") or "visible"
            out.append(
                SheetRef(
                    name=el.get("name") or "",
                    part=self.member(rel.target) or rel.target,
                    state=state if state in ("visible", "hidden", "veryHidden") else "visible",
                    kind=kind,
                )
            )
        return out

    def sheet(self, name: str) -> SheetRef:
        sheets = self.sheets()
        for found in sheets:
            if found.name == name:
                return found
        for found in sheets:  # Excel sheet names are case-insensitive
            if found.name.casefold() == name.casefold():
                return found
        raise KeyError(name)

    def defined_names(self) -> dict[str, DefinedName]:
        """Workbook-scope names that point at one area of one existing sheet; anything else is skipped."""
        if self._names is None:
            self._names = self._defined_names()
        return dict(self._names)

    def _defined_names(self) -> dict[str, DefinedName]:
        by_name = {s.name.casefold(): s.name for s in self.sheets()}
        out = {}
        for el in self._xml(self.workbook_part).iter("{*}definedName"):  # filtered in C
            if el.get("localSheetId") is not None:
                continue
            m = _NAME_REF.match((el.text or "").strip())
            if not m or not el.get("name"):
                continue
            sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
            sheet = by_name.get(sheet.casefold())
            ref = m.group(3).replace("$", "").upper()
            try:
                parse_range(ref)
            except ValueError:
                continue
            if sheet is not None:
                out[el.get("name")] = DefinedName(el.get("name"), sheet, ref)
        return out

    def tables(self) -> dict[str, TableRef]:
        out = {}
        for sheet in self.sheets():
            if sheet.kind != "worksheet":
                continue
            for rel in self._rels(sheet.part):
                if rel.kind != "table" or rel.external:
                    continue
                member = self.member(rel.target or rel.raw_target)
                if member is None:
                    raise workbook_error("BROKEN_PACKAGE", part=rel.target or rel.raw_target)
                root = self._xml(member)
                columns = tuple(
                    decode_xstring(c.get("name") or "") for c in root.iter() if opc.local(c.tag) == "tableColumn"
                )
                name = root.get("name") or root.get("displayName") or ""
                display = root.get("displayName") or name
                out[display] = TableRef(name, display, root.get("ref") or "", columns, member, sheet.name)
        return out

    def _strings(self) -> SharedStrings:
        if self._shared is None:
            member = self._rel_member(self.workbook_part, "sharedStrings")
            data = self.read(member) if member is not None else None
            self._shared = SharedStrings(data, member or "", self.limits.max_shared_string_chars)
        return self._shared

    def shared_strings(self) -> list[str]:
        return self._strings().all()

    def read_cells(self, sheet_name: str, max_row: int | None = None, max_col: int | None = None
                   ) -> dict[tuple[int, int], Cell]:
        """Cells with a value or formula; with bounds, only those in rows ≤ max_row and columns ≤ max_col.

        The part is streamed row by row and parsing stops below max_row, so a sheet padded with junk
        costs what the bounded range holds. The result may hold more than asked (a wider read is reused).
        """
        ref = self.sheet(sheet_name)
        if ref.kind == "chartsheet":
            return {}
        member = self.member(ref.part)
        if member is None:
            raise workbook_error("BROKEN_PACKAGE", part=ref.part, sheet=ref.name)
        rows, cols = max_row or MAX_ROW, max_col or MAX_COL
        cached = self._cells.get(member)
        if cached is None or cached[0] < rows or cached[1] < cols:
            cells = _read_cells(self.read(member), self._strings(), member, self.limits.max_cells_per_sheet,
                                        rows, cols)
            cached = self._cells[member] = (rows, cols, cells)
        return dict(cached[2])

    def custom_properties(self) -> dict[str, str]:
        member = self._rel_member("", "custom-properties") or self.member("docProps/custom.xml")
        if member is None:
            return {}
        out = {}
        for prop in self._xml(member):
            if opc.local(prop.tag) != "property" or not prop.get("name"):
                continue
            value = next((v for v in prop if isinstance(v.tag, str)), None)
            out[prop.get("name")] = (value.text or "") if value is not None else ""
        return out

    # -- for the writer ----------------------------------------------------------------------------

    def _calc_chain(self) -> str | None:
        found = self._rel_member(self.workbook_part, "calcChain")
        if found is None:
            # Some writers register the chain in [Content_Types].xml without relating it.
            types = self._content_types()
            for part, content_type in (types.overrides.items() if types else ()):
                if content_type.endswith("spreadsheetml.calcChain+xml") and self.member(part):
                    return self.member(part)
        return found

    def _lost_formulas(self, member: str, new_xml: bytes) -> bool:
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
        crc = zlib.crc32(chunk, crc)
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


# -- writing ------------------------------------------------------------------------------------------

def _serialize(root: etree._Element) -> bytes:
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body


def _without_relationship(data: bytes, member: str, source: str, target: str) -> bytes | None:
    """The .rels without relationships to target; None if there were none."""
    root = parse_xml(data, member)
    doomed = [
        el for el in root
        if opc.local(el.tag) == "Relationship" and el.get("TargetMode", "").lower() != "external"
        and opc.key(opc.resolve(source, el.get("Target", "")) or "") == opc.key(target)
    ]
    for el in doomed:
        root.remove(el)
    return _serialize(root) if doomed else None


def _without_override(data: bytes, target: str) -> bytes | None:
    """[Content_Types].xml without target's Override; None if it had none."""
    root = parse_xml(data, opc.CONTENT_TYPES)
    doomed = [
        el for el in root
        if opc.local(el.tag) == "Override" and opc.key(el.get("PartName", "")) == opc.key(target)
    ]
    for el in doomed:
        root.remove(el)
    return _serialize(root) if doomed else None


def _plan(src: Package, replaced: dict[str, bytes], drop_calc_chain: bool) -> tuple[dict[str, bytes], set[str]]:
    """Final member contents keyed by member name, and the members to leave out."""
    plan = {src._info(name).orig_filename: bytes(data) for name, data in replaced.items()}
    chain = src._calc_chain()
    if chain is None:
        return plan, set()
    if not drop_calc_chain:
        sheets = {opc.key(s.part) for s in src.sheets() if s.kind == "worksheet"}
        drop_calc_chain = any(
            src._lost_formulas(m, data) for m, data in plan.items() if opc.key(m) in sheets and m != chain
        )
    if not drop_calc_chain:
        return plan, set()
    # Excel rebuilds a missing calcChain silently, but "repairs" a file whose chain names a non-formula cell.
    rels = src.member(opc.rels_part_for(src.workbook_part))
    if rels is not None:
        edited = _without_relationship(plan.get(rels) or src.read(rels), rels, src.workbook_part, chain)
        if edited is not None:
            plan[rels] = edited
    types = src.member(opc.CONTENT_TYPES)
    if types is not None:
        edited = _without_override(plan.get(types) or src.read(types), chain)
        if edited is not None:
            plan[types] = edited
    plan.pop(chain, None)
    return plan, {chain}


def write_package(
    src: Package, out_path: str | os.PathLike, replaced: dict[str, bytes], *, drop_calc_chain: bool = False,
    verify: bool = True, check_xml: bool = True,
) -> None:
    """Write src to out_path with some members replaced; everything else is copied as stored.

    Replaced XML is parsed before it is written (unless check_xml is False, for parts the caller just
    serialised with lxml itself), so a broken part never reaches the user. With
    verify (the default) every copied member is inflated once to check its CRC, so a damaged source
    is reported instead of being passed on. If a replaced worksheet lost a formula, or on request,
    xl/calcChain.xml goes together with its relationship and content-type override. The output
    appears atomically: a temp file beside the target is fsynced and renamed over it.
    """
    out = Path(out_path)
    refused = target_problem(out)
    if refused:
        raise workbook_error(refused, path=out)
    plan, skip = _plan(src, replaced, drop_calc_chain)
    try:
        tmp, fd = open_temp(out)
    except OSError:
        raise workbook_error("WRITE_FAILED", path=out) from None
    try:
        with os.fdopen(fd, "wb") as fp:
            writer = RawZipWriter(fp)
            for info in src._zf.infolist():
                name = info.orig_filename
                if name in skip:
                    continue
                data, local_extra = raw_member(src._blob, info)
                if name in plan:
                    if check_xml and _is_xml_name(name):
                        parse_xml(plan[name], name)
                    writer.replace(info, plan[name], local_extra)
                else:
                    if verify and name not in src._inflated:  # a member read in full had its CRC checked then
                        src._verify(info, data)
                    writer.copy(info, data, local_extra)
            writer.finish(src._zf.comment)
            fp.flush()
            os.fsync(fp.fileno())
        if out.exists():
            os.chmod(tmp, stat.S_IMODE(out.stat().st_mode))
        os.replace(tmp, out)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, RawZipError):
            raise workbook_error("CORRUPT_ZIP", part=str(exc)) from None
        if isinstance(exc, OverflowError):
            raise workbook_error("TOO_LARGE", path=out) from None
        if isinstance(exc, OSError):
            raise workbook_error("WRITE_FAILED", path=out) from None
        raise
    fsync_dir(out.parent)


def check_structure(path: str | os.PathLike) -> list[str]:
    """Structural problems of a package, one readable line each; [] means it looks sound."""
    try:
        pkg = Package.open(path)
    except WorkbookError as exc:
        return [p.message for p in exc.problems]
    problems: list[str] = []
    members = [i.orig_filename for i in pkg._zf.infolist() if not i.is_dir()]
    try:
        types = pkg._content_types()
    except WorkbookError as exc:
        return [p.message for p in exc.problems]
    if types is None:
        problems.append(MESSAGES["CHECK_NO_CONTENT_TYPES"])
    for name in members:
        if opc.key(name) == opc.key(opc.CONTENT_TYPES):
            continue
        content_type = types.of(name) if types else None
        if types is not None and not content_type:
            problems.append(MESSAGES["CHECK_NO_CONTENT_TYPE"].format(part=_shown(name)))
        xml_like = _is_xml_name(name) or (content_type or "").endswith("xml")
        if not xml_like or name.lower().endswith(".vml"):
            continue
        try:
            root = parse_xml(pkg.read(name), name)
        except WorkbookError as exc:
            problems.extend(p.message for p in exc.problems)
            continue
        source = opc.source_of_rels(name)
        if source is None:
            continue
        for rel in opc.parse_rels(root, source):
            if rel.external:
                continue
            if rel.target is None or pkg.member(rel.target) is None:
                problems.append(
                    MESSAGES["CHECK_DANGLING"].format(
                        part=_shown(name), rel=_shown(rel.id), target=_shown(rel.raw_target)
                    )
                )
    return problems
