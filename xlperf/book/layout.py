"""The one layout definition (layout.toml) and the names derived from it.

Every reader and writer — the openpyxl template builder, the package reader and
writer, the xlwings adapter — locates cells through these defined names and
table names, never through addresses of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import tomlcache
from ..engine.fields import SCALARS, TABLES

FIELD_PREFIX = "xp_"
OUT_PREFIX = "xo_"
# An input list that ends its sheet grows by typing below its last row. Excel widens the table itself;
# LibreOffice and WPS leave the rows outside it. The template validates this many rows below, and the
# reader takes the rows there that follow the table without a blank row, as Excel would have widened it.
GROW_ROWS = 200


@cache  # pure in the path; asked for every single-value input of every fill
def name_for(path: str) -> str:
    """'budget.adjusted.total' → 'xp_budget_adjusted_total'; 'quarterly.cumulative[0]' → 'xp_quarterly_cumulative_0'."""
    return FIELD_PREFIX + re.sub(r"[.\[]", "_", path).replace("]", "")


def indicator_name(indicator_id: str) -> str:
    return f"{OUT_PREFIX}ind_{indicator_id}"


def item_name(item_id: str) -> str:
    return f"{OUT_PREFIX}item_{item_id}"


def level1_name(node_id: str) -> str:
    return f"{OUT_PREFIX}l1_{node_id}"


TOTAL_NAME = f"{OUT_PREFIX}total"
FINDINGS_NAME = f"{OUT_PREFIX}findings"  # first cell of the first findings row
STAMP_NAME = f"{OUT_PREFIX}stamp"  # first value cell of the stamp block
SYSTEM_NAME_CELL = f"{OUT_PREFIX}system_name"  # title cell of the score sheet
UNIT_TITLE_CELL = f"{OUT_PREFIX}unit_title"

# Stamp keys, in row order under STAMP_NAME (value in the cell, key one column left).
STAMP_KEYS = ("xlperf_version", "system_id", "system_sha256", "inputs_sha256", "outputs_sha256", "filled_at")

# The output names each role's sheet holds: by name, and by prefix (one per indicator, item, 一级 node).
_ROLE_NAMES = {"scores": (TOTAL_NAME, SYSTEM_NAME_CELL, UNIT_TITLE_CELL), "findings": (FINDINGS_NAME,),
               "stamp": (STAMP_NAME,)}
_ROLE_PREFIXES = ((indicator_name(""), "indicators"), (item_name(""), "scores"), (level1_name(""), "scores"))

# Sheet roles, and the older per-sheet kind the template builder groups them by.
ROLES = {"readme": "readme", "inputs": "input", "table": "input", "evaluator": "evaluator",
         "indicators": "output", "scores": "output", "findings": "output", "stamp": "stamp"}


@dataclass(frozen=True)
class Column:
    """One column of a sheet or table, by key: what it is called, how wide, and what it was called before."""

    key: str
    label: str
    width: float | None = None
    was: tuple[str, ...] = ()  # former labels: a workbook filled under one of them still reads

    def answers_to(self, header: str) -> bool:
        return header == self.label or header in self.was


def _columns(raw: list) -> tuple[Column, ...]:
    out = []
    for c in raw:
        if isinstance(c, dict):
            out.append(Column(c["key"], c["label"], c.get("width"), tuple(c.get("was", ()))))
        else:  # [key, label]
            out.append(Column(c[0], c[1]))
    return tuple(out)


@dataclass(frozen=True)
class Block:
    type: str
    title: str = ""
    fields: tuple[str, ...] = ()
    path: str = ""
    rows: tuple = ()
    cols: tuple = ()
    table: str = ""
    name: str = ""
    n_rows: int = 0
    columns: tuple[Column, ...] = ()
    note: str = ""

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def matrix_paths(self) -> list[list[str | None]]:
        """Path of each matrix cell, None where the engine has no such field."""
        grid = []
        for _, row in self.rows:
            line = []
            for _, col in self.cols:
                path = self.path.format(row=row, col=col)
                line.append(path if path in SCALARS else None)
            grid.append(line)
        return grid


@dataclass(frozen=True)
class Sheet:
    name: str
    role: str  # one of ROLES
    blocks: tuple[Block, ...] = ()
    columns: tuple[Column, ...] = ()
    rows: int = 0

    @property
    def kind(self) -> str:
        """readme | input | evaluator | output | stamp: the role's family."""
        return ROLES[self.role]

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def column(self, key: str) -> int:
        """0-based position of a column by key."""
        return self.keys.index(key)


