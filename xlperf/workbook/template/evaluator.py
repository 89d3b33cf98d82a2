"""The evaluator sheet: one row per atomic entry, the score overrides, and the stated rates."""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from ...book.evaluator_rows import EvalRow, evaluator_rows
from ...book.layout import Block, Sheet
from ...engine.indicators import CATALOG
from ...engine.scoring import OVERRIDE_PREFIX
from ...engine.system import System
from .. import styles as S
from .base import UNIT_FORMATS, Base

EVALUATOR_TITLES = {
    "evaluator": "评价人填写项（每行一项：在“填写值”列填写或从下拉列表选择）",
    "overrides": "得分调整（可选：评价人需要改动某项得分时，填写调整后得分和调整理由）",
    "stated": "报告数（可选：评价报告中写明的比率，用于与计算结果核对）",
}
EVALUATOR_INPUT_COLUMNS = {"evaluator": ("value", "reason"), "overrides": ("points", "reason"), "stated": ("value",)}
_EVAL_KINDS = {"tick": "bool", "flag": "bool", "count": "count", "points": "amount", "choice": "text"}


def evaluator_values(system: System, data: dict | None) -> dict[str, tuple[Any, str]]:
    """Row key → (value, reason) from ``data["evaluator"]``: ticks to key#1..#n, reason on a key's first row."""
    entries = (data or {}).get("evaluator") or {}
    out: dict[str, tuple[Any, str]] = {}
    seen: set[str] = set()
    for row in evaluator_rows(system):
        entry = entries.get(row.input_key) or {}
        if row.kind == "tick":
            ticks = entry.get("ticks") or []
            index = int(row.key.split("#", 1)[1]) - 1
            value = ticks[index] if index < len(ticks) else None
        else:
            value = entry.get(row.kind)
        reason = "" if row.input_key in seen else str(entry.get("reason") or "")
        seen.add(row.input_key)
        out[row.key] = (value, reason)
    return out


class EvaluatorSheet(Base):
    def evaluator_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        row = 1
        freeze = None
        widths: dict[int, float] = {}
        for block in sheet.blocks:
            keys = block.keys
            headers = [c.label for c in block.columns]
            self.text(ws, row, 1, block.title or EVALUATOR_TITLES.get(block.type, ""), S.BLOCK_TITLE)
            row += 1
            records, row_kinds = self.evaluator_records(block)
            values = [[(rec.get(k), kinds.get(k, "text")) for k in keys]
                      for rec, kinds in zip(records, row_kinds, strict=True)]
            first, end = self.add_table(ws, block.name, row, 1, headers, values)
            for j, column in enumerate(block.columns, start=1):
                widths[j] = max(widths.get(j, 0), column.width or 14)
                for r in range(first, end + 1):
                    ws.cell(r, j).alignment = S.WRAP_TOP
                    ws.cell(r, j).font = S.BODY
            self.evaluator_inputs(ws, block, keys, first, records)
            if freeze is None:
                freeze = ws.cell(first, 1).coordinate
            row = end + 2
        ws.freeze_panes = freeze
        self._widths = {}
        self.apply_widths(ws, fixed=widths)
        self.fit_rows(ws, 1, ws.max_row)
        self.print_setup(ws)

    def evaluator_records(self, block: Block) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        """One dict per table row (column key → value) and the field kind of each column of that row."""
        system, data = self.system, self.data
        entries = (data or {}).get("evaluator") or {}
        records: list[dict[str, Any]] = []
        kinds: list[dict[str, str]] = []
        if block.type == "evaluator":
            values = evaluator_values(system, data)
            for r in evaluator_rows(system):
                value, reason = values[r.key]
                records.append({"key": r.key, "item": r.item, "what": r.what, "expects": r.expects,
                                "value": value, "reason": reason, "_row": r})
                kinds.append({"value": _EVAL_KINDS[r.kind]})
        elif block.type == "overrides":
            for item in system.items:
                entry = entries.get(OVERRIDE_PREFIX + item.id) or {}
                records.append({"item_id": item.id, "item": item.name, "points": entry.get("points"),
                                "reason": entry.get("reason"), "_max": item.points})
                kinds.append({"points": "amount"})
        elif block.type == "stated":
            stated = (data or {}).get("stated") or {}
            for id_, name, unit in CATALOG:
                if unit == "rate":
                    records.append({"indicator_id": id_, "indicator": name, "value": stated.get(id_)})
                    kinds.append({"value": "rate"})
        else:
            raise ValueError(f"unknown evaluator block type {block.type!r}")
        return records, kinds

    def evaluator_inputs(self, ws: Worksheet, block: Block, keys: list[str], first: int,
                         records: list[dict[str, Any]]) -> None:
        """Shading, formats and per-row validation of the cells the evaluator fills in."""
        cols = {k: keys.index(k) + 1 for k in EVALUATOR_INPUT_COLUMNS.get(block.type, ()) if k in keys}
        for i, rec in enumerate(records):
            r = first + i
            for key, col in cols.items():
                cell = ws.cell(r, col)
                cell.fill = S.INPUT_FILL
                ref = cell.coordinate
                if key == "reason":
                    cell.number_format = "@"
                    continue
                if block.type == "evaluator":
                    row: EvalRow = rec["_row"]
                    if row.kind in ("tick", "flag", "choice"):
                        cell.number_format = "@"
                        cell.alignment = S.CENTER
                        options = row.choices or S.YES_NO
                        self.validate(ws, "list:" + ",".join(options), lambda o=options: S.list_validation(o), ref)
                    elif row.kind == "count":
                        cell.number_format = "0"
                        self.validate(ws, "count", lambda: S.kind_validation("count"), ref)
                    elif row.kind == "points":
                        cell.number_format = S.SCORE_FORMAT
                        self.validate(ws, f"points:{row.max_points}",
                                      lambda m=row.max_points: S.points_validation(m), ref)
                elif block.type == "overrides":
                    cell.number_format = S.SCORE_FORMAT
                    self.validate(ws, f"points:{rec['_max']}", lambda m=rec["_max"]: S.points_validation(str(m)), ref)
                elif block.type == "stated":
                    cell.number_format = UNIT_FORMATS["rate"]
                    self.validate(ws, "stated", S.stated_rate_validation, ref)
