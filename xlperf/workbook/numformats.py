"""The number format code of cells in a package: what verify needs to see how an output cell is shown.

Only verify asks, for a few hundred output cells, so the sheet and styles.xml are parsed with lxml (the
hardened parser) rather than through the value scanner of the fill path.
"""

from __future__ import annotations

from xlperf.book.a1 import from_a1
from xlperf.workbook import opc
from xlperf.workbook.package import Package

# Excel's built-in formats by id (ECMA-376 §18.8.30), those a number cell is likely to carry.
BUILT_IN = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
            12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy",
            18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
            37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)",
            40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@"}


def number_formats(pkg: Package, sheet: str, positions: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The format code of each position asked for ("General" for a cell with no style or no cell)."""
    codes = _xf_codes(pkg)
    member = pkg.member(pkg.sheet(sheet).part)
    found = dict.fromkeys(positions, "General")
    if member is None:
        return found
    for el in pkg.xml_of(member).iter():
        if not isinstance(el.tag, str) or opc.local(el.tag) != "c":
            continue
        ref = el.get("r")
        try:
            pos = from_a1(ref) if ref else None
        except ValueError:
            continue
        if pos in found:
            try:
                found[pos] = codes[int(el.get("s") or 0)]
            except (ValueError, IndexError):
                pass  # a style index past the table: Excel shows General
    return found


def _xf_codes(pkg: Package) -> list[str]:
    member = pkg.related_member(pkg.workbook_part, "styles")
    if member is None:
        return ["General"]
    root = pkg.xml_of(member)
    custom: dict[int, str] = {}
    xfs: list[str] = []
    for el in root:
        if not isinstance(el.tag, str):
            continue
        if opc.local(el.tag) == "numFmts":
            for fmt in el:
                try:
                    custom[int(fmt.get("numFmtId"))] = fmt.get("formatCode") or "General"
                except (TypeError, ValueError):
                    continue
        elif opc.local(el.tag) == "cellXfs":
            for xf in el:
                try:
                    fmt_id = int(xf.get("numFmtId") or 0)
                except ValueError:
                    fmt_id = 0
                xfs.append(custom.get(fmt_id) or BUILT_IN.get(fmt_id, "General"))
    return xfs or ["General"]
