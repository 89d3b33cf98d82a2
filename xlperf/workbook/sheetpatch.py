"""Rewriting cell values inside one worksheet part while keeping styles, order and everything else.

A plain template sheet takes bytepatch.py's byte-level path; anything else (formulas, cells to
create, explicit styles, prefixes) is patched here on the lxml tree and serialised again.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from xlperf.book.a1 import parse_range, to_a1
from xlperf.workbook.bytepatch import fast_patch, number_text, prepare  # noqa: F401 - number_text re-exported
from xlperf.workbook.opc import XML_NS, local
from xlperf.workbook.sheetread import child, expand_shared
from xlperf.workbook.sheettree import SheetTree
from xlperf.workbook.xmlsafe import parse_xml

_SPACE = f"{{{XML_NS}}}space"
_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class SheetPatch:
    xml: bytes
    formulas_removed: bool  # some formula cell lost its formula: the workbook's calcChain is now stale


def _clear(c: etree._Element) -> bool:
    """Drop value and formula, keep the style; True if a formula went."""
    had_formula = False
    for ch in list(c):
        name = local(ch.tag)
        if name in ("f", "v", "is"):
            had_formula |= name == "f"
            c.remove(ch)
    for attr in ("t", "cm", "vm"):
        c.attrib.pop(attr, None)
    return had_formula


def _add(c: etree._Element, el: etree._Element) -> None:
    ext = child(c, "extLst")
    if ext is not None:
        ext.addprevious(el)
    else:
        c.append(el)


def _set(c: etree._Element, prepared: tuple[str, str] | None, sheet: SheetTree) -> None:
    """Write a value prepared by bytepatch.prepare: (kind, text) with kind "b", "s" (inline text) or "n"."""
    if prepared is None:
        return
    kind, text = prepared
    if kind == "s":
        c.set("t", "inlineStr")
        el = etree.Element(sheet.tag_is)
        t = etree.SubElement(el, sheet.tag_t)
        t.set(_SPACE, "preserve")
        t.text = text
    else:
        if kind == "b":
            c.set("t", "b")
        el = etree.Element(sheet.tag_v)
        el.text = text
    _add(c, el)


def _release_formulas(sheet: SheetTree, wiped: set[tuple[int, int]]) -> bool:
    """Keep formulas that depend on wiped cells' <f> elements valid; True if any formula was dropped.

    A shared-formula master that is overwritten takes its followers' text with it, so each surviving
    follower gets its own formula (relative references shifted, as Excel does when it expands).
    A follower whose formula cannot be rebuilt keeps its cached value as a constant.
    An array formula with any wiped cell in its range is reduced to its cached values: Excel refuses
    to change part of an array, so writing into one must end the array.
    """
    removed = False
    masters: dict[str, tuple[str, tuple[int, int]]] = {}
    followers: dict[str, list[tuple[tuple[int, int], etree._Element]]] = {}
    for pos, c in sheet.cells.items():
        f = child(c, "f")
        if f is None:
            continue
        kind = f.get("t")
        if kind == "shared" and f.get("si") is not None:
            if f.text:
                masters.setdefault(f.get("si"), (f.text, pos))
            else:
                followers.setdefault(f.get("si"), []).append((pos, f))
        elif kind == "array" and pos not in wiped:
            try:
                (r1, c1), (r2, c2) = parse_range(f.get("ref") or to_a1(*pos))
            except ValueError:
                (r1, c1), (r2, c2) = pos, pos
            if any(r1 <= r <= r2 and c1 <= k <= c2 for r, k in wiped):
                c.remove(f)
                c.attrib.pop("cm", None)
                removed = True
    for si, (text, origin) in masters.items():
        if origin not in wiped:
            continue
        for pos, f in followers.get(si, ()):
            if pos in wiped:
                continue
            expanded = expand_shared(text, origin, pos)
            if expanded:
                for attr in ("t", "si", "ref"):
                    f.attrib.pop(attr, None)  # other flags such as ca= (always recalculate) still apply
                f.text = expanded
            else:
                f.getparent().remove(f)
                removed = True
    return removed


def _styles_from_above(sheet: SheetTree, values: dict[tuple[int, int], object]) -> dict[tuple[int, int], int]:
    missing = [pos for pos in values if pos not in sheet.cells]
    if not missing:
        return {}
    styled: dict[int, tuple[int, int]] = {}
    for (r, c), el in sheet.cells.items():  # document order
        s = el.get("s")
        if s is not None and s.isdigit():
            styled[c] = (r, int(s))
    return {pos: styled[pos[1]][1] for pos in missing if pos[1] in styled and styled[pos[1]][0] < pos[0]}


def patch_sheet(
    xml: bytes,
    values: dict[tuple[int, int], object],
    *,
    styles: dict[tuple[int, int], int] | None = None,
    clear_rows_from: int | None = None,
    part: str = "worksheet",
    styles_from_above: bool = False,
) -> SheetPatch:
    """Write values (and styles) into one worksheet's XML and report whether any formula was lost.

    Decimal/int/float become numbers, str always becomes inline text (even "=1+1" or "#REF!"), bool
    becomes TRUE/FALSE and None empties the cell. Existing cells keep their s= style unless styles
    names one; missing rows and cells are created in sorted order; <dimension> is recomputed. With
    clear_rows_from, every cell on that row or below loses value and formula first (styles stay).
    With styles_from_above, a cell that does not exist yet takes the style of the last styled cell
    above it in its column (rows added below a prepared block); styles given explicitly win.
    """
    styles = styles or {}
    prepared = prepare(values, styles)
    if not styles:
        fast = fast_patch(xml, prepared, clear_rows_from, styles_from_above)
        if fast is not None:
            return SheetPatch(fast, False)
    root = parse_xml(xml, part)
    sheet = SheetTree(root, part)
    if styles_from_above:
        styles = {**_styles_from_above(sheet, values), **styles}
    wiped = set(values)
    if clear_rows_from is not None:
        wiped.update(pos for pos in sheet.cells if pos[0] >= clear_rows_from)
    removed = _release_formulas(sheet, wiped)
    for pos in sorted(wiped):
        if pos in sheet.cells:
            removed |= _clear(sheet.cells[pos])
    for pos in sorted(set(values) | set(styles)):
        value = prepared.get(pos)
        if value is None and pos not in styles:
            continue  # emptied above already, or nothing to create
        c = sheet.cell(pos)
        if pos in styles:
            c.set("s", str(styles[pos]))
        _set(c, value, sheet)
    sheet.update_dimension()
    body = etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=False)
    return SheetPatch(_DECL + body, removed)


def patch_sheet_xml(
    xml: bytes,
    values: dict[tuple[int, int], object],
    *,
    styles: dict[tuple[int, int], int] | None = None,
    clear_rows_from: int | None = None,
    styles_from_above: bool = False,
) -> bytes:
    """patch_sheet without the report; write_package finds dropped formulas itself."""
    return patch_sheet(xml, values, styles=styles, clear_rows_from=clear_rows_from,
                       styles_from_above=styles_from_above).xml
