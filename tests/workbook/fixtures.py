"""Builders for the fill tests: templates from the example data, hand-made package edits, hostile files.

Everything here works on the zip package with zipfile + lxml only (no openpyxl load/save), so the
features openpyxl would drop (macro buttons, x14 extensions, customUI14, printer settings) can be
added to a template after openpyxl has written it.
"""

from __future__ import annotations

import copy
import io
import posixpath
import struct
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from unittest import mock

from lxml import etree

from wb_builders import deflated_zeros, raw_zip  # noqa: F401 - re-exported for the tests
from xlperf.examples import reference_data
from xlperf.engine.system import load
from xlperf.workbook import template as _template
from xlperf.workbook.bundled import macro_project
from xlperf.book.layout import name_for
from xlperf.workbook.template import build_template

SYSTEM = "shenzhen-2024"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
CUSTOM_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

REL_DRAWING = f"{R}/drawing"
REL_PRINTER = f"{R}/printerSettings"
REL_WORKSHEET = f"{R}/worksheet"
REL_SHARED = f"{R}/sharedStrings"
REL_CUSTOM_PROPS = f"{R}/custom-properties"
REL_UI14 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"

CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_PRINTER = "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_SHARED = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
CT_CUSTOM_PROPS = "application/vnd.openxmlformats-officedocument.custom-properties+xml"

URI_X14_DV = "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"
URI_SPARKLINES = "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"
MACRO = "[0]!Recompute"
DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# The parts xlperf owns and rewrites: everything else in a package must come out byte for byte.
OWNED_SHEETS = ("计算指标", "评分表", "校验结果", "_xlperf")

# CT_Worksheet child order (ECMA-376 Part 1, 18.3.1.99): new children go in their schema place.
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
    "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst",
)


def example_data(**changes) -> dict:
    """A deep copy of the reference unit's data with top-level keys replaced."""
    data = copy.deepcopy(reference_data())
    data.update(copy.deepcopy(changes))
    return data


@contextmanager
def before_save(hook):
    """Let ``hook(workbook)`` add openpyxl features to the template before build_template saves it."""
    original = _template._Builder.build

    def build(self):
        wb = original(self)
        hook(wb)
        return wb

    with mock.patch.object(_template._Builder, "build", build):
        yield


def build_example(path: Path, data: dict | None = None, *, vba: bool = False, hook=None) -> Path:
    """The example workbook (or one with other data) built by xlperf's own template builder."""
    data = reference_data() if data is None else data
    kwargs = {"data": data, "vba_project": macro_project() if vba else None}
    if hook is None:
        build_template(path, load(SYSTEM), **kwargs)
    else:
        with before_save(hook):
            build_template(path, load(SYSTEM), **kwargs)
    return path


# -- reading and rewriting packages by hand -----------------------------------------------------------


