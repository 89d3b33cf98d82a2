"""The summary workbook of a small mixed batch, read back through LibreOffice (numbers, sheets) and
as a package (table, hyperlinks, charts, print setup).

The batch: units A, B, C (totals 96.88, 96.99, 95.36, see batchdata), two of them sent under the same
file name from different folders (their outputs go into those two subfolders of the output folder),
one file that is not a workbook, one that hangs past the time limit.
Hand-derived distribution: total min 95.36, median 96.88, max 96.99, all 3 below 100; 政府采购执行情况
(max 2) scores A 1.89 (4.73 of 5.34 contracted), B 2 (all contracted), C 1.37 → min 1.37, median 1.89,
max 2, 2 units below max.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

import hooks
from batchdata import TOTALS
from lo import cell, csv_of_all_sheets
from xlperf.batch.summary_xlsx import total_bins
from xlperf.cli import main
from xlperf.workbook.fill import verify

SHEETS = ["评分汇总", "分项分布", "图表", "失败"]


@pytest.fixture
def mixed_batch(make_inputs, tmp_path, monkeypatch) -> Path:
    hooks.plant(monkeypatch.setattr)
    inputs = make_inputs({"单位A/填报.xlsx": "A", "单位B/填报.xlsx": "B", "丙.xlsx": "C", "坏.xlsx": b"PK\x03\x04junk",
                          "挂起.xlsx": "A"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "--timeout", "1", "-j", "2"]) == 1
    return out


def table(rows: list[list[str]], header_row: int) -> list[dict[str, str]]:
    head = rows[header_row - 1]
    return [dict(zip(head, r)) for r in rows[header_row:] if any(r)]


@pytest.mark.libreoffice
def test_summary_contents_through_libreoffice(mixed_batch, tmp_path, soffice):
    sheets = csv_of_all_sheets(mixed_batch / "汇总.xlsx", SHEETS, tmp_path / "lo")[mixed_batch / "汇总.xlsx"]

    units = table(sheets["评分汇总"], 4)
    assert [u["序号"] for u in units] == ["1", "2", "3", "4", "5"]
    ok = {u["单位"]: u for u in units if u["状态"] == "成功"}
    assert {k: v["总分"] for k, v in ok.items()} == {"深圳市科技交流服务中心": TOTALS["A"], "单位乙": TOTALS["B"],
                                                  "单位丙": TOTALS["C"]}
    a = ok["深圳市科技交流服务中心"]
    assert (a["部门决策"], a["部门管理"], a["部门绩效"]) == ("20", "18.89", "57.99")  # the reference case
    assert a["政府采购执行情况"] == "1.89" and ok["单位乙"]["政府采购执行情况"] == "2"
    assert a["年度"] == "2024" and a["错误"] == "0"
    assert Decimal(a["预算执行率(%)"].rstrip("%")) / 100 == pytest.approx(Decimal("0.98695"), abs=Decimal("1e-5"))
    # two inputs named 填报.xlsx, from two folders: two outputs, each in its input's subfolder
    outputs = sorted(Path(u["输出文件"]).relative_to(mixed_batch).as_posix() for u in units if u["输出文件"])
    assert outputs == ["丙-已评分.xlsx", "单位A/填报-已评分.xlsx", "单位B/填报-已评分.xlsx"]
    failed = {Path(u["文件"]).name: u for u in units if u["状态"] == "失败"}
    assert set(failed) == {"坏.xlsx", "挂起.xlsx"} and failed["挂起.xlsx"]["总分"] == ""

    failures = table(sheets["失败"], 3)
    kinds = {Path(f["文件"]).name: (f["失败类型"], f["原因"]) for f in failures}
    assert kinds["挂起.xlsx"][0] == "超时" and "1 秒" in kinds["挂起.xlsx"][1]
    assert kinds["坏.xlsx"][0] == "输入有误" and re.search(r"[\u4e00-\u9fff]", kinds["坏.xlsx"][1])

    items = {r["指标"]: r for r in table(sheets["分项分布"], 4)}
    total = items["总分"]
    assert (total["满分"], total["最低"], total["中位数"], total["最高"], total["失分单位数"]) == (
        "100", "95.36", "96.88", "96.99", "3")
    proc = items["政府采购执行情况"]
    assert (proc["最低"], proc["中位数"], proc["最高"], proc["失分单位数"], proc["失分单位占比"]) == (
        "1.37", "1.89", "2", "2", "66.6666666666667%")
    assert items["预算编制合理性"]["失分单位数"] == "0"

    charts = sheets["图表"]
    assert (cell(charts, 4, 1), cell(charts, 4, 2)) == ("95–100", "3")
    # items below max: the three units share staff, budget execution and outcome data (3 each, in system
    # order); 公用经费 differs but is below max in all three; procurement in A and C only
    head = next(i for i, r in enumerate(charts) if r[:2] == ["指标", "失分单位数"])
    assert [r[:2] for r in charts[head + 1:] if r and r[0]] == [
        ["编外人员控制率", "3"], ["公用经费控制率", "3"], ["预算执行率", "3"], ["社会效益、经济效益、生态效益及持续影响等", "3"],
        ["政府采购执行情况", "2"]]


def test_summary_package_structure(mixed_batch):
    with zipfile.ZipFile(mixed_batch / "汇总.xlsx") as z:
        names = z.namelist()
        workbook = z.read("xl/workbook.xml").decode()
        sheets = [z.read(f"xl/worksheets/sheet{i}.xml").decode() for i in range(1, 5)]
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        tables = [z.read(n).decode() for n in names if n.startswith("xl/tables/")]
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == SHEETS
    for xml in sheets:  # A4 landscape
        assert re.search(r'<pageSetup[^>]*paperSize="9"[^>]*orientation="landscape"', xml), xml[-600:]
    # the header row repeats on every printed page, on every sheet
    titles = re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d)">([^<]+)<', workbook)
    titles = dict(titles)
    assert sorted(titles) == ["0", "1", "2", "3"]
    assert titles["0"] == "评分汇总!$B:$C,评分汇总!$4:$4" and titles["3"] == "失败!$3:$3"
    assert len([n for n in names if n.startswith("xl/charts/chart")]) == 2
    units = next(t for t in tables if 'name="Units1"' in t)
    assert 'ref="A4:' in units and re.search(r'ref="A4:[A-Z]+9"', units)  # header + 5 rows
    links = re.findall(r'Target="([^"]+)" TargetMode="External"', rels)
    # relative to the summary; XlsxWriter writes a relative file link Windows-style, as Excel does, and
    # LibreOffice reads 单位A\填报-已评分.xlsx as ./单位A/填报-已评分.xlsx
    assert sorted(links) == ["丙-已评分.xlsx", "单位A\\填报-已评分.xlsx", "单位B\\填报-已评分.xlsx"]


def test_a_unit_name_that_looks_like_a_formula_stays_text(make_inputs, unit_books, tmp_path):
    from batchdata import VARIANTS
    from fixtures import build_example

    inputs = tmp_path / "in"
    inputs.mkdir()
    build_example(inputs / "x.xlsx", {**VARIANTS["A"], "unit": "=HYPERLINK(\"http://x\")"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    with zipfile.ZipFile(out / "汇总.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet and "=HYPERLINK" in strings


def test_the_summary_needs_no_temp_folder(make_inputs, tmp_path, monkeypatch):
    """A server may not let the batch write the system temp folder: the summary's parts are staged in a
    folder of the batch's own beside it, so the batch does not fail at its end, and that folder goes."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 0
    with zipfile.ZipFile(out / "汇总.xlsx") as z:
        assert z.testzip() is None and "xl/worksheets/sheet1.xml" in z.namelist()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_summary_the_disk_has_no_room_for_is_reported_and_the_rest_is_written(make_inputs, tmp_path, monkeypatch,
                                                                                 capsys):
    """The disk fills while XlsxWriter zips the summary (the outputs are in place by then): the batch says
    which summary is missing and why, still writes the CSV and its record, leaves no temp, and exits 1
    (it ended in 内部错误, exit 70, with no CSV and no record)."""
    import errno

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "write", full)  # XlsxWriter's; the outputs' writer is xlperf's own
    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert f"汇总未写出：无法写入 {out / '汇总.xlsx'}：磁盘空间已满" in err and "内部错误" not in err, err
    assert sorted(p.name for p in out.iterdir()) == [".xlperf-batch.json", "乙-已评分.xlsx", "汇总.csv", "甲-已评分.xlsx"]
    monkeypatch.undo()
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 0  # room again: both skipped on the record
    assert "未变（跳过） 2" in capsys.readouterr().out and (out / "汇总.xlsx").is_file()


