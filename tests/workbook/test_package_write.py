"""Writing packages: every other member copied byte for byte, atomically, the calc chain kept or dropped."""

from __future__ import annotations

import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from wb_builders import (
    R, VBA, entries_of, formula_book, problem_code, raw_zip, sheet_xml, workbook_parts, write_zip,
)
from xlperf.errors import WorkbookError
from xlperf.workbook import package as pkgmod
from xlperf.workbook.package import Cell, Package
from xlperf.workbook.problems import MESSAGES
from xlperf.workbook.sheetpatch import patch_sheet_xml
from xlperf.workbook.structure import check_structure
from xlperf.workbook.writer import write_package
from xlperf.workbook.zipraw import raw_member


# -- writing packages -------------------------------------------------------------------------------

def info_fields(info: zipfile.ZipInfo) -> tuple:
    return (info.orig_filename, info.date_time, info.compress_type, info.CRC, info.file_size, info.compress_size,
            info.external_attr, info.internal_attr, info.create_system, info.create_version, info.comment)


@pytest.fixture
def patched_vba(tmp_path):
    if not VBA.exists():
        pytest.skip("corpus not available")
    src = tmp_path / "vba.xlsm"
    src.write_bytes(VBA.read_bytes())
    pkg = Package.open(src)
    part = pkg.sheet("Sheet1").part
    values = {(1, 1): Decimal("0.1"), (1, 2): "=1+1", (2, 1): "#REF!", (2, 2): True, (3, 3): "中文 文本"}
    out = tmp_path / "out.xlsm"
    write_package(pkg, out, {part: patch_sheet_xml(pkg.read(part), values)})
    return pkg, part, out


def test_write_copies_every_other_member_byte_for_byte(patched_vba):
    pkg, part, out = patched_vba
    src_zip, out_zip = zipfile.ZipFile(pkg.path), zipfile.ZipFile(out)
    assert out_zip.namelist() == src_zip.namelist()
    assert out_zip.testzip() is None
    out_pkg = Package.open(out)
    for a, b in zip(src_zip.infolist(), out_zip.infolist()):
        if a.filename == part:
            assert out_zip.read(b) != src_zip.read(a)
            continue
        assert info_fields(a) == info_fields(b), a.filename
        assert bytes(raw_member(pkg._blob, a)[0]) == bytes(raw_member(out_pkg._blob, b)[0]), a.filename
        assert out_zip.read(b) == src_zip.read(a)
    assert check_structure(out) == []


def test_patched_values_read_back_in_openpyxl(patched_vba):
    _, _, out = patched_vba
    wb = openpyxl.load_workbook(out, keep_vba=True)
    ws = wb["Sheet1"]
    assert ws["A1"].value == 0.1
    assert (ws["B1"].value, ws["B1"].data_type) == ("=1+1", "s")
    assert (ws["A2"].value, ws["A2"].data_type) == ("#REF!", "s")
    assert ws["B2"].value is True and ws["C3"].value == "中文 文本"
    assert wb.vba_archive is not None and "xl/vbaProject.bin" in wb.vba_archive.namelist()


@pytest.mark.libreoffice
def test_patched_values_read_back_in_libreoffice(patched_vba, soffice, tmp_path):
    _, _, out = patched_vba
    profile = (tmp_path / "lo-profile").as_uri()
    run = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path), str(out)],
        capture_output=True, timeout=180,
    )
    csv = tmp_path / "out.csv"
    assert csv.exists(), run.stderr.decode(errors="replace")  # soffice exits 0 even when loading fails
    lines = csv.read_text("utf-8").splitlines()
    assert lines[0] == '0.1,"=1+1",'  # a formula would have shown its result, 2
    assert lines[1] == '"#REF!",TRUE,'
    assert lines[2] == ',,"中文 文本"'


def test_overwriting_a_formula_drops_the_calc_chain(tmp_path):
    pkg = Package.open(formula_book(tmp_path))
    part = pkg.sheet("F").part
    out = tmp_path / "o.xlsx"
    write_package(pkg, out, {part: patch_sheet_xml(pkg.read(part), {(1, 2): 5})})
    names = zipfile.ZipFile(out).namelist()
    assert "xl/calcChain.xml" not in names
    assert [n for n in Package.open(tmp_path / "f.xlsx").names() if n != "xl/calcChain.xml"] == names
    out_pkg = Package.open(out)
    assert b"calcChain" not in out_pkg.read("xl/_rels/workbook.xml.rels")
    assert b"calcChain" not in out_pkg.read("[Content_Types].xml")
    assert b"sharedStrings" not in out_pkg.read("xl/_rels/workbook.xml.rels")
    assert out_pkg.read_cells("F")[(1, 2)] == Cell(Decimal(5), None)
    assert check_structure(out) == []