class Pkg:
    """A package as an ordered dict of member bytes (plus each member's compression), edited in place."""

    def __init__(self, path: Path):
        self.members: dict[str, bytes] = {}
        self.compression: dict[str, int] = {}
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                self.members[info.filename] = zf.read(info)
                self.compression[info.filename] = info.compress_type

    # parts
    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.members[name])

    def put_xml(self, name: str, root: etree._Element) -> None:
        self.put(name, DECL + etree.tostring(root, encoding="UTF-8"))

    def put(self, name: str, data: bytes) -> None:
        self.members[name] = data
        self.compression.setdefault(name, zipfile.ZIP_DEFLATED)

    def remove(self, name: str) -> None:
        del self.members[name]
        del self.compression[name]

    def save(self, path: Path) -> Path:
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in self.members.items():
                zf.writestr(name, data, compress_type=self.compression[name])
        return path

    # workbook structure
    @property
    def workbook_part(self) -> str:
        for rel in self.xml("_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target").lstrip("/")
        raise KeyError("officeDocument")

    def rels_name(self, part: str) -> str:
        head, _, base = part.rpartition("/")
        return f"{head}/_rels/{base}.rels" if head else f"_rels/{base}.rels"

    def rels(self, part: str) -> etree._Element:
        name = self.rels_name(part)
        if name in self.members:
            return self.xml(name)
        return etree.Element(f"{{{PKG_RELS}}}Relationships", nsmap={None: PKG_RELS})

    def add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        """Relate part to target_part; returns the new relationship id."""
        root = self.rels(part)
        ids = {el.get("Id") for el in root}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        base = posixpath.dirname(part) if part != "" else ""
        target = posixpath.relpath(target_part, base) if base else target_part
        etree.SubElement(root, f"{{{PKG_RELS}}}Relationship", Id=rid, Type=rel_type, Target=target)
        self.put_xml(self.rels_name(part) if part else "_rels/.rels", root)
        return rid

    def add_override(self, part: str, content_type: str) -> None:
        root = self.xml("[Content_Types].xml")
        etree.SubElement(root, f"{{{CT_NS}}}Override", PartName="/" + part, ContentType=content_type)
        self.put_xml("[Content_Types].xml", root)

    def related(self, part: str, type_suffix: str) -> list[tuple[str, str]]:
        """(relationship id, target part) of part's relationships whose type ends with type_suffix."""
        return [(el.get("Id"), resolve(part, el.get("Target"))) for el in self.rels(part)
                if el.get("Type", "").endswith(type_suffix)]

    def sheet_parts(self) -> dict[str, str]:
        """Sheet name -> worksheet part, through workbook.xml and its relationships."""
        wb_part = self.workbook_part
        targets = dict(self.related(wb_part, ""))
        return {sheet.get("name"): targets[sheet.get(f"{{{R}}}id")]
                for sheet in self.xml(wb_part).iter(f"{{{MAIN}}}sheet")}

    def sheet_part(self, sheet: str) -> str:
        return self.sheet_parts()[sheet]

    def defined_name(self, name: str) -> tuple[str, str]:
        """(sheet, A1) a workbook-scope defined name points at."""
        for el in self.xml(self.workbook_part).iter(f"{{{MAIN}}}definedName"):
            if el.get("name") == name:
                sheet, _, ref = el.text.rpartition("!")
                return sheet.strip("'").replace("''", "'"), ref.replace("$", "")
        raise KeyError(name)


def resolve(source: str, target: str) -> str:
    """The part name a relationship target of source points at (openpyxl writes some as absolute)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def insert_in_order(root: etree._Element, el: etree._Element, order=WORKSHEET_ORDER) -> None:
    """Insert el among root's children where the schema sequence wants it."""
    rank = order.index(etree.QName(el).localname)
    for i, ch in enumerate(root):
        name = etree.QName(ch).localname if isinstance(ch.tag, str) else ""
        if name in order and order.index(name) > rank:
            root.insert(i, el)
            return
    root.append(el)


def sheet_child(root: etree._Element, tag: str) -> etree._Element:
    """The worksheet's child element of that name, made in its place in the schema order if missing."""
    found = root.find(f"{{{MAIN}}}{tag}")
    if found is None:
        found = etree.Element(f"{{{MAIN}}}{tag}")
        insert_in_order(root, found)
    return found


# -- cells ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Err:
    """An error value cell (t="e"), which patch_sheet_xml cannot write."""

    code: str


@dataclass(frozen=True)
class Formula:
    """A formula cell, with or without the cached result Excel would have saved."""

    text: str
    cached: object = None


