"""LibreOffice as a VBA smoke test: every button macro and ribbon callback makes exactly its Python call.

Headless LibreOffice imports the .xlsm's VBA modules as Basic (VBA support mode) and runs them
through the document's script provider (tests/excel/lo_macros.py, under the system Python with
python3-uno). xlwings' real module does not run there, so a copy of the template gets a stub
``xlwings`` module whose RunPython and ImportPythonUDFs write what they were asked into a cell.
LibreOffice has no Office type library, so in the copy the callbacks' ``control As
IRibbonControl`` becomes ``As Variant``; the call chain under test is unchanged.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from xlperf.excel.catalog import ACTIONS

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"


def _uno_available() -> bool:
    if shutil.which("soffice") is None or not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(not _uno_available(), reason="needs soffice and python3-uno (.ci/run installs them)")]

STUB = """Attribute VB_Name = "xlwings"
' Test stub in place of xlwings' module: records the call instead of starting Python.
Option Explicit

Public Function RunPython(PythonCommand As String)
    Record "RunPython " & PythonCommand
End Function

Public Sub ImportPythonUDFs()
    Record "ImportPythonUDFs"
End Sub

Private Sub Record(text As String)
    ThisWorkbook.Worksheets("xlwings.conf").Range("D1").Value = text
End Sub
""".replace("\n", "\r\n")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> dict[str, str]:
    from pyopenvba import ExcelFile

    tmp = tmp_path_factory.mktemp("lo-macros")
    book = tmp / "stubbed.xlsm"
    shutil.copy(ROOT / "workbooks" / "template.xlsm", tmp / "template.xlsm")
    with ExcelFile(tmp / "template.xlsm") as wb:
        wb.set_module("xlwings", STUB)
        wb.vba_project().delete_module("Dictionary")  # only xlwings' module uses it
        ribbon = wb.get_module("XlperfRibbon")
        assert ribbon.count("As IRibbonControl") == len(ACTIONS)
        wb.set_module("XlperfRibbon", ribbon.replace("As IRibbonControl", "As Variant"))
        wb.save(book)
    profile = tmp / "profile"
    profile.mkdir()
    macros = [f"Xlperf.{a.macro}" for a in ACTIONS] + [f"XlperfRibbon.{a.callback}:control" for a in ACTIONS]
    run = subprocess.run([SYSTEM_PYTHON, str(Path(__file__).parent / "lo_macros.py"), str(book), str(profile), *macros],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def _expected(action) -> str:
    return f"RunPython {action.python}" if action.python else "ImportPythonUDFs"


@pytest.mark.parametrize("action", ACTIONS, ids=[a.macro for a in ACTIONS])
def test_button_macro_makes_its_call(recorded, action):
    assert recorded[f"Xlperf.{action.macro}"] == _expected(action)


@pytest.mark.parametrize("action", ACTIONS, ids=[a.callback for a in ACTIONS])
def test_ribbon_callback_makes_its_call(recorded, action):
    assert recorded[f"XlperfRibbon.{action.callback}:control"] == _expected(action)