def test_calc_chain_stays_when_no_formula_is_lost(tmp_path):
    pkg = Package.open(formula_book(tmp_path))
    part = pkg.sheet("F").part
    out = tmp_path / "o.xlsx"
    write_package(pkg, out, {part: patch_sheet_xml(pkg.read(part), {(1, 3): 5})})
    assert Package.open(out).read("xl/calcChain.xml") == pkg.read("xl/calcChain.xml")
    forced = tmp_path / "forced.xlsx"
    write_package(pkg, forced, {}, drop_calc_chain=True)
    assert "xl/calcChain.xml" not in zipfile.ZipFile(forced).namelist()
    assert check_structure(forced) == []


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_failed_write_leaves_nothing_behind(tmp_path):
    pkg = Package.open(formula_book(tmp_path))
    names = pkg.names()
    # Neither part is the first member, so the failure happens with the temp file half written.
    assert names.index(pkg.sheet("F").part) > 0 and names.index("xl/_rels/workbook.xml.rels") > 3
    out = tmp_path / "out.xlsx"
    for part in (pkg.sheet("F").part, "xl/_rels/workbook.xml.rels"):
        with pytest.raises(WorkbookError) as exc:
            write_package(pkg, out, {part: b"<worksheet><sheetData></worksheet>"})
        assert problem_code(exc) == "XML_BROKEN"
        assert not out.exists() and no_temp_files(tmp_path)

    out.write_bytes(b"previous result")
    with pytest.raises(WorkbookError):
        write_package(pkg, out, {"xl/workbook.xml": b'<!DOCTYPE x [<!ENTITY a "b">]><workbook/>'})
    assert out.read_bytes() == b"previous result" and no_temp_files(tmp_path)


def test_failed_rename_is_reported_and_cleaned_up(tmp_path, monkeypatch):
    pkg = Package.open(formula_book(tmp_path))
    out = tmp_path / "out.xlsx"

    def locked(src, dst):
        raise PermissionError("locked by Excel")

    monkeypatch.setattr(pkgmod.os, "replace", locked)
    with pytest.raises(WorkbookError) as exc:
        write_package(pkg, out, {})
    assert problem_code(exc) == "WRITE_FAILED"
    assert not out.exists() and no_temp_files(tmp_path)


def test_a_replaced_output_keeps_its_mode_and_a_disk_without_modes_does_not_stop_the_write(tmp_path, monkeypatch):
    import os
    import stat

    pkg = Package.open(formula_book(tmp_path))
    out = tmp_path / "out.xlsx"
    write_package(pkg, out, {})
    os.chmod(out, 0o640)
    write_package(pkg, out, {})
    assert stat.S_IMODE(out.stat().st_mode) == 0o640

    def refused(*_args, **_kwargs):
        raise PermissionError(1, "Operation not permitted")  # as vfat says to a mode it cannot hold

    monkeypatch.setattr(os, "chmod", refused)
    out.unlink()
    out.write_bytes(b"an old output")
    write_package(pkg, out, {})
    assert zipfile.is_zipfile(out) and no_temp_files(tmp_path)


def test_write_into_a_missing_folder_fails_cleanly(tmp_path):
    pkg = Package.open(formula_book(tmp_path))
    with pytest.raises(WorkbookError) as exc:
        write_package(pkg, tmp_path / "no" / "such" / "out.xlsx", {})
    assert problem_code(exc) == "WRITE_FAILED"


def test_unknown_replaced_part_is_a_programming_error(tmp_path):
    pkg = Package.open(formula_book(tmp_path))
    with pytest.raises(KeyError):
        write_package(pkg, tmp_path / "o.xlsx", {"xl/worksheets/nope.xml": b"<x/>"})
    assert not (tmp_path / "o.xlsx").exists()