def _col_row(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col, int(ref[len(letters):])


def _emptied_cell(row_el, ref: str, col: int, found=None):
    """The row's cell at ref, inserted in column order if absent, with its value and type removed."""
    c = found if found is not None else next((c for c in row_el if c.get("r") == ref), None)
    if c is None:
        c = etree.Element(f"{{{MAIN}}}c", r=ref)
        later = [x for x in row_el if _col_row(x.get("r"))[0] > col]
        (later[0].addprevious(c) if later else row_el.append(c))
    for ch in list(c):
        c.remove(ch)
    c.attrib.pop("t", None)
    return c


def set_cells(pkg: Pkg, sheet: str, values: dict[str, object]) -> None:
    """Write values into a sheet's XML by hand: None blanks a cell, Err an error, Formula a formula, str inline text."""
    part = pkg.sheet_part(sheet)
    root = pkg.xml(part)
    data = root.find(f"{{{MAIN}}}sheetData")
    for ref, value in values.items():
        col, row = _col_row(ref)
        row_el = next((r for r in data if r.get("r") == str(row)), None)
        if row_el is None:
            row_el = etree.Element(f"{{{MAIN}}}row", r=str(row))
            later = [r for r in data if int(r.get("r")) > row]
            (later[0].addprevious(row_el) if later else data.append(row_el))
        c = _emptied_cell(row_el, ref, col)
        if value is None:
            continue
        if isinstance(value, Formula):
            etree.SubElement(c, f"{{{MAIN}}}f").text = value.text
            if value.cached is not None:
                etree.SubElement(c, f"{{{MAIN}}}v").text = str(value.cached)
        elif isinstance(value, Err):
            c.set("t", "e")
            etree.SubElement(c, f"{{{MAIN}}}v").text = value.code
        elif isinstance(value, (int, Decimal)):
            etree.SubElement(c, f"{{{MAIN}}}v").text = str(value)
        else:
            c.set("t", "inlineStr")
            etree.SubElement(etree.SubElement(c, f"{{{MAIN}}}is"), f"{{{MAIN}}}t").text = str(value)
    pkg.put_xml(part, root)


def field_cell(pkg: Pkg, path: str) -> tuple[str, str]:
    """(sheet, A1) of a single-value input field, through its defined name."""
    return pkg.defined_name(name_for(path))


def table_cell(pkg: Pkg, sheet: str, table: str, header: str, row: int = 0) -> str:
    """A1 of data row ``row`` (0-based) under column ``header`` of table ``table`` on ``sheet``."""
    for _, tpart in pkg.related(pkg.sheet_part(sheet), "/table"):
        troot = pkg.xml(tpart)
        if troot.get("displayName") != table:
            continue
        first = troot.get("ref").split(":")[0]
        col0, row0 = _col_row(first)
        names = [c.get("name") for c in troot.iter(f"{{{MAIN}}}tableColumn")]
        col = col0 + names.index(header)
        letters = ""
        while col:
            col, rem = divmod(col - 1, 26)
            letters = chr(65 + rem) + letters
        return f"{letters}{row0 + 1 + row}"
    raise KeyError(table)


# -- features openpyxl cannot write -------------------------------------------------------------------

BUTTON_DRAWING = f"""<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}" xmlns:r="{R}">
<xdr:twoCellAnchor editAs="absolute">
<xdr:from><xdr:col>4</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>
<xdr:to><xdr:col>6</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>3</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>
<xdr:sp macro="{MACRO}" textlink="">
<xdr:nvSpPr><xdr:cNvPr id="2" name="计算评分按钮"/><xdr:cNvSpPr/></xdr:nvSpPr>
<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1800000" cy="400000"/></a:xfrm>
<a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="5B9BD5"/></a:solidFill></xdr:spPr>
<xdr:txBody><a:bodyPr vertOverflow="clip" wrap="square" rtlCol="0" anchor="ctr"/><a:lstStyle/>
<a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="zh-CN" sz="1100"/><a:t>计算评分</a:t></a:r></a:p></xdr:txBody>
</xdr:sp><xdr:clientData/></xdr:twoCellAnchor>
<xdr:oneCellAnchor>
<xdr:from><xdr:col>7</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>
<xdr:ext cx="381000" cy="381000"/>
<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="3" name="单位标志"/><xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr>
</xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rIdLogo"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>
<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="381000" cy="381000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>
</a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>""".encode()

X14_DV_EXT = f"""<ext xmlns="{MAIN}" uri="{URI_X14_DV}" xmlns:x14="{X14}">
<x14:dataValidations xmlns:xm="{XM}" count="1">
<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">
<x14:formula1><xm:f>说明!$A$6:$A$10</xm:f></x14:formula1><xm:sqref>E2</xm:sqref>
</x14:dataValidation></x14:dataValidations></ext>"""

SPARKLINE_EXT = f"""<ext xmlns="{MAIN}" uri="{URI_SPARKLINES}" xmlns:x14="{X14}">
<x14:sparklineGroups xmlns:xm="{XM}">
<x14:sparklineGroup displayEmptyCellsAs="gap"><x14:colorSeries rgb="FF376092"/>
<x14:sparklines><x14:sparkline><xm:f>预算执行!B3:E3</xm:f><xm:sqref>F3</xm:sqref></x14:sparkline></x14:sparklines>
</x14:sparklineGroup></x14:sparklineGroups></ext>"""

CUSTOM_UI14 = """<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui">
<ribbon><tabs><tab id="xlperfTab" label="绩效评价"><group id="xlperfGroup" label="xlperf">
<button id="recompute" label="计算评分" size="large" imageMso="Calculator" onAction="Recompute"/>
</group></tab></tabs></ribbon></customUI>""".encode()

CUSTOM_XML = f"""<Properties xmlns="{CUSTOM_PROPS}" xmlns:vt="{VT}">
<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="项目编号"><vt:lpwstr>SZ-2024-001</vt:lpwstr></property>
<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="3" name="审核人"><vt:lpwstr>张三</vt:lpwstr></property>
</Properties>""".encode()

# A fake DEVMODE: device name in UTF-16, then padding; Excel stores the driver's blob as is.
PRINTER_BIN = "Microsoft Print to PDF".encode("utf-16-le").ljust(64, b"\0") + bytes(range(256)) * 2

USER_SHEET = "我的备注"
USER_SHEET_XML = f"""<worksheet xmlns="{MAIN}" xmlns:r="{R}"><dimension ref="A1:B2"/>
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>自己的笔记</t></is></c></row>
<row r="2"><c r="A2"><v>42</v></c><c r="B2"><f>A2*2</f><v>84</v></c></row></sheetData></worksheet>""".encode()


def tiny_png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (91, 155, 213)) -> bytes:
    """A valid PNG made without Pillow."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def add_default_type(pkg: Pkg, extension: str, content_type: str) -> None:
    root = pkg.xml("[Content_Types].xml")
    if not any(el.get("Extension", "").lower() == extension for el in root.iter(f"{{{CT_NS}}}Default")):
        root.insert(0, etree.Element(f"{{{CT_NS}}}Default", Extension=extension, ContentType=content_type))
        pkg.put_xml("[Content_Types].xml", root)


def add_drawing(pkg: Pkg, sheet: str, drawing: bytes) -> str:
    """A new drawing part on a sheet (which must not have one yet); returns the drawing part name.

    A picture in the drawing (r:embed="rIdLogo") gets a hand-made PNG, so pictures are covered
    even where openpyxl cannot write any (no Pillow).
    """
    n = 1
    while f"xl/drawings/drawing{n}.xml" in pkg.members:
        n += 1
    part = f"xl/drawings/drawing{n}.xml"
    pkg.put(part, drawing)
    pkg.add_override(part, CT_DRAWING)
    if b'r:embed="rIdLogo"' in drawing:
        media = f"xl/media/handmade{n}.png"
        pkg.put(media, tiny_png())
        add_default_type(pkg, "png", "image/png")
        rels = pkg.rels(part)
        etree.SubElement(rels, f"{{{PKG_RELS}}}Relationship", Id="rIdLogo", Type=f"{R}/image",
                         Target=f"../media/handmade{n}.png")
        pkg.put_xml(pkg.rels_name(part), rels)
    sheet_part = pkg.sheet_part(sheet)
    rid = pkg.add_rel(sheet_part, REL_DRAWING, part)
    root = pkg.xml(sheet_part)
    assert root.find(f"{{{MAIN}}}drawing") is None, f"{sheet} already has a drawing"
    insert_in_order(root, etree.Element(f"{{{MAIN}}}drawing", {f"{{{R}}}id": rid}, nsmap={"r": R}))
    pkg.put_xml(sheet_part, root)
    return part


def add_sheet_ext(pkg: Pkg, sheet: str, ext_xml: str) -> None:
    part = pkg.sheet_part(sheet)
    root = pkg.xml(part)
    sheet_child(root, "extLst").append(etree.fromstring(ext_xml))
    pkg.put_xml(part, root)


def add_printer_settings(pkg: Pkg, sheet: str) -> str:
    part = "xl/printerSettings/printerSettings1.bin"
    pkg.put(part, PRINTER_BIN)
    pkg.add_override(part, CT_PRINTER)  # an Override: in an .xlsm the .bin default is the VBA project
    sheet_part = pkg.sheet_part(sheet)
    rid = pkg.add_rel(sheet_part, REL_PRINTER, part)
    root = pkg.xml(sheet_part)
    page_setup = root.find(f"{{{MAIN}}}pageSetup")
    if page_setup is None:
        page_setup = etree.Element(f"{{{MAIN}}}pageSetup")
        insert_in_order(root, page_setup)
    page_setup.set(f"{{{R}}}id", rid)
    pkg.put_xml(sheet_part, root)
    return part


def add_custom_ui14(pkg: Pkg) -> str:
    part = "customUI/customUI14.xml"
    had_ribbon = part in pkg.members  # the .xlsm template has its own ribbon: replace its XML
    pkg.put(part, CUSTOM_UI14)
    if not had_ribbon:
        pkg.add_override(part, "application/xml")
        pkg.add_rel("", REL_UI14, part)
    return part


def add_custom_properties(pkg: Pkg) -> str:
    part = "docProps/custom.xml"
    pkg.put(part, CUSTOM_XML)
    pkg.add_override(part, CT_CUSTOM_PROPS)
    pkg.add_rel("", REL_CUSTOM_PROPS, part)
    return part


def add_user_sheet(pkg: Pkg, name: str = USER_SHEET) -> str:
    """A worksheet xlperf knows nothing about, appended last (so localSheetId of print areas stay right)."""
    wb_part = pkg.workbook_part
    n = 1
    while f"xl/worksheets/user{n}.xml" in pkg.members:
        n += 1
    part = f"xl/worksheets/user{n}.xml"
    pkg.put(part, USER_SHEET_XML)
    pkg.add_override(part, CT_WORKSHEET)
    rid = pkg.add_rel(wb_part, REL_WORKSHEET, part)
    root = pkg.xml(wb_part)
    sheets = root.find(f"{{{MAIN}}}sheets")
    sheet_id = max(int(s.get("sheetId")) for s in sheets) + 1
    etree.SubElement(sheets, f"{{{MAIN}}}sheet", {"name": name, "sheetId": str(sheet_id), f"{{{R}}}id": rid})
    pkg.put_xml(wb_part, root)
    return part


# -- openpyxl features, added before the template is saved --------------------------------------------


def openpyxl_features(wb) -> None:
    """A chart and a comment on 预算执行, comments on 基本信息, a picture on 固定资产 (with Pillow)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment

    ws = wb["预算执行"]
    chart = BarChart()
    chart.title = "预算与支出"
    chart.add_data(Reference(ws, min_col=2, max_col=5, min_row=2, max_row=7), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=7))
    ws.add_chart(chart, "H2")
    ws["A3"].comment = Comment("合计 = 基本支出 + 项目支出", "审核人")
    info = wb["基本信息"]
    info["A2"].comment = Comment("单位全称，与公章一致", "审核人")
    info["A3"].comment = Comment("评价年度（四位年份）", "审核人")
    try:
        from openpyxl.drawing.image import Image
        from PIL import Image as PILImage
    except ImportError:
        return
    buffer = io.BytesIO()
    PILImage.new("RGB", (24, 16), (91, 155, 213)).save(buffer, "PNG")
    buffer.seek(0)
    wb["固定资产"].add_image(Image(buffer), "H2")


