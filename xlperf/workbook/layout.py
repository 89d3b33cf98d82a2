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
from ..fields import SCALARS, TABLES

FIELD_PREFIX = "xp_"
OUT_PREFIX = "xo_"


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

# Score sheet columns right of the 评分 cell (offsets from it).
SCORE_REASON_OFFSET = 1
SCORE_RULE_OFFSET = 2


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
    columns: tuple[tuple[str, str], ...] = ()
    note: str = ""

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
    kind: str  # readme | input | evaluator | output | stamp
    blocks: tuple[Block, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()
    rows: int = 0

    def column(self, key: str) -> int:
        """0-based position of an output column by key."""
        return [k for k, _ in self.columns].index(key)


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

    def scalar_fields(self) -> list[tuple[str, str]]:
        """(path, sheet name) of every single-value input, in layout order."""
        out = []
        for sheet in self.sheets:
            for block in sheet.blocks:
                if block.type == "fields":
                    out += [(p, sheet.name) for p in block.fields]
                elif block.type == "matrix":
                    out += [(p, sheet.name) for line in block.matrix_paths() for p in line if p]
        return out

    def tables(self) -> list[tuple[str, str, str]]:
        """(engine table key, Excel table name, sheet name) of every input list."""
        return [(b.table, b.name, s.name) for s in self.sheets for b in s.blocks if b.type == "table"]

    def block(self, type_: str) -> tuple[Sheet, Block]:
        return next((s, b) for s in self.sheets for b in s.blocks if b.type == type_)


def _block(raw: dict) -> Block:
    return Block(
        type=raw["type"], title=raw.get("title", ""), fields=tuple(raw.get("fields", ())), path=raw.get("path", ""),
        rows=tuple(tuple(r) for r in raw.get("rows", ())) if raw["type"] == "matrix" else (),
        cols=tuple(tuple(c) for c in raw.get("cols", ())), table=raw.get("table", ""), name=raw.get("name", ""),
        n_rows=raw.get("rows", 0) if raw["type"] != "matrix" else 0,
        columns=tuple(tuple(c) for c in raw.get("columns", ())), note=raw.get("note", ""),
    )


@cache
def load_layout() -> Layout:
    raw = tomlcache.loads((Path(__file__).parent / "layout.toml").read_bytes())
    sheets = tuple(
        Sheet(s["name"], s["kind"], tuple(_block(b) for b in s.get("block", ())),
              tuple(tuple(c) for c in s.get("columns", ())), s.get("rows", 0))
        for s in raw["sheet"]
    )
    layout = Layout(raw["version"], raw["version_name"], raw["system_name"], sheets)
    _check(layout)
    return layout


def _check(layout: Layout) -> None:
    """The layout must cover every engine field and table exactly once."""
    from ..errors import LayoutError

    paths = [p for p, _ in layout.scalar_fields()]
    missing = set(SCALARS) - set(paths)
    unknown = set(paths) - set(SCALARS)
    dupes = {p for p in paths if paths.count(p) > 1}
    tables = [t for t, _, _ in layout.tables()]
    if missing or unknown or dupes or set(tables) != set(TABLES):
        raise LayoutError(f"layout.toml 与引擎字段不一致：缺少 {sorted(missing)}，未知 {sorted(unknown)}，"
                          f"重复 {sorted(dupes)}，表 {sorted(set(TABLES) ^ set(tables))}")