def test_write_can_replace_its_own_source(tmp_path):
    path = formula_book(tmp_path, calc_chain=False)
    pkg = Package.open(path)
    part = pkg.sheet("F").part
    write_package(pkg, path, {part: patch_sheet_xml(pkg.read(part), {(2, 1): "again"})})
    assert Package.open(path).read_cells("F")[(2, 1)].value == "again"
    assert no_temp_files(tmp_path)


def test_write_refuses_to_pass_on_a_damaged_member(tmp_path):
    parts = workbook_parts([{"name": "D", "xml": sheet_xml("")}], extra={"xl/media/blob.bin": b"payload" * 50})
    entries = entries_of(parts)
    entries = [(n, m, d, crc ^ 1 if n == "xl/media/blob.bin" else crc, u) for n, m, d, crc, u in entries]
    path = raw_zip(tmp_path / "bad.xlsx", entries)
    pkg = Package.open(path)
    with pytest.raises(WorkbookError) as exc:
        write_package(pkg, tmp_path / "o.xlsx", {})
    assert problem_code(exc) == "CORRUPT_ZIP"
    assert not (tmp_path / "o.xlsx").exists() and no_temp_files(tmp_path)
    write_package(pkg, tmp_path / "o.xlsx", {}, verify=False)  # a caller may knowingly pass it through
    assert (tmp_path / "o.xlsx").exists()


def test_check_structure_finds_what_is_missing(tmp_path):
    parts = workbook_parts(
        [{"name": "D", "xml": sheet_xml("")}],
        extra={"xl/worksheets/_rels/sheet1.xml.rels": (
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId9" Type="{R}/drawing" Target="../drawings/drawing1.xml"/>'
            f'<Relationship Id="rId8" Type="{R}/hyperlink" Target="https://example.com" TargetMode="External"/>'
            f"</Relationships>").encode(),
            "xl/media/image.zzz": b"?", "xl/bad.xml": b"<open>"},
    )
    problems = check_structure(write_zip(tmp_path / "c.xlsx", parts))
    assert len(problems) == 3
    assert any("drawing1.xml" in p for p in problems)
    assert any("image.zzz" in p for p in problems)
    assert any("xl/bad.xml" in p for p in problems)
    del parts["[Content_Types].xml"]
    problems = check_structure(write_zip(tmp_path / "n.xlsx", parts))
    assert MESSAGES["CHECK_NO_CONTENT_TYPES"] in problems
    assert check_structure(tmp_path / "absent.xlsx")[0].startswith("找不到文件")


# -- speed ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sixty_kb_book(tmp_path_factory) -> Path:
    from openpyxl.styles import Border, Font, PatternFill, Side

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    for n, name in enumerate(["说明", "基本信息", "财务数据", "项目清单", "固定资产", "绩效指标", "满意度调查", "指标计算", "评分表", "汇总"]):
        ws = wb.create_sheet(name)
        ws["A1"] = f"{name} 标题"
        ws["A1"].font = Font(bold=True, size=14)
        for r in range(2, 340 if name in ("项目清单", "固定资产") else 40):
            for c in range(1, 7):
                cell = ws.cell(r, c)
                if name in ("指标计算", "评分表", "汇总") and c > 2:
                    cell.fill = PatternFill("solid", fgColor="FFF2CC")
                    cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
                elif c == 1:
                    cell.value = f"项目{r}-{(r * 7919 + n) % 1000}"
                else:
                    cell.value = round(((r * 31 + c * 17 + n) % 9973) * 1.37, 2)
    path = tmp_path_factory.mktemp("speed") / "small.xlsx"
    wb.save(path)
    return path


def test_patch_and_write_of_a_60_kb_workbook(sixty_kb_book, tmp_path):
    # Speed is measured in bench/bench_fill.py against a same-run baseline, never here.
    size = sixty_kb_book.stat().st_size
    assert 45_000 < size < 80_000
    out = tmp_path / "out.xlsx"
    # Four decimals: a number cell holds 15 significant digits, and the reader keeps exactly those.
    values = {(r, c): round(Decimal(r * c) / 7, 4) for r in range(2, 40) for c in range(3, 7)}
    pkg = Package.open(sixty_kb_book)
    replaced = {}
    for name in ("指标计算", "评分表", "汇总"):
        part = pkg.sheet(name).part
        replaced[part] = patch_sheet_xml(pkg.read(part), values)
    write_package(pkg, out, replaced)
    assert Package.open(out).read_cells("汇总")[(39, 6)].value == Decimal("33.4286")  # 234 / 7 = 33.42857…