def rich_workbook(path: Path, data: dict | None = None) -> dict[str, str]:
    """The example as a macro-enabled workbook with everything a real unit's file may carry.

    Returns feature -> part name of where each hand-made feature lives.
    """
    raw = path.with_name(path.stem + "-openpyxl" + path.suffix)
    build_example(raw, data, vba=True, hook=openpyxl_features)
    pkg = Pkg(raw)
    parts = {
        "button": add_drawing(pkg, "基本信息", BUTTON_DRAWING),
        "printer": add_printer_settings(pkg, "项目"),
        "customUI14": add_custom_ui14(pkg),
        "custom": add_custom_properties(pkg),
        "user_sheet": add_user_sheet(pkg),
    }
    add_sheet_ext(pkg, "基本信息", X14_DV_EXT)
    add_sheet_ext(pkg, "预算执行", SPARKLINE_EXT)
    parts["x14_sheet"] = parts["button_sheet"] = pkg.sheet_part("基本信息")
    parts["sparkline_sheet"] = pkg.sheet_part("预算执行")
    parts["printer_sheet"] = pkg.sheet_part("项目")
    pkg.save(path)
    raw.unlink()
    return parts


# -- hostile packages ---------------------------------------------------------------------------------


def stored_entries(pkg: Pkg) -> list[tuple[str, int, bytes, int, int]]:
    return [(name, 0, data, zlib.crc32(data), len(data)) for name, data in pkg.members.items()]


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(9))
    + b"]>\n<worksheet xmlns=\"" + MAIN.encode() + b"\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\">"
    b"<is><t>&j;</t></is></c></row></sheetData></worksheet>"
)


