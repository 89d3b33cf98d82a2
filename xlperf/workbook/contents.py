"""What a workbook package holds: sheets, defined names, Excel tables, shared strings and cells.

A mixin of Package: it relies on the package core (package.py) for members, parsed XML and
relationships, and adds the workbook-level view every reader needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from lxml import etree

from xlperf.workbook import opc
from xlperf.book.a1 import MAX_COL, MAX_ROW, parse_range
from xlperf.workbook.partmemo import remember
from xlperf.workbook.problems import workbook_error
from xlperf.workbook.cellvalues import Cell, SharedStrings, decode_xstring
from xlperf.workbook.sheetread import read_cells as _read_cells
from xlperf.workbook.xmlsafe import parse_xml

# A merged range: <mergeCell ref="C3:C6"/>, with any namespace prefix.
_MERGE_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*[\"']([A-Za-z$]{1,4}[$\d]{1,8}:[A-Za-z$]{1,4}[$\d]{1,8})[\"']")
MAX_MERGES = 10_000  # Excel files seldom hold a hundred; more is junk, and the reader need not see it all

_NAME_REF = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^\s'!\[\]:,;()=+\-*/&^<>\"{}#]+))!"
    r"(\$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?)$"
)


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


@dataclass(frozen=True)
class WorkbookView:
    """What the workbook part says that xlperf uses, as plain values (remembered by its bytes)."""

    tag: object  # the root element's tag
    sheets: tuple[tuple[str | None, str | None, str | None], ...]  # (name, r:id, state) per <sheets>/<sheet>
    names: tuple[tuple[str | None, str | None, str], ...]  # (name, localSheetId, text) per <definedName>
    date1904: bool = False  # <workbookPr date1904>: serial 0 is 1904-01-01 (Mac Excel's option)


def workbook_view(root: etree._Element) -> WorkbookView:
    sheets = []
    for el in root.iter():
        if opc.local(el.tag) != "sheet" or opc.local(el.getparent().tag) != "sheets":
            continue
        rid = next((v for k, v in el.attrib.items() if k in (f"{{{opc.R_NS}}}id", f"{{{opc.R_NS_STRICT}}}id")), None)
        sheets.append((el.get("name"), rid, el.get("state")))
    names = tuple((el.get("name"), el.get("localSheetId"), el.text or "")
                  for el in root.iter("{*}definedName"))  # filtered in C
    pr = root.find("{*}workbookPr")
    date1904 = pr is not None and (pr.get("date1904") or "").strip() in ("1", "true")  # xsd:boolean
    return WorkbookView(root.tag, tuple(sheets), names, date1904)


class Contents:
    """Sheets, names, tables and cells of an opened package (mixed into Package)."""

    def sheets(self) -> list[SheetRef]:
        if self._sheets is None:
            self._sheets = self._list_sheets()
        return list(self._sheets)

    def _list_sheets(self) -> list[SheetRef]:
        rels = {r.id: r for r in self.rels_of(self.workbook_part)}
        out = []
        for name, rid, state in self._workbook[1].sheets:
            rel = rels.get(rid or "")
            if rel is None or rel.target is None:
                raise workbook_error("SHEET_NO_PART", part=self.workbook_part, sheet=name or "?",
                                     rel=rid or "r:id")
            kind = rel.kind if rel.kind in ("worksheet", "chartsheet") else "other"
            state = state or "visible"
            out.append(
                SheetRef(
                    name=name or "",
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

    def date1904(self) -> bool:
        """The workbook counts its date serials from 1904-01-01, not from 1899-12-30."""
        return self._workbook[1].date1904

    def defined_names(self) -> dict[str, DefinedName]:
        """Workbook-scope names that point at one area of one existing sheet; anything else is skipped."""
        if self._names is None:
            self._names = self._defined_names()
        return dict(self._names)

    def _defined_names(self) -> Mapping[str, DefinedName]:
        by_name = {s.name.casefold(): s.name for s in self.sheets()}
        data, view = self._workbook
        return remember("names", data, lambda: MappingProxyType(_names_of(view, by_name)), tuple(by_name.items()))

    def tables(self) -> dict[str, TableRef]:
        out = {}
        for sheet in self.sheets():
            if sheet.kind != "worksheet":
                continue
            for rel in self.rels_of(sheet.part):
                if rel.kind != "table" or rel.external:
                    continue
                member = self.member(rel.target or rel.raw_target)
                if member is None:
                    raise workbook_error("BROKEN_PACKAGE", part=rel.target or rel.raw_target)
                data = self.read(member)
                name, display, ref, columns = remember("table", data, lambda: _table_of(parse_xml(data, member)))
                out[display] = TableRef(name, display, ref, columns, member, sheet.name)
        return out

    def _strings(self) -> SharedStrings:
        if self._shared is None:
            member = self.related_member(self.workbook_part, "sharedStrings")
            data = self.read(member) if member is not None else None
            self._shared = SharedStrings(data, member or "", self.limits.max_shared_string_chars)
        return self._shared

    def shared_strings(self) -> list[str]:
        return self._strings().all()

    def read_cells(self, sheet_name: str, max_row: int | None = None, max_col: int | None = None, *,
                   min_row: int = 1, min_col: int = 1) -> dict[tuple[int, int], Cell]:
        """Cells with a value or formula; with bounds, only those in rows min_row..max_row and columns
        min_col..max_col.

        The part is streamed row by row and parsing stops below max_row, so a sheet padded with junk
        costs what the bounded range holds. The result may hold more than asked (a wider read is reused).
        """
        return dict(self.cells_view(sheet_name, max_row, max_col, min_row=min_row, min_col=min_col))

    def cells_view(self, sheet_name: str, max_row: int | None = None, max_col: int | None = None, *,
                   min_row: int = 1, min_col: int = 1) -> dict[tuple[int, int], Cell]:
        """What read_cells returns, without the copy: the package's own dict, for readers that never change it."""
        ref = self.sheet(sheet_name)
        if ref.kind == "chartsheet":
            return {}
        member = self.member(ref.part)
        if member is None:
            raise workbook_error("BROKEN_PACKAGE", part=ref.part, sheet=ref.name)
        box = (min_row, min_col, max_row or MAX_ROW, max_col or MAX_COL)
        cached = self._cells.get(member)
        if cached is None or not covers(cached[0], box):
            data = self.read(member)
            cells = _read_cells(data, self._strings(), member, self.limits.max_cells_per_sheet,
                                box[2], box[3], box[0], box[1])
            cached = self._cells[member] = (box, cells)
            if member not in self._merges:  # found while the part is inflated: no second inflation for them
                self._merges[member] = _merges_in(data)
        return cached[1]

    def merged(self, sheet_name: str) -> list[tuple[int, int, int, int]]:
        """The sheet's merged ranges as (top, left, bottom, right), at most MAX_MERGES of them."""
        ref = self.sheet(sheet_name)
        member = self.member(ref.part) if ref.kind != "chartsheet" else None
        if member is None:
            return []
        found = self._merges.get(member)
        if found is None:
            found = self._merges[member] = _merges_in(self.read(member))
        return list(found)

    def custom_properties(self) -> dict[str, str]:
        member = self.related_member("", "custom-properties") or self.member("docProps/custom.xml")
        if member is None:
            return {}
        out = {}
        for prop in self.xml_of(member):
            if opc.local(prop.tag) != "property" or not prop.get("name"):
                continue
            value = next((v for v in prop if isinstance(v.tag, str)), None)
            out[prop.get("name")] = (value.text or "") if value is not None else ""
        return out


