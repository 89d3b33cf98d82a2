"""xlwings Lite in real Pyodide: the Lite script recomputes the example, and gets the headless answer.

Node runs the npm package ``pyodide`` offline (tests/excel/pyodide_run.mjs); xlperf goes in as
the pure-Python wheel built from this source tree, unpacked into a site folder; xlwings' place
is taken by the strict fake (its spec made here from the installed xlwings), holding the example
as Excel holds it. lxml, openpyxl, pandas and numpy are blocked inside Pyodide.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import xwfake  # noqa: E402
from excelfront import OUTPUT_SHEETS, excel_with  # noqa: E402

from xlperf.excel.xwbook import from_excel  # noqa: E402
from xlperf.workbook.zipbook import ZipBook  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PYODIDE = Path(os.environ.get("XLPERF_PYODIDE_DIR", ROOT / ".ci" / "node" / "node_modules" / "pyodide"))
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None or not (PYODIDE / "pyodide.mjs").is_file(),
                                reason="needs node and the npm package pyodide (.ci/run installs them)")


def build_wheel(out: Path) -> Path:
    """The wheel pip builds from a clean copy of the source (no stale build/ folder)."""
    src = out / "src"
    shutil.copytree(ROOT / "xlperf", src / "xlperf", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(out / "dist"), str(src)], check=True, capture_output=True, timeout=300)
    (wheel,) = (out / "dist").glob("xlperf-*.whl")
    return wheel


def _json_value(v):
    if isinstance(v, dt.datetime):
        return {"date": v.isoformat()}
    if isinstance(v, xwfake.Error):
        return {"error": v.code}
    return v


@pytest.fixture(scope="module")
def lite_run(tmp_path_factory, spec, saved_example):
    host = tmp_path_factory.mktemp("pyodide-host")
    wheel = build_wheel(tmp_path_factory.mktemp("wheel"))
    assert wheel.name.endswith("-py3-none-any.whl"), wheel.name  # pure Python: installs in Pyodide as is
    with zipfile.ZipFile(wheel) as z:
        assert "xlperf/excel/lite/main.py" in z.namelist() and "xlperf/excel/lite/requirements.txt" in z.namelist()
        z.extractall(host / "site")
    (host / "tests").mkdir()
    for module in ("xwfake.py", "xwstrict.py", "xwvalues.py"):
        shutil.copy(Path(__file__).parent / module, host / "tests" / module)
    world = excel_with(spec, ZipBook.open(saved_example).to_memory())
    (host / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    book = {"sheets": [[name, [[r, c, _json_value(v)] for (r, c), v in cells.items()]]
                       for name, cells in world.cells.items()],
            "names": world.names, "tables": world.tables}
    (host / "book.json").write_text(json.dumps(book, ensure_ascii=False), encoding="utf-8")
    shutil.copy(Path(__file__).parent / "lite_driver.py", host / "lite_driver.py")
    run = subprocess.run([NODE, str(Path(__file__).parent / "pyodide_run.mjs"), str(PYODIDE), str(host),
                          "/host/lite_driver.py"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "lite driver done" in run.stdout
    return json.loads((host / "out.json").read_text(encoding="utf-8"))


def test_lite_recompute_in_pyodide_equals_headless_fill(lite_run, headless):
    assert "总分 96.88" in lite_run["message"], lite_run["message"]
    cells = {name: {(r, c): v for r, c, v in values} for name, values in lite_run["sheets"]}
    for sheet in OUTPUT_SHEETS:
        got = {pos: from_excel(v) for pos, v in cells[sheet].items()}
        assert got == {p: v for p, v in headless.cells(sheet).items() if v not in (None, "")}, sheet


def test_lite_path_imports_no_compiled_library(lite_run):
    assert lite_run["heavy"] == []


def test_lite_verify_after_recompute_passes(lite_run):
    assert lite_run["verified"].startswith("核对通过"), lite_run["verified"]


def test_lite_shows_one_message_per_script(lite_run):
    assert [(title, mode) for _, title, mode in lite_run["alerts"]] == [("绩效评价", "info")] * 2


def test_lite_makes_the_same_calls_as_desktop(lite_run):
    from test_excel_adapter import RECOMPUTE_CALLS

    assert lite_run["calls"] == RECOMPUTE_CALLS


def test_the_guide_shows_the_lite_files_as_shipped():
    guide = (ROOT / "docs" / "用户指南.md").read_text(encoding="utf-8")
    main = (ROOT / "xlperf" / "excel" / "lite" / "main.py").read_text(encoding="utf-8")
    assert main[main.index("import xlwings as xw"):].rstrip() in guide
    requirements = (ROOT / "xlperf" / "excel" / "lite" / "requirements.txt").read_text(encoding="utf-8")
    for line in requirements.splitlines():
        if line and not line.startswith("#"):
            assert f"   {line}\n" in guide