def add_shared_strings(pkg: Pkg, strings: list[str]) -> None:
    """Give the package a sharedStrings part (openpyxl writes inline strings only)."""
    wb_part = pkg.workbook_part
    part = posixpath.join(posixpath.dirname(wb_part), "sharedStrings.xml")
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    pkg.put(part, DECL + f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
            .encode())
    pkg.add_override(part, CT_SHARED)
    pkg.add_rel(wb_part, REL_SHARED, part)


def shared_refs(pkg: Pkg, sheet: str, refs: dict[str, int]) -> None:
    """Point cells at shared strings (t="s") by splicing text into the sheet XML (fast for 50,000 cells)."""
    part = pkg.sheet_part(sheet)
    root = pkg.xml(part)
    data = root.find(f"{{{MAIN}}}sheetData")
    by_row: dict[int, list[tuple[int, str, int]]] = {}
    for ref, index in refs.items():
        col, row = _col_row(ref)
        by_row.setdefault(row, []).append((col, ref, index))
    rows = {int(r.get("r")): r for r in data}
    for row, cells in sorted(by_row.items()):
        row_el = rows.get(row)
        if row_el is None:
            row_el = etree.SubElement(data, f"{{{MAIN}}}row", r=str(row))
            rows[row] = row_el
        existing = {c.get("r"): c for c in row_el}
        for col, ref, index in sorted(cells):
            c = _emptied_cell(row_el, ref, col, existing.get(ref))
            c.set("t", "s")
            etree.SubElement(c, f"{{{MAIN}}}v").text = str(index)
    # Rows must stay in order for Excel; the new rows were appended after the template's last row.
    ordered = sorted((r for r in data), key=lambda r: int(r.get("r")))
    for r in ordered:
        data.append(r)
    pkg.put_xml(part, root)


