"""Runs inside Pyodide (tests/excel/pyodide_run.mjs): the Lite script on the strict fake of xlwings.

/host holds: site/ (the unpacked xlperf wheel), tests/ (xwfake.py), spec.json (xlwings' classes,
made by CPython from the installed xlwings), book.json (the cells, names and tables of the
workbook as Excel holds them). The result, the fake workbook's cells after the script, goes to
/host/out.json. lxml, openpyxl, pandas and numpy are blocked: the Lite path must not need them.
"""

import datetime as dt
import importlib.util
import json
import sys
import types

BLOCKED = ("lxml", "openpyxl", "pandas", "numpy", "defusedxml")


class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"the Lite path imported {name}")
        return None


sys.meta_path.insert(0, Blocker())
sys.path[:0] = ["/host/site", "/host/tests"]

# Lite brings its own xlwings; here only what main.py uses of it: the decorators and the Book name.
shim = types.ModuleType("xlwings")
shim.script = shim.func = lambda f=None, **kw: f if f is not None else (lambda g: g)
shim.arg = shim.ret = lambda *a, **kw: (lambda g: g)
shim.Book = object
sys.modules["xlwings"] = shim

import xwfake  # noqa: E402


def load(value):
    if isinstance(value, dict):
        if "date" in value:
            return dt.datetime.fromisoformat(value["date"])
        if "error" in value:
            return xwfake.Error(value["error"])
    return value


def dump(value):
    if isinstance(value, dt.datetime):
        return {"date": value.isoformat()}
    if isinstance(value, xwfake.Error):
        return {"error": value.code}
    return value


spec = json.load(open("/host/spec.json", encoding="utf-8"))
book = json.load(open("/host/book.json", encoding="utf-8"))
sheets = {name: {(r, c): load(v) for r, c, v in cells} for name, cells in book["sheets"]}
world = xwfake.World(spec, sheets, {k: tuple(v) for k, v in book["names"].items()},
                     {k: tuple(v) for k, v in book["tables"].items()})

main_path = "/host/site/xlperf/excel/lite/main.py"
spec_ = importlib.util.spec_from_file_location("main", main_path)
main = importlib.util.module_from_spec(spec_)
spec_.loader.exec_module(main)
assert main.xlperf_recompute(world.book()) is None  # a Lite script returns nothing; it shows a message
calls = len(world.calls())
main.xlperf_verify(world.book())  # a second script run: it sees what the first one wrote

json.dump({"message": world.alerts[0][0], "verified": world.alerts[1][0], "alerts": world.alerts,
           "calls": calls,
           "heavy": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED),
           "sheets": [[name, [[r, c, dump(v)] for (r, c), v in cells.items()]] for name, cells in world.cells.items()]},
          open("/host/out.json", "w", encoding="utf-8"), ensure_ascii=False)
print("lite driver done")
