"""The VBA project of the .xlsm template: built from macros/ (and xlwings' standalone module), read back by olevba."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import olefile
import pytest
from oletools.olevba import VBA_Parser

from xlperf.excel import vba
from xlperf.excel.catalog import ACTIONS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "workbooks" / "template.xlsm"


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


@pytest.fixture(scope="module")
def extracted() -> dict[str, str]:
    """{module: source} as olevba reads them from the bundled .xlsm."""
    parser = VBA_Parser(str(TEMPLATE))
    try:
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _body(source: str) -> str:
    """A module's code below its Attribute lines (and a .cls file's VERSION/BEGIN preamble)."""
    lines = _lf(source).split("\n")
    keep = [ln for ln in lines if not re.match(r"^(Attribute VB_|VERSION \d|BEGIN$|END$|  MultiUse = )", ln)]
    return "\n".join(keep)


def test_own_modules_equal_macros_folder(extracted):
    own = {p.stem: p.read_text(encoding="ascii") for p in sorted((ROOT / "macros").glob("*.bas"))}
    assert own, "macros/ has no .bas files"
    for name, text in own.items():
        assert _lf(extracted[name]) == _lf(text), f"macros/{name}.bas differs from the .xlsm: python -m xlperf.excel.vba"


def test_xlwings_standalone_modules_come_from_the_installed_xlwings(extracted):
    import xlwings

    base = Path(xlwings.__file__).parent
    assert _lf(extracted["xlwings"]) == _lf((base / "xlwings.bas").read_text(encoding="ascii"))
    assert _body(extracted["Dictionary"]) == _body((base / "addin" / "Dictionary.cls").read_text(encoding="ascii"))


def test_nothing_else_in_the_project(extracted):
    documents = {"ThisWorkbook", *(f"Sheet{n}" for n in range(1, vba.sheet_count() + 1))}
    assert set(extracted) == documents | {"Xlperf", "XlperfRibbon", "xlwings", "Dictionary"}
    for name in documents:
        assert _body(extracted[name]).strip() == "", f"document module {name} should be empty"


def test_source_only_project():
    data = (ROOT / "xlperf" / "excel" / "vbaProject.bin").read_bytes()
    ole = olefile.OleFileIO(io.BytesIO(data))
    # MS-OVBA 2.3.4.1: version 0xFFFF, no performance cache, so Excel compiles from source.
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x00\x00"
    with zipfile.ZipFile(TEMPLATE) as z:
        assert z.read("xl/vbaProject.bin") == data, "workbooks/template.xlsm carries another project"


def test_rebuild_gives_the_same_bytes():
    first, second = vba.build(), vba.build()
    assert first == second
    assert first == (ROOT / "xlperf" / "excel" / "vbaProject.bin").read_bytes(), "run: python -m xlperf.excel.vba"


def test_macros_are_ascii_and_run_the_catalog_commands():
    text = _lf((ROOT / "macros" / "Xlperf.bas").read_text(encoding="ascii"))
    entry = re.search(r'Private Const ENTRY As String = "([^"]+)"', text).group(1)
    for action in ACTIONS:
        sub = re.search(rf"Public Sub {action.macro}\(\)\n(.*?)\nEnd Sub", text, re.S)
        assert sub, action.macro
        call = sub.group(1).strip()
        if action.python:
            m = re.fullmatch(r'RunPython ENTRY & "([^"]+)"', call)
            assert m and entry + m.group(1) == action.python, (action.macro, call)
        else:
            assert call == "ImportPythonUDFs"
    ribbon = _lf((ROOT / "macros" / "XlperfRibbon.bas").read_text(encoding="ascii"))
    for action in ACTIONS:
        assert re.search(rf"Public Sub {action.callback}\(control As IRibbonControl\)\n\s+{action.macro}\nEnd Sub",
                         ribbon), action.callback


def test_exact_commands():
    # Written out once by hand, so a change in the catalog cannot silently change what Excel runs.
    assert [a.python for a in ACTIONS] == [
        "import xlperf.excel; xlperf.excel.recompute()",
        "import xlperf.excel; xlperf.excel.check()",
        "import xlperf.excel; xlperf.excel.clear()",
        "import xlperf.excel; xlperf.excel.verify()",
        "import xlperf.excel; xlperf.excel.new_template()",
        "",
    ]


def test_excel_extra_pins_the_xlwings_the_module_came_from(extracted):
    # xlwings' VBA module loads "xlwings64-<version>.dll" shipped with the same Python xlwings.
    import tomllib

    version = re.search(r'XLWINGS_VERSION As String = "([\d.]+)"', extracted["xlwings"]).group(1)
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert extras["excel"] == [f"xlwings=={version}"]
    assert f"xlwings=={version}" in extras["dev"]


def test_every_module_is_source_only_and_the_office_library_is_referenced():
    from pyopenvba import ExcelFile

    with ExcelFile(TEMPLATE) as wb:
        offsets = {m.name: m.text_offset for m in wb.vba_project().modules}
        references = {r.name for r in wb.references()}
    assert set(offsets.values()) == {0}, offsets  # no compiled cache before the source
    assert "Office" in references  # IRibbonControl, the ribbon callbacks' argument type