# -- template damage ----------------------------------------------------------------------------------


def _remove_from_workbook(pkg: Pkg, tag: str, name: str) -> None:
    wb_part = pkg.workbook_part
    root = pkg.xml(wb_part)
    for el in list(root.iter(f"{{{MAIN}}}{tag}")):
        if el.get("name") == name:
            el.getparent().remove(el)
    pkg.put_xml(wb_part, root)


def remove_sheet_entry(pkg: Pkg, sheet: str) -> None:
    """Drop a sheet's <sheet> entry from workbook.xml (its part stays, now unreferenced)."""
    _remove_from_workbook(pkg, "sheet", sheet)


def merge_cells(pkg: Pkg, sheet: str, *refs: str) -> None:
    """Merge ranges as LibreOffice does: a <mergeCell> each, the covered cells keeping what they hold."""
    part = pkg.sheet_part(sheet)
    root = pkg.xml(part)
    merges = sheet_child(root, "mergeCells")
    for ref in refs:
        etree.SubElement(merges, f"{{{MAIN}}}mergeCell", ref=ref)
    merges.set("count", str(len(merges)))
    pkg.put_xml(part, root)


def set_number_format(pkg: Pkg, sheet: str, ref: str, code: str) -> None:
    """Give one existing cell a number format of its own, as Format Cells does: a new numFmt and a copy of
    the cell's xf that uses it."""
    import copy

    styles_part = next(t for _, t in pkg.related(pkg.workbook_part, "/styles"))
    styles = pkg.xml(styles_part)
    fmts = styles.find(f"{{{MAIN}}}numFmts")
    if fmts is None:
        fmts = etree.Element(f"{{{MAIN}}}numFmts")
        styles.insert(0, fmts)
    fmt_id = str(max([163] + [int(f.get("numFmtId")) for f in fmts]) + 1)
    etree.SubElement(fmts, f"{{{MAIN}}}numFmt", numFmtId=fmt_id, formatCode=code)
    fmts.set("count", str(len(fmts)))
    part = pkg.sheet_part(sheet)
    root = pkg.xml(part)
    cell = next(c for c in root.iter(f"{{{MAIN}}}c") if c.get("r") == ref)
    xfs = styles.find(f"{{{MAIN}}}cellXfs")
    xf = copy.deepcopy(xfs[int(cell.get("s") or 0)])
    xf.set("numFmtId", fmt_id)
    xf.set("applyNumberFormat", "1")
    xfs.append(xf)
    xfs.set("count", str(len(xfs)))
    cell.set("s", str(len(xfs) - 1))
    pkg.put_xml(styles_part, styles)
    pkg.put_xml(part, root)