def _merges_in(data: bytes) -> tuple[tuple[int, int, int, int], ...]:
    """A sheet part's <mergeCell> ranges, found in its bytes: "<mergeCell" can only be markup (in text it
    is escaped), and most sheets have none, so a search costs no parse."""
    start = data.find(b"mergeCell")
    if start < 0:
        return ()
    found = []
    for match in _MERGE_REF.finditer(data, max(0, start - 16)):
        try:
            (top, left), (bottom, right) = parse_range(match.group(1).decode("ascii").replace("$", ""))
        except ValueError:
            continue  # a ref no spreadsheet would write: as good as no merge
        found.append((min(top, bottom), min(left, right), max(top, bottom), max(left, right)))
        if len(found) >= MAX_MERGES:
            break
    return tuple(found)


def covers(done: tuple[int, int, int, int], wanted: tuple[int, int, int, int]) -> bool:
    """A read of the box done (top, left, bottom, right) holds every cell of the box wanted."""
    return done[0] <= wanted[0] and done[1] <= wanted[1] and done[2] >= wanted[2] and done[3] >= wanted[3]


def _table_of(root: etree._Element) -> tuple[str, str, str, tuple[str, ...]]:
    """(name, display name, ref, column names) of a table part."""
    columns = tuple(decode_xstring(c.get("name") or "") for c in root.iter() if opc.local(c.tag) == "tableColumn")
    name = root.get("name") or root.get("displayName") or ""
    return name, root.get("displayName") or name, root.get("ref") or "", columns


def _names_of(view: WorkbookView, by_name: dict[str, str]) -> dict[str, DefinedName]:
    out = {}
    for name, local_sheet, text in view.names:
        if local_sheet is not None:
            continue
        m = _NAME_REF.match(text.strip())
        if not m or not name:
            continue
        sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
        sheet = by_name.get(sheet.casefold())
        ref = m.group(3).replace("$", "").upper()
        try:
            parse_range(ref)
        except ValueError:
            continue
        if sheet is not None:
            out[name] = DefinedName(name, sheet, ref)
    return out
