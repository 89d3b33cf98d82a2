"""A fill makes no reference cycles, whatever it is given: batch workers run without the cyclic
collector on that ground (worker.py, COLLECT_EVERY). Good units, a unit with input errors, a unit
skipped as unchanged, junk, a cut zip and (with XLPERF_CORPUS) workbooks written by other software,
each through the worker's own entry point, in a fresh process as a worker's is (in this one, other
tests' threads, Dask's event loop among them, leave garbage of their own); then a full collection
finds nothing to free."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path


def test_filling_leaves_no_garbage_only_the_cyclic_collector_could_free(unit_books, tmp_path):
    from fixtures import Pkg, field_cell, set_cells

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
    job = {"sources": [str(s) for s in sources], "warm": str(unit_books["A"]), "again": str(unit_books["C"]),
           "work": str(tmp_path)}
    done = subprocess.run([sys.executable, __file__, json.dumps(job)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    statuses, found = json.loads(done.stdout.splitlines()[-1])
    assert statuses == ["failed", "ok", "skipped"]
    assert found == 0


def _fill_all(job: dict) -> tuple[list[str], int]:
    import shutil

    from xlperf.batch.task import process

    work = Path(job["work"])
    out = work / "out"
    out.mkdir()
    process(job["warm"], str(out / "first.xlsx"), True)  # modules and memos as a warm worker has them
    statuses = set()
    gc.collect()
    gc.disable()
    for k, source in enumerate(job["sources"]):
        statuses.add(process(source, str(out / f"{k}.xlsx"), True).status)
    again = work / "again.xlsx"
    shutil.copy(job["again"], again)
    process(str(again), str(out / "again.xlsx"), True)
    statuses.add(process(str(again), str(out / "again.xlsx"), False).status)  # unchanged: skipped
    return sorted(statuses), gc.collect()


if __name__ == "__main__":
    print(json.dumps(_fill_all(json.loads(sys.argv[1]))))