def test_a_summary_left_open_in_excel_is_reported_and_the_csv_still_written(make_inputs, tmp_path, monkeypatch,
                                                                              capsys):
    """The operator still has last run's 汇总.xlsx open (on Windows its replacement is refused): the batch
    says to close it, keeps the new CSV and exits 1, where it ended in 内部错误."""
    from xlperf.batch import summary_xlsx

    class Locked(hooks.OsView):
        @staticmethod
        def replace(src, dst):
            raise PermissionError(13, "The process cannot access the file because it is being used")

    monkeypatch.setattr(summary_xlsx, "os", Locked())
    inputs = make_inputs({"甲.xlsx": "A"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "汇总未写出" in err and "在 Excel/WPS 中关闭该文件后再试" in err and "内部错误" not in err, err
    assert (out / "汇总.csv").is_file() and not (out / "汇总.xlsx").exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(os.geteuid() != 0 if hasattr(os, "geteuid") else True, reason="mounts a small tmpfs (root)")
def test_a_batch_onto_a_disk_that_fills_up(make_inputs, tmp_path):
    """A real full disk (a 1 MB tmpfs): the outputs that fit are written whole, the rest fail saying the
    disk is full, the summaries say so too, nothing is left half-written, and no traceback reaches the
    operator (XlsxWriter's zip, left open, used to print one). With room made, a re-run fills the rest."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        inputs = make_inputs({f"单位{k:02d}.xlsx": "ABC"[k % 3] for k in range(30)})
        out = disk / "out"
        cli = [sys.executable, "-m", "xlperf", "batch", str(inputs), "-o", str(out), "-j", "2"]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}  # this tree's xlperf
        run = subprocess.run(cli, capture_output=True, text=True, timeout=300, env=env)
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr, run.stderr
        assert "磁盘空间已满" in run.stderr and "汇总未写出" in run.stderr
        written = sorted(out.glob("*-已评分.xlsx"))
        assert 0 < len(written) < 30 and not [p for p in out.iterdir() if p.name.startswith(".") and p.suffix == ".tmp"]
        assert all(verify(p).status == "unchanged" for p in written)
        subprocess.run(["mount", "-o", "remount,size=20M", str(disk)], check=True)
        again = subprocess.run(cli, capture_output=True, text=True, timeout=300, env=env)
        assert again.returncode == 0, again.stderr
        assert f"成功 {30 - len(written)}，未变（跳过） {len(written)}，失败 0" in again.stdout
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_total_bins():
    """5-point bands from the lowest total's band to the maximum; the top band holds the maximum too."""
    totals = [Decimal(x) for x in ("72.5", "80", "84.99", "85", "100", "99.99")]
    assert total_bins(totals, Decimal(100)) == [("70–75", 1), ("75–80", 0), ("80–85", 2), ("85–90", 1),
                                                ("90–95", 0), ("95–100", 2)]
    assert total_bins([Decimal(100)], Decimal(100)) == [("95–100", 1)]
    assert total_bins([], Decimal(100)) == []


def test_units_under_another_system_get_their_own_sheets(make_inputs, tmp_path):
    """Two units under shenzhen-2024, one under hunan-district (total 21.39 for the reference data):
    the more common system's sheets come first, the other's are numbered; one failures sheet."""
    from batchdata import VARIANTS
    from xlperf.engine.registry import Registry
    from xlperf.workbook.template import build_template

    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B"})
    build_template(inputs / "湘.xlsx", Registry().by_id("hunan-district"), data=VARIANTS["A"])
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    with zipfile.ZipFile(out / "汇总.xlsx") as z:
        workbook = z.read("xl/workbook.xml").decode()
        tables = {re.search(r' name="(\w+)"', t).group(1): re.search(r' ref="([A-Z0-9:]+)"', t).group(1)
                  for t in (z.read(n).decode() for n in z.namelist() if n.startswith("xl/tables/"))}
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == [
        "评分汇总", "分项分布", "图表", "评分汇总-2", "分项分布-2", "图表-2", "失败"]
    assert tables["Units1"].endswith("6") and tables["Units2"].endswith("5")  # header in row 4: 2 rows, 1 row
    assert "Failures" not in tables  # no failures: headers only, no table
    import openpyxl

    hunan = openpyxl.load_workbook(out / "汇总.xlsx", read_only=True)["评分汇总-2"]
    head, row = [c.value for c in next(hunan.iter_rows(min_row=4, max_row=4))], \
        [c.value for c in next(hunan.iter_rows(min_row=5, max_row=5))]
    assert dict(zip(head, row))["总分"] == 21.39 and dict(zip(head, row))["文件"].endswith("湘.xlsx")


def test_a_unit_sent_twice_is_pointed_out_in_both_rows(make_inputs, tmp_path):
    """A unit that sent its workbook and then a corrected copy is two rows of the same unit and year: each
    row's 说明 names the other file, so the bureau can tell which to keep. Another unit's row says nothing."""
    import csv

    import openpyxl

    inputs = make_inputs({"单位甲/初稿.xlsx": "A", "单位甲/终稿.xlsx": "A", "乙.xlsx": "B"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    with (out / "汇总.csv").open(encoding="utf-8-sig", newline="") as fh:
        said = {Path(r["文件"]).name: r["说明"] for r in csv.DictReader(fh)}
    assert said["初稿.xlsx"] == f"同一单位同一年度另有 {inputs / '单位甲' / '终稿.xlsx'}"
    assert said["终稿.xlsx"] == f"同一单位同一年度另有 {inputs / '单位甲' / '初稿.xlsx'}"
    assert said["乙.xlsx"] == ""
    ws = openpyxl.load_workbook(out / "汇总.xlsx")["评分汇总"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    head = rows[0]
    in_book = {Path(r[head.index("文件")]).name: r[head.index("说明")] for r in rows[1:]}
    assert in_book["初稿.xlsx"] == said["初稿.xlsx"] and in_book["乙.xlsx"] is None


@pytest.mark.parametrize("name", ["汇总.xlsx", "汇总.csv"])
def test_a_bureaus_own_file_where_the_summary_goes_is_kept(make_inputs, tmp_path, capsys, name):
    """汇总 is the commonest of file names: a hand-made 汇总.xlsx (or .csv) where the summary goes was
    replaced without a word. An earlier batch's summary is still rewritten; anything else stops the batch
    before it runs (exit 2), the file kept byte for byte."""
    import openpyxl

    inputs = make_inputs({"甲.xlsx": "A"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert main(["batch", str(inputs), "-o", str(out)]) == 0  # its own summaries: rewritten
    own = out / name
    if name.endswith(".xlsx"):
        openpyxl.Workbook().save(own)
    else:
        own.write_text("单位,得分\n甲,96\n", encoding="utf-8")
    before = own.read_bytes()
    capsys.readouterr()
    assert main(["batch", str(inputs), "-o", str(out)]) == 2
    assert f"{own} 已存在，且不是 xlperf 写出的汇总，未覆盖" in capsys.readouterr().err
    assert own.read_bytes() == before


# Names units and operators give: 1#楼, a name that looks percent-encoded, spaces, brackets, a percent sign.
LINKED_NAMES = ["单位#1.xlsx", "%E5%8D%95.xlsx", "区 一/100% 完成 [初稿].xlsx", "二#楼/填报.xlsx"]


@pytest.fixture
def linked_batch(make_inputs, tmp_path) -> Path:
    inputs = make_inputs({name: "A" for name in LINKED_NAMES})
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out"), "--summary", str(tmp_path / "报表" / "汇总.xlsx")]) == 0
    return tmp_path / "报表" / "汇总.xlsx"


def expected_outputs(summary: Path) -> set[Path]:
    out = summary.parent.parent / "out"
    return {out / name.replace(".xlsx", "-已评分.xlsx") for name in LINKED_NAMES}


def test_links_to_outputs_hold_any_file_name(linked_batch):
    """单位#1.xlsx's link was 单位 with the location 1-已评分.xlsx (Excel opened 单位, which does not exist), and
    %E5%8D%95.xlsx's target was left as it was, read as 单-已评分.xlsx. Every target now decodes to its output,
    relative to the summary, with no location."""
    from urllib.parse import unquote

    with zipfile.ZipFile(linked_batch) as z:
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    targets = re.findall(r'Target="([^"]+)" TargetMode="External"', rels)
    assert "location=" not in sheet and len(re.findall(r"<hyperlink ", sheet)) == len(LINKED_NAMES)
    assert not any(set(t) & set(' #"[]') for t in targets), targets
    linked = {(linked_batch.parent / unquote(t).replace("\\", "/")).resolve() for t in targets}
    assert linked == {p.resolve() for p in expected_outputs(linked_batch)}
    assert all(p.is_file() for p in linked)


@pytest.mark.libreoffice
def test_links_to_outputs_open_their_files_in_libreoffice(linked_batch, tmp_path, soffice):
    """As LibreOffice follows them: its HTML export writes each link as the file URI it resolved."""
    from urllib.parse import unquote, urlparse

    from lo import convert

    html = convert(linked_batch, "html", tmp_path / "lo").files[linked_batch][0].read_text(encoding="utf-8")
    hrefs = [h for h in re.findall(r'href="([^"]+)"', html) if h.startswith("file:")]
    assert {Path(unquote(urlparse(h).path)) for h in hrefs} == expected_outputs(linked_batch)


def test_a_bureaus_workbook_with_a_sheet_named_like_the_summarys_is_kept(make_inputs, tmp_path, capsys):
    """The bureau's own 汇总.xlsx whose first sheet happens to be named 评分汇总 (and one with the summary's
    four sheets, made by hand) was taken for an earlier summary and replaced, exit 0. A summary is now told
    by the property only its writer sets; one written before that property, by its Units1 table."""
    import openpyxl

    from xlperf.batch.summary_xlsx import MARK, is_summary

    inputs = make_inputs({"甲.xlsx": "A"})
    out = tmp_path / "out"
    out.mkdir()
    for sheets in (["评分汇总", "复核意见"], ["评分汇总"], ["评分汇总", "分项分布", "图表", "失败"]):
        wb = openpyxl.Workbook()
        wb.active.title = sheets[0]
        wb.active["A1"] = "财政局自己的复核意见"
        for name in sheets[1:]:
            wb.create_sheet(name)
        wb.save(out / "汇总.xlsx")
        before = (out / "汇总.xlsx").read_bytes()
        capsys.readouterr()
        assert main(["batch", str(inputs), "-o", str(out)]) == 2, sheets
        assert "已存在，且不是 xlperf 写出的汇总，未覆盖" in capsys.readouterr().err
        assert (out / "汇总.xlsx").read_bytes() == before
    (out / "汇总.xlsx").unlink()
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    with zipfile.ZipFile(out / "汇总.xlsx") as z:
        assert f'name="{MARK}"' in z.read("docProps/custom.xml").decode()
    # a summary written before the property: the same package without docProps/custom.xml
    old = tmp_path / "旧汇总.xlsx"
    with zipfile.ZipFile(out / "汇总.xlsx") as z, zipfile.ZipFile(old, "w") as w:
        for item in z.infolist():
            if item.filename != "docProps/custom.xml":
                w.writestr(item, z.read(item))
    assert is_summary(old) and is_summary(out / "汇总.xlsx")
    old.replace(out / "汇总.xlsx")
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert is_summary(out / "汇总.xlsx")
