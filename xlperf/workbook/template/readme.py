"""The 说明 sheet: what to fill in where, with its wording read from readme.toml."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from ...book.layout import Sheet
from ...engine import fields as F
from ...engine.gaps import notes
from .. import styles as S
from .base import Base


@cache
def wording() -> dict:
    return tomllib.loads((Path(__file__).parent / "readme.toml").read_text(encoding="utf-8"))


class ReadmeSheet(Base):
    def readme(self, ws: Worksheet, sheet: Sheet) -> None:
        layout, text = self.layout, wording()
        names = {
            "inputs": "、".join(s.name for s in layout.by_kind("input")),
            "evaluator": "、".join(s.name for s in layout.by_kind("evaluator")),
            "outputs": "、".join(s.name for s in layout.by_kind("output")),
            "tables": "、".join(f"{s}（{F.TABLES[t][0]}）" for t, _, s in layout.tables()),
        }
        ws.column_dimensions["A"].width = 14
        ws.column_dimensions["B"].width = 90
        self.text(ws, 1, 1, text["title"], S.SHEET_TITLE)
        ws.row_dimensions[1].height = 28
        self.text(ws, 2, 1, text["system_label"], S.BOLD)
        self.text(ws, 2, 2, f"{self.system.name}（{self.system.id}）")
        self.text(ws, 3, 1, text["version_label"], S.BOLD)
        self.text(ws, 3, 2, layout.version)  # for people; readers use the name on the stamp sheet
        self.text(ws, 5, 1, text["steps_title"], S.BLOCK_TITLE)
        row = self.numbered(ws, 6, [step.format(**names) for step in text["steps"]])
        # How empty or conflicting data are scored: from the engine's own table, so sheet and code agree.
        self.text(ws, row + 1, 1, text["gaps_title"], S.BLOCK_TITLE)
        self.numbered(ws, row + 2, notes(self.system))
        self.print_setup(ws, landscape=False)

    def numbered(self, ws: Worksheet, first: int, paragraphs: list[str]) -> int:
        """1., 2., … in column A and wrapped paragraphs in B from row ``first``; returns the next free row."""
        row = first
        for n, paragraph in enumerate(paragraphs, start=1):
            self.text(ws, row, 1, f"{n}.", S.BODY, align=S.WRAP_TOP)
            self.text(ws, row, 2, paragraph, S.BODY, align=S.WRAP_TOP)
            row += 1
        self.fit_rows(ws, first, row - 1)
        return row