@dataclass(frozen=True)
class Layout:
    version: str
    version_name: str
    system_name: str
    sheets: tuple[Sheet, ...]

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    def by_kind(self, kind: str) -> list[Sheet]:
        return [s for s in self.sheets if s.kind == kind]

    def by_role(self, role: str) -> Sheet:
        """The one sheet of a role that has one sheet (indicators, scores, findings, stamp, evaluator, readme)."""
        found = [s for s in self.sheets if s.role == role]
        if len(found) != 1:
            raise KeyError(role)
        return found[0]

    def scalar_fields(self) -> tuple[tuple[str, str], ...]:
        """(path, sheet name) of every single-value input, in layout order."""
        found = self.__dict__.get("_scalar_fields")  # worked out once: the layout never changes, every fill asks
        if found is None:
            out = []
            for sheet in self.sheets:
                for block in sheet.blocks:
                    if block.type == "fields":
                        out += [(p, sheet.name) for p in block.fields]
                    elif block.type == "matrix":
                        out += [(p, sheet.name) for line in block.matrix_paths() for p in line if p]
            found = tuple(out)
            object.__setattr__(self, "_scalar_fields", found)  # not a field: equality and hash stay the fields'
        return found

    def tables(self) -> list[tuple[str, str, str]]:
        """(engine table key, Excel table name, sheet name) of every input list."""
        return [(b.table, b.name, s.name) for s in self.sheets for b in s.blocks if b.type == "table"]

    def growing_tables(self) -> frozenset[str]:
        """Excel table names of the input lists that end their sheet: they grow by typing below (GROW_ROWS)."""
        found = self.__dict__.get("_growing")
        if found is None:
            found = frozenset(s.blocks[-1].name for s in self.sheets
                              if s.kind == "input" and s.blocks and s.blocks[-1].type == "table")
            object.__setattr__(self, "_growing", found)
        return found

    def home_of(self, name: str) -> str | None:
        """The layout sheet that a defined name or table name of the template is on; None for other names.

        Renaming a sheet in Excel, WPS or LibreOffice rewrites its names and moves its tables along, so
        these names find a sheet a unit renamed (reader.located_sheets)."""
        homes = self.__dict__.get("_homes")
        if homes is None:
            homes = {name_for(path): sheet for path, sheet in self.scalar_fields()}
            homes.update((b.name, s.name) for s in self.sheets for b in s.blocks if b.name)
            for s in self.sheets:
                homes.update((n, s.name) for n in _ROLE_NAMES.get(s.role, ()))
            homes[self.version_name] = homes[self.system_name] = self.by_role("stamp").name
            object.__setattr__(self, "_homes", homes)
        found = homes.get(name)
        if found is None:
            found = next((self.by_role(role).name for prefix, role in _ROLE_PREFIXES if name.startswith(prefix)), None)
        return found

    def block(self, type_: str) -> tuple[Sheet, Block]:
        return next((s, b) for s in self.sheets for b in s.blocks if b.type == type_)


def version_number(version: str) -> int | None:
    """'xlperf-template-3' → 3; None for anything else."""
    m = re.fullmatch(r"xlperf-template-(\d{1,6})", version)
    return int(m.group(1)) if m else None


def fingerprint(layout: Layout) -> str:
    """SHA-256 of everything a filled workbook's reading depends on: sheets and roles, blocks, fields
    with their labels and kinds, defined-name and table names, prepared rows, column keys and labels.
    Titles, notes and widths are left out: they change how a template looks, not how it reads."""
    import json

    from ..digest import sha256

    def columns(cols: tuple[Column, ...]) -> list:
        return [[c.key, c.label, list(c.was)] for c in cols]

    data = {
        "names": [layout.version_name, layout.system_name],
        "sheets": [[s.name, s.role, s.rows, columns(s.columns),
                    [[b.type, list(b.fields), b.path, [list(r) for r in b.rows], [list(c) for c in b.cols], b.table,
                      b.name, b.n_rows, columns(b.columns)] for b in s.blocks]] for s in layout.sheets],
        "scalars": sorted([path, *spec] for path, spec in SCALARS.items()),
        "tables": sorted([key, label, [[k, *spec] for k, spec in cols.items()]]
                         for key, (label, cols) in TABLES.items()),
    }
    return sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _block(raw: dict) -> Block:
    return Block(
        type=raw["type"], title=raw.get("title", ""), fields=tuple(raw.get("fields", ())), path=raw.get("path", ""),
        rows=tuple(tuple(r) for r in raw.get("rows", ())) if raw["type"] == "matrix" else (),
        cols=tuple(tuple(c) for c in raw.get("cols", ())), table=raw.get("table", ""), name=raw.get("name", ""),
        n_rows=raw.get("rows", 0) if raw["type"] != "matrix" else 0,
        columns=_columns(raw.get("columns", ())), note=raw.get("note", ""),
    )


@cache
def load_layout() -> Layout:
    raw = tomlcache.loads((Path(__file__).parent / "layout.toml").read_bytes())
    sheets = tuple(
        Sheet(s["name"], s["role"], tuple(_block(b) for b in s.get("block", ())),
              _columns(s.get("columns", ())), s.get("rows", 0))
        for s in raw["sheet"]
    )
    layout = Layout(raw["version"], raw["version_name"], raw["system_name"], sheets)
    _check(layout)
    return layout


def _check(layout: Layout) -> None:
    """The layout must cover every engine field and table exactly once."""
    from ..errors import LayoutError

    unknown_roles = {s.role for s in layout.sheets} - set(ROLES)
    if unknown_roles:
        raise LayoutError(f"layout.toml 中有未知的工作表角色 {sorted(unknown_roles)}")
    paths = [p for p, _ in layout.scalar_fields()]
    missing = set(SCALARS) - set(paths)
    unknown = set(paths) - set(SCALARS)
    dupes = {p for p in paths if paths.count(p) > 1}
    tables = [t for t, _, _ in layout.tables()]
    if missing or unknown or dupes or set(tables) != set(TABLES):
        raise LayoutError(f"layout.toml 与引擎字段不一致：缺少 {sorted(missing)}，未知 {sorted(unknown)}，"
                          f"重复 {sorted(dupes)}，表 {sorted(set(TABLES) ^ set(tables))}")
