"""Where each of the layout's sheets is in a workbook whose unit may have renamed some of them.

Units rename sheets (基本信息 → 基本信息（甲单位）). Excel, WPS and LibreOffice rewrite the sheet's defined
names as they rename it, and its tables go with it, so the template's own names still say which sheet
is which. A layout sheet missing by its name is the one workbook sheet its names and tables point at,
provided that sheet has no layout name of its own; anything less certain leaves it missing, as before.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .layout import Layout
from .protocol import Area, Table


def located_sheets(layout: Layout, names: Mapping[str, Area], tables: Mapping[str, Table],
                   present: Iterable[str]) -> dict[str, str]:
    """Layout sheet name → the workbook's sheet, for every layout sheet found (by name, or by its names)."""
    present = set(present)
    found = {s.name: s.name for s in layout.sheets if s.name in present}
    wanted = {s.name for s in layout.sheets} - found.keys()
    if not wanted:
        return found
    seen: dict[str, set[str]] = {}
    for name, area in [*names.items(), *((n, t.area) for n, t in tables.items())]:
        home = layout.home_of(name)
        if home in wanted and area.sheet in present:
            seen.setdefault(home, set()).add(area.sheet)
    taken = {s.name for s in layout.sheets}
    claims: dict[str, list[str]] = {}  # workbook sheet → the layout sheets that point at it
    for home, sheets in seen.items():
        if len(sheets) == 1 and not (sheets & taken):
            claims.setdefault(next(iter(sheets)), []).append(home)
    for sheet, homes in claims.items():
        if len(homes) == 1:  # two layout sheets merged into one is no rename
            found[homes[0]] = sheet
    return found
