"""The Excel front of the macro-enabled template: what the .xlsm has that the .xlsx has not.

The template builder calls ``before_save(wb)`` on the openpyxl workbook and ``after_save(path)``
on the saved package (both only for an .xlsm):

- before: code names matching the VBA project's document modules (ThisWorkbook, Sheet1 … SheetN,
  see vba.py), the hidden ``xlwings.conf`` sheet naming the worksheet-function module, and on the
  说明 sheet a section listing the actions (a button beside each) and the worksheet functions;
- after: what openpyxl cannot write — the ribbon (customUI/customUI14.xml and its package
  relationship) and the buttons, DrawingML shapes with a ``macro`` attribute anchored beside their
  rows. A shape button, unlike a form control, needs no VML and shows in LibreOffice too.

The package edit rewrites the zip with fixed member dates, keeping every member's bytes apart
from the parts it extends.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.workbook.workbook import Workbook

from ..workbook import styles as S
from ..workbook.atomic import open_temp
from .catalog import ACTIONS, FUNCTIONS

CONF_SHEET = "xlwings.conf"
UDF_MODULE = "xlperf.excel.udfs"
README = "说明"
CUSTOM_UI = "customUI/customUI14.xml"
REL_UI14 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
ROW_HEIGHT = 30  # points: a button's row
WIDTH, HEIGHT = 1152000, 304800  # EMU: inside column A (width 18) and a 30-point row
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def before_save(wb: Workbook) -> list[int]:
    """Code names, the xlwings.conf sheet and the 说明 section; returns the rows of the buttons."""
    wb.code_name = "ThisWorkbook"
    conf = wb.create_sheet(CONF_SHEET)
    conf["A1"], conf["B1"] = "UDF Modules", UDF_MODULE
    conf.sheet_state = "hidden"
    for n, ws in enumerate(wb.worksheets, start=1):
        ws.sheet_properties.codeName = f"Sheet{n}"
    return _readme_section(wb[README])


def _readme_section(ws) -> list[int]:
    """The actions (button rows) and the worksheet functions below the 说明 sheet's steps."""
    ws.column_dimensions["A"].width = 18
    row = ws.max_row + 2
    ws.cell(row, 1, "Excel 中的操作（打开文件时请启用宏；也可用“绩效评价”选项卡）").font = S.BLOCK_TITLE
    button_rows = []
    for action in ACTIONS:
        row += 1
        ws.row_dimensions[row].height = ROW_HEIGHT
        cell = ws.cell(row, 2, action.what)
        cell.font, cell.alignment = S.BODY, S.LEFT_CENTER
        button_rows.append(row)
    row += 2
    ws.cell(row, 1, "工作表函数（先点“导入工作表函数”，之后可在任意单元格使用）").font = S.BLOCK_TITLE
    for fn in FUNCTIONS:
        row += 1
        head = ws.cell(row, 1, fn.name.upper())
        head.font, head.alignment = S.BOLD, S.WRAP_TOP
        text = f"{fn.signature}：{fn.what}\n示例：{fn.example} → {fn.returns}"
        body = ws.cell(row, 2, text)
        body.font, body.alignment = S.BODY, S.WRAP_TOP
        body.quotePrefix = True  # the example formula is text, never evaluated
        # Column B holds about 45 CJK characters a line at 10 pt; one more line for the example.
        first_line = len(text.split("\n")[0])
        ws.row_dimensions[row].height = 14 * (2 + (first_line - 1) // 45)
    return button_rows


def after_save(path: str | Path, rows: list[int]) -> None:
    """The ribbon and the buttons (beside ``rows`` of the 说明 sheet) added to the saved package."""
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        members = [(info.filename, z.read(info), info.compress_type) for info in z.infolist()]
    parts = {name: data for name, data, _ in members}
    readme_part = _first_sheet_part(parts)
    drawing = "xl/drawings/xlperfButtons.xml"
    edits = {
        "_rels/.rels": _add_rel(parts["_rels/.rels"], "rIdXlperfUi", REL_UI14, CUSTOM_UI),
        "[Content_Types].xml": _add_override(parts["[Content_Types].xml"], "/" + drawing, CT_DRAWING),
        readme_part: _add_drawing_ref(parts[readme_part]),
    }
    rels = _rels_name(readme_part)
    edits[rels] = _add_rel(parts.get(rels, _EMPTY_RELS), "rIdXlperfButtons", REL_DRAWING,
                           posixpath.relpath(drawing, posixpath.dirname(readme_part)))
    new = {CUSTOM_UI: (Path(__file__).parent / "customUI14.xml").read_bytes(), drawing: buttons_drawing(rows)}
    # An xlperf temp, not mkstemp's: mkstemp makes the file 0600, and the template, renamed from it, could not
    # be read by the units it is shared with; the name is one a later write cleans up if this one is killed.
    tmp, fd = open_temp(path)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as out:
            written = set()
            for name, data, _ in members:
                _write(out, name, edits.get(name, data))
                written.add(name)
            for name, data in {**new, **{k: v for k, v in edits.items() if k not in written}}.items():
                _write(out, name, data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write(out: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    out.writestr(info, data)


_EMPTY_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')


def _first_sheet_part(parts: dict[str, bytes]) -> str:
    """The part of the 说明 sheet: the workbook's first sheet, through its relationship."""
    from lxml import etree

    wb = etree.fromstring(parts["xl/workbook.xml"])
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    first = wb.find("m:sheets/m:sheet", ns)
    assert first.get("name") == README, "the 说明 sheet must come first"
    rid = first.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    for rel in etree.fromstring(parts["xl/_rels/workbook.xml.rels"]):
        if rel.get("Id") == rid:
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    raise KeyError(rid)


def _rels_name(part: str) -> str:
    head, _, base = part.rpartition("/")
    return f"{head}/_rels/{base}.rels"


def _add_rel(xml: bytes, rid: str, rel_type: str, target: str) -> bytes:
    rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'.encode()
    assert rid.encode() not in xml
    return xml.replace(b"</Relationships>", rel + b"</Relationships>")


def _add_override(xml: bytes, part: str, content_type: str) -> bytes:
    el = f'<Override PartName="{part}" ContentType="{content_type}"/>'.encode()
    return xml.replace(b"</Types>", el + b"</Types>")


# CT_Worksheet children that come after <drawing> (ECMA-376 Part 1, 18.3.1.99).
_AFTER_DRAWING = (b"<legacyDrawing", b"<legacyDrawingHF", b"<drawingHF", b"<picture", b"<oleObjects", b"<controls",
                  b"<webPublishItems", b"<tableParts", b"<extLst", b"</worksheet>")


def _add_drawing_ref(xml: bytes) -> bytes:
    assert b"<drawing " not in xml, "the 说明 sheet already has a drawing"
    at = min(i for i in (xml.find(tag) for tag in _AFTER_DRAWING) if i >= 0)
    ref = (b'<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
           b' r:id="rIdXlperfButtons"/>')
    return xml[:at] + ref + xml[at:]


def buttons_drawing(rows: list[int]) -> bytes:
    """One rounded-rectangle shape per action in column A of its row, running the action's macro."""
    anchors = []
    for n, (action, row) in enumerate(zip(ACTIONS, rows), start=2):
        r = row - 1  # anchors count rows and columns from 0
        anchors.append(
            f'<xdr:oneCellAnchor>'
            f'<xdr:from><xdr:col>0</xdr:col><xdr:colOff>38100</xdr:colOff><xdr:row>{r}</xdr:row>'
            f'<xdr:rowOff>38100</xdr:rowOff></xdr:from><xdr:ext cx="{WIDTH}" cy="{HEIGHT}"/>'
            f'<xdr:sp macro="[0]!{action.macro}" textlink="">'
            f'<xdr:nvSpPr><xdr:cNvPr id="{n}" name="{action.macro}" descr="{escape(action.caption)}"/>'
            f'<xdr:cNvSpPr/></xdr:nvSpPr>'
            f'<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{WIDTH}" cy="{HEIGHT}"/></a:xfrm>'
            f'<a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom>'
            f'<a:solidFill><a:srgbClr val="5B9BD5"/></a:solidFill><a:ln w="9525"><a:solidFill>'
            f'<a:srgbClr val="41719C"/></a:solidFill></a:ln></xdr:spPr>'
            f'<xdr:txBody><a:bodyPr vertOverflow="clip" horzOverflow="clip" wrap="square" lIns="36000" rIns="36000"'
            f' rtlCol="0" anchor="ctr"/><a:lstStyle/><a:p><a:pPr algn="ctr"/><a:r>'
            f'<a:rPr lang="zh-CN" altLang="en-US" sz="1050" b="1"><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>'
            f'<a:latin typeface="{S.FONT_NAME}"/><a:ea typeface="{S.FONT_NAME}"/></a:rPr>'
            f'<a:t>{escape(action.caption)}</a:t></a:r></a:p></xdr:txBody></xdr:sp>'
            f'<xdr:clientData fPrintsWithSheet="0"/></xdr:oneCellAnchor>'
        )
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"'
            ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            + "".join(anchors) + "</xdr:wsDr>").encode()
