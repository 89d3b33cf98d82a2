"""A fill makes no reference cycles, whatever it is given: batch workers run without the cyclic
collector on that ground (worker.py, COLLECT_EVERY). Good units, a unit with input errors, a unit
skipped as unchanged, junk, a cut zip and (with XLPERF_CORPUS) workbooks written by other software,
each through the worker's own entry point; then a full collection finds nothing to free."""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path

from fixtures import Pkg, field_cell, set_cells
from xlperf.batch.task import process


def test_filling_leaves_no_garbage_only_the_cyclic_collector_could_free(unit_books, tmp_path):
    bad = Pkg(unit_books["A"])
    sheet, cell = field_cell(bad, "budget.adjusted.total")
    set_cells(bad, sheet, {cell: "一百万"})
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(unit_books["B"].read_bytes()[:4000])
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    sources = [unit_books["A"], unit_books["B"], unit_books["C"], bad.save(tmp_path / "bad.xlsx"), cut, junk]
    corpus = os.environ.get("XLPERF_CORPUS")
    if corpus:
        sources += sorted(Path(corpus).rglob("*.xls[xm]"))[:40]
    out = tmp_path / "out"
    out.mkdir()
    process(str(unit_books["A"]), str(out / "first.xlsx"), True)  # modules and memos as a warm worker has them
    statuses = set()
    gc.collect()
    gc.disable()
    try:
        for k, source in enumerate(sources):
            statuses.add(process(str(source), str(out / f"{k}.xlsx"), True).status)
        shutil.copy(unit_books["C"], tmp_path / "again.xlsx")
        process(str(tmp_path / "again.xlsx"), str(out / "again.xlsx"), True)
        statuses.add(process(str(tmp_path / "again.xlsx"), str(out / "again.xlsx"), False).status)  # unchanged
        found = gc.collect()
    finally:
        gc.enable()
    assert statuses == {"ok", "failed", "skipped"}
    assert found == 0
