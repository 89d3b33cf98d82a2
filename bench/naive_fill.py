"""The naive way to fill an xlperf workbook: plain openpyxl, for comparison with ``xlperf fill``.

    python bench/naive_fill.py IN.xlsx OUT.xlsx

load_workbook → read the inputs through the defined names and tables → xlperf.engine.evaluate.evaluate →
write the output values through the defined names → save. The engine, the field definitions and the
output rendering are xlperf's own pure functions, so the two paths do the same work and differ only
in how the workbook is read and written. No checks, no audit stamp: this is the floor a
straightforward openpyxl script would reach, not a replacement for ``xlperf fill``.
"""

from __future__ import annotations

import datetime as dt
import re
import sys

from openpyxl import load_workbook

from xlperf.engine import paths
from xlperf.engine.evaluate import evaluate
from xlperf.engine.fields import TABLES, inputs_from_dict
from xlperf.engine.system import load
from xlperf.book.evaluator_rows import evaluator_data, evaluator_rows
from xlperf.book.layout import load_layout, name_for
from xlperf.book.outputs import render
from xlperf.book.protocol import Area

_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+))!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def _names(wb) -> dict[str, Area]:
    out = {}
    for name, dn in wb.defined_names.items():
        m = _REF.match(dn.attr_text or "")
        if m:
            sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
            ref = f"{m.group(3)}{m.group(4)}" + (f":{m.group(5)}{m.group(6)}" if m.group(5) else "")
            out[name] = Area.parse(sheet, ref)
    return out


def _plain(value):
    """openpyxl's value as the plain data inputs_from_dict expects (exact numbers as text)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _table(wb, sheet: str, table_name: str, labels: dict[str, str]) -> list[dict]:
    ws = wb[sheet]
    table = ws.tables[table_name]
    rows = list(ws[table.ref])
    header = {str(c.value or "").strip(): i for i, c in enumerate(rows[0])}
    cols = {key: header[label] for key, label in labels.items() if label in header}
    out = []
    for row in rows[1:]:
        values = {key: row[i].value for key, i in cols.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        out.append(values)
    return out


def naive_fill(src: str, dst: str):
    wb = load_workbook(src)
    names = _names(wb)
    layout = load_layout()

    def cell(name: str):
        area = names[name]
        return wb[area.sheet].cell(*area.first).value

    system = load(str(cell(layout.system_name)))
    data: dict = {}
    for path, _ in layout.scalar_fields():
        if name_for(path) in names:
            value = _plain(cell(name_for(path)))
            if value is not None:
                paths.put(data, path, value)
    for key, table_name, sheet in layout.tables():
        labels = {k: label for k, (label, _) in TABLES[key][1].items()}
        rows = [{k: v for k, v in ((k, _plain(v)) for k, v in r.items()) if v is not None}
                for r in _table(wb, sheet, table_name, labels)]
        paths.put(data, key, rows)

    sheet, _ = layout.block("evaluator")
    blocks = {b.type: b for b in sheet.blocks}

    def block_rows(kind: str) -> list[dict]:
        return _table(wb, sheet.name, blocks[kind].name, {c.key: c.label for c in blocks[kind].columns})

    kinds = {r.key: r for r in evaluator_rows(system)}
    found = {}
    for row in block_rows("evaluator"):
        key = str(row.get("key") or "").strip()
        if key in kinds:
            found[key] = (_plain(row.get("value")), str(row.get("reason") or "").strip())
    evaluator = evaluator_data(system, found)
    for row in block_rows("overrides"):
        item_id, points = str(row.get("item_id") or "").strip(), _plain(row.get("points"))
        if item_id and points is not None:
            evaluator[f"override:{item_id}"] = {"points": points, "reason": str(row.get("reason") or "").strip()}
    data["evaluator"] = evaluator
    data["stated"] = {str(r["indicator_id"]).strip(): _plain(r.get("value")) for r in block_rows("stated")
                      if r.get("indicator_id") and _plain(r.get("value")) is not None}

    result = evaluate(inputs_from_dict(data), system)
    for sheet_name, values in render(result, None, names, layout).items():
        ws = wb[sheet_name]
        for (r, c), value in values.items():
            ws.cell(row=r, column=c).value = value
    wb.save(dst)
    return result


if __name__ == "__main__":
    print(naive_fill(sys.argv[1], sys.argv[2]).total)