def rename_sheet(pkg: Pkg, old: str, new: str) -> None:
    """Rename a sheet as Excel, WPS and LibreOffice do: its <sheet> entry and every defined name on it."""
    wb_part = pkg.workbook_part
    root = pkg.xml(wb_part)
    for el in root.iter(f"{{{MAIN}}}sheet"):
        if el.get("name") == old:
            el.set("name", new)
    for el in root.iter(f"{{{MAIN}}}definedName"):
        sheet, _, ref = (el.text or "").rpartition("!")
        if sheet.strip("'").replace("''", "'") == old:
            el.text = "'" + new.replace("'", "''") + "'!" + ref
    pkg.put_xml(wb_part, root)


def remove_defined_name(pkg: Pkg, name: str) -> None:
    _remove_from_workbook(pkg, "definedName", name)


def remove_table(pkg: Pkg, sheet: str, table: str) -> None:
    """Remove an Excel table cleanly: its tablePart, relationship, part and content-type override."""
    part = pkg.sheet_part(sheet)
    for rid, tpart in pkg.related(part, "/table"):
        if pkg.xml(tpart).get("displayName") != table:
            continue
        rels = pkg.rels(part)
        for el in list(rels):
            if el.get("Id") == rid:
                rels.remove(el)
        pkg.put_xml(pkg.rels_name(part), rels)
        root = pkg.xml(part)
        for el in list(root.iter(f"{{{MAIN}}}tablePart")):
            if el.get(f"{{{R}}}id") == rid:
                parent = el.getparent()
                parent.remove(el)
                parent.set("count", str(len(parent)))
                if not len(parent):
                    parent.getparent().remove(parent)
        pkg.put_xml(part, root)
        pkg.remove(tpart)
        types = pkg.xml("[Content_Types].xml")
        for el in list(types):
            if el.get("PartName") == "/" + tpart:
                types.remove(el)
        pkg.put_xml("[Content_Types].xml", types)
        return
    raise KeyError(table)
