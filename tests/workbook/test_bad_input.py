"""Bad files and bad cells: a non-zero exit, one Chinese line per problem with its sheet!cell, no output.

Every case runs twice: through the command line (``xlperf fill IN -o OUT``) and through ``fill()``.
Hostile packages (entity bombs, zip bombs, shared-string amplification) also run in a child
process whose address space is capped at 1 GiB, under a generous time bound.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest

from fixtures import (
    BILLION_LAUGHS,
    MAIN,
    Err,
    Formula,
    Pkg,
    add_shared_strings,
    build_example,
    deflated_zeros,
    field_cell,
    raw_zip,
    remove_defined_name,
    remove_sheet_entry,
    remove_table,
    set_cells,
    shared_refs,
    stored_entries,
    table_cell,
)
from xlperf.cli import main
from xlperf.errors import ProblemsError
from xlperf.workbook.fill import fill
from xlperf.workbook.problems import MESSAGES

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SAFETY_SECONDS = 5.0  # a safety bound against hangs and blow-ups, not a speed benchmark
MEMORY_CAP = 1 << 30
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return build_example(tmp_path_factory.mktemp("base") / "example.xlsx")


@dataclass
class Expect:
    """What a case must report: problem codes (as a multiset), located cells, phrases in the text."""

    codes: list[str]
    where: list[str] = field(default_factory=list)  # "预算执行!D3", or "预算执行" for a whole sheet
    phrases: list[str] = field(default_factory=list)
    exact: bool = True  # the codes are all the problems, not just some of them


# -- building the cases -------------------------------------------------------------------------------


def edited(base: Path, dst: Path, edit: Callable[[Pkg], None]) -> Path:
    pkg = Pkg(base)
    edit(pkg)
    return pkg.save(dst)


def case_xls(base, tmp):
    path = tmp / "旧版.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512 - 8) + b"\x00" * 4096)
    return path, Expect(["XLS_BIFF"], phrases=[".xls", "另存为"])


def case_wps_et(base, tmp):
    """WPS's own format is a compound file like .xls: named by its suffix, with WPS's way out."""
    path = tmp / "单位.et"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512 - 8) + b"\x00" * 4096)
    return path, Expect(["WPS_ET"], phrases=[".et", "WPS", "另存为"])


def case_ods(base, tmp):
    """LibreOffice's default format (what its Save gives unless Keep Current Format is chosen): the ODF
    package's first member, stored, is its mimetype. It was NOT_WORKBOOK (可能是 Word、PowerPoint 文档)."""
    import zipfile

    path = tmp / "单位.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
    return path, Expect(["ODF_SPREADSHEET"], phrases=[".ods", "LibreOffice", "另存为"])


def case_csv(base, tmp):
    path = tmp / "数据.csv"
    path.write_text("单位名称,调整后预算合计\n深圳,2180.5\n", encoding="utf-8")
    return path, Expect(["NOT_ZIP"], phrases=["CSV"])


def case_encrypted(base, tmp):
    src = CORPUS / "excelize" / "encryptAES.xlsx"
    if not src.exists():
        pytest.skip("corpus not available")
    path = tmp / "加密.xlsx"
    path.write_bytes(src.read_bytes())
    return path, Expect(["ENCRYPTED"], phrases=["密码"])


def case_truncated(base, tmp):
    data = base.read_bytes()
    path = tmp / "截断.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path, Expect(["CORRUPT_ZIP"], phrases=["损坏"])


def case_corrupt_member(base, tmp):
    part = Pkg(base).sheet_part("预算执行")
    data = bytearray(base.read_bytes())
    with zipfile.ZipFile(base) as zf:
        info = zf.getinfo(part)
    middle = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    for k in range(16):
        data[middle + k] ^= 0xA5
    path = tmp / "坏成员.xlsx"
    path.write_bytes(bytes(data))
    return path, Expect(["CORRUPT_ZIP"], ["预算执行"], phrases=["损坏", part])


def case_text_renamed(base, tmp):
    path = tmp / "文本.xlsx"
    path.write_text("这是一个文本文件，只是扩展名改成了 xlsx\n", encoding="utf-8")
    return path, Expect(["NOT_ZIP"])


def case_docx(base, tmp):
    path = tmp / "文档.xlsx"
    ct = "http://schemas.openxmlformats.org/package/2006/content-types"
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types xmlns="{ct}"><Default Extension="rels" '
                    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                    'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{rels}"><Relationship Id="rId1" '
                    f'Type="{office}" Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                    'wordprocessingml/2006/main"><w:body><w:p/></w:body></w:document>')
    return path, Expect(["NOT_WORKBOOK"], phrases=["Word"])


def case_not_template(base, tmp):
    src = CORPUS / "excelize" / "Book1.xlsx"
    if not src.exists():
        pytest.skip("corpus not available")
    path = tmp / "别的工作簿.xlsx"
    path.write_bytes(src.read_bytes())
    return path, Expect(["NOT_TEMPLATE"], phrases=["xlperf template", "xp_template_version"])


def case_missing_sheet(base, tmp):
    path = edited(base, tmp / "缺工作表.xlsx", lambda p: remove_sheet_entry(p, "基本信息"))
    # One problem for the sheet, not one per defined name on it.
    return path, Expect(["MISSING_SHEET"], phrases=["缺少工作表“基本信息”"])


def case_missing_name(base, tmp):
    path = edited(base, tmp / "缺名称.xlsx", lambda p: remove_defined_name(p, "xp_budget_adjusted_total"))
    return path, Expect(["MISSING_NAME"], phrases=["xp_budget_adjusted_total", "调整后预算合计", "预算执行"])


def case_missing_table(base, tmp):
    # An input list without its table is read by its header row (test_list_without_table); the evaluator's
    # tables are made from the indicator system, and one that is gone is reported.
    path = edited(base, tmp / "缺表格.xlsx", lambda p: remove_table(p, "评价人评分", "xp_stated"))
    return path, Expect(["MISSING_TABLE"], phrases=["xp_stated", "评价人评分", "转换为区域"])


def _at(base: Path, path: str) -> str:
    return "!".join(field_cell(Pkg(base), path))


def _set_field(base: Path, dst: Path, values: dict[str, object]) -> Path:
    def edit(pkg: Pkg) -> None:
        for path, value in values.items():
            sheet, ref = field_cell(pkg, path)
            set_cells(pkg, sheet, {ref: value})

    return edited(base, dst, edit)


def case_missing_column(base, tmp):
    # A list's header text cleared: named by its sheet and the header the unit sees, never as 表格 xp_key_tasks.
    path = edited(base, tmp / "缺表头.xlsx", lambda p: set_cells(p, "重点工作", {"C2": None}))
    return path, Expect(["MISSING_COLUMN"], ["重点工作!A2"], ["工作表“重点工作”", "“是否完成”", "恢复"])


def case_text_in_number(base, tmp):
    path = _set_field(base, tmp / "文字.xlsx", {"budget.adjusted.total": "一千"})
    return path, Expect(["NOT_NUMBER"], [_at(base, "budget.adjusted.total")], ["调整后预算合计", "一千", "应为数字"])


def case_div0(base, tmp):
    path = _set_field(base, tmp / "除零.xlsx", {"budget.adjusted.total": Err("#DIV/0!")})
    return path, Expect(["ERROR_VALUE"], [_at(base, "budget.adjusted.total")], ["调整后预算合计", "#DIV/0!"])


def case_ref_error(base, tmp):
    path = _set_field(base, tmp / "引用.xlsx", {"procurement.plan": Err("#REF!")})
    return path, Expect(["ERROR_VALUE"], [_at(base, "procurement.plan")], ["政府采购计划金额", "#REF!"])


def case_formula_without_result(base, tmp):
    """A formula saved without its cached result (as scripts write them) is not reported as "未填写"."""
    path = _set_field(base, tmp / "公式.xlsx", {"budget.adjusted.total": Formula("D4+D7")})
    return path, Expect(["FORMULA_NOT_CALCULATED"], [_at(base, "budget.adjusted.total")], ["=D4+D7", "计算结果"])


def case_percent_survey(base, tmp):
    ref = table_cell(Pkg(base), "满意度调查", "xp_surveys", "满意率")
    path = edited(base, tmp / "满意率.xlsx", lambda p: set_cells(p, "满意度调查", {ref: Decimal("98.7")}))
    # One problem only: the refused 满意率 must not come back as "需填写满意率" (SURVEY_INCOMPLETE).
    return path, Expect(["PERCENT_TYPED_AS_NUMBER"], [f"满意度调查!{ref}"], ["98.7%", "0.987"])


def case_percent_progress(base, tmp):
    path = _set_field(base, tmp / "进度.xlsx", {"quarterly.progress[1]": Decimal("98.7")})
    return path, Expect(["PERCENT_TYPED_AS_NUMBER"], [_at(base, "quarterly.progress[1]")],
                        ["第2季度末累计支出进度", "98.7%"])


def case_blank_required(base, tmp):
    path = _set_field(base, tmp / "空白.xlsx", {"unit": None, "budget.adjusted.total": None})
    return path, Expect(["REQUIRED", "REQUIRED"], [_at(base, "unit"), _at(base, "budget.adjusted.total")],
                        ["单位名称", "调整后预算合计", "未填写"])


def case_many(base, tmp):
    survey = table_cell(Pkg(base), "满意度调查", "xp_surveys", "满意率")

    def edit(pkg: Pkg) -> None:
        for path, value in {"unit": None, "budget.adjusted.total": "一千", "procurement.plan": Err("#DIV/0!"),
                            "sangong.actual": Err("#REF!"), "quarterly.progress[1]": Decimal("98.7")}.items():
            sheet, ref = field_cell(pkg, path)
            set_cells(pkg, sheet, {ref: value})
        set_cells(pkg, "满意度调查", {survey: Decimal("98.7")})

    path = edited(base, tmp / "多处.xlsx", edit)
    where = [_at(base, p) for p in ("unit", "budget.adjusted.total", "procurement.plan", "sangong.actual",
                                    "quarterly.progress[1]")] + [f"满意度调查!{survey}"]
    codes = ["REQUIRED", "NOT_NUMBER", "ERROR_VALUE", "ERROR_VALUE", "PERCENT_TYPED_AS_NUMBER",
             "PERCENT_TYPED_AS_NUMBER"]
    return path, Expect(codes, where, ["一千", "#DIV/0!", "#REF!"])


def case_newline_in_values(base, tmp):
    """A line break typed in a cell (Alt+Enter) was echoed raw, so one problem took two lines of the list."""
    status = table_cell(Pkg(base), "项目", "xp_projects", "完成状态")

    def edit(pkg: Pkg) -> None:
        set_cells(pkg, "项目", {status: "按期\n完成"})
        sheet, ref = field_cell(pkg, "budget.adjusted.total")
        set_cells(pkg, sheet, {ref: "1912\r\n37"})

    path = edited(base, tmp / "换行.xlsx", edit)
    return path, Expect(["CHOICE", "NOT_NUMBER"], [f"项目!{status}", _at(base, "budget.adjusted.total")],
                        ["实际为“按期\\u000a完成”", "实际为“1912\\u000d\\u000a37”"])


CASES = {
    "xls": case_xls,
    "wps-et": case_wps_et,
    "ods": case_ods,
    "csv": case_csv,
    "encrypted": case_encrypted,
    "truncated-zip": case_truncated,
    "corrupt-member": case_corrupt_member,
    "text-renamed-xlsx": case_text_renamed,
    "docx-like-zip": case_docx,
    "not-a-template": case_not_template,
    "missing-sheet": case_missing_sheet,
    "missing-defined-name": case_missing_name,
    "missing-table": case_missing_table,
    "missing-column": case_missing_column,
    "text-in-number": case_text_in_number,
    "div0-in-number": case_div0,
    "ref-error-in-number": case_ref_error,
    "formula-without-result": case_formula_without_result,
    "percent-as-number-survey": case_percent_survey,
    "percent-as-number-progress": case_percent_progress,
    "blank-required": case_blank_required,
    "several-at-once": case_many,
    "newline-in-values": case_newline_in_values,
}


# -- checks -------------------------------------------------------------------------------------------


def out_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "输出"
    folder.mkdir()
    return folder


def assert_nothing_written(folder: Path) -> None:
    assert list(folder.iterdir()) == [], f"left behind: {[p.name for p in folder.iterdir()]}"


def assert_clean_stderr(err: str, expect: Expect) -> None:
    assert "Traceback" not in err and "Error:" not in err, err
    assert "内部错误" not in err, err
    assert CHINESE.search(err), err
    for where in expect.where:
        assert (where if "!" in where else f"{where}: ") in err, f"{where} not named in:\n{err}"
    for phrase in expect.phrases:
        assert phrase in err, f"{phrase!r} not in:\n{err}"
    if expect.exact:
        assert f"发现 {len(expect.codes)} 个问题" in err, err


def assert_problems(problems, expect: Expect) -> None:
    codes = sorted(p.code for p in problems)
    if expect.exact:
        assert codes == sorted(expect.codes), [p.located() for p in problems]
    else:
        assert set(expect.codes) <= set(codes), [p.located() for p in problems]
    located = [p.located() for p in problems]
    for where in expect.where:
        sheet, _, cell = where.partition("!")
        assert any(p.sheet == sheet and p.cell == cell for p in problems), f"{where} not located in {located}"
    for p in problems:
        assert CHINESE.search(p.message) and "\n" not in p.message, p.message


@pytest.mark.parametrize("case", CASES)
def test_cli_refuses_with_a_located_chinese_message(case, base, tmp_path, capsys):
    path, expect = CASES[case](base, tmp_path)
    folder = out_folder(tmp_path)
    started = time.monotonic()
    rc = main(["fill", str(path), "-o", str(folder / "out.xlsx")])
    elapsed = time.monotonic() - started
    captured = capsys.readouterr()
    assert rc == 1, captured.err
    assert captured.out == ""
    assert_clean_stderr(captured.err, expect)
    assert_nothing_written(folder)
    assert elapsed < SAFETY_SECONDS


@pytest.mark.parametrize("case", CASES)
def test_fill_raises_the_problems(case, base, tmp_path):
    path, expect = CASES[case](base, tmp_path)
    folder = out_folder(tmp_path)
    with pytest.raises(ProblemsError) as exc:
        fill(path, folder / "out.xlsx")
    assert_problems(exc.value.problems, expect)
    assert_nothing_written(folder)


def test_fill_json_gives_the_problems_as_json_on_stdout(base, tmp_path, capsys):
    # With --json, stdout had nothing at all when the inputs were refused: the text went to stderr only.
    path, expect = case_many(base, tmp_path)
    folder = out_folder(tmp_path)
    assert main(["fill", str(path), "-o", str(folder / "out.xlsx"), "--json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["exit_code"] == 1
    assert sorted(p["code"] for p in report["problems"]) == sorted(expect.codes)
    assert sorted(f"{p['sheet']}!{p['cell']}" for p in report["problems"]) == sorted(expect.where)
    assert all(CHINESE.search(p["message"]) for p in report["problems"])
    assert "发现 6 个问题，未生成输出" in captured.err  # the text for people stays where it was
    assert_nothing_written(folder)
    assert main(["fill", str(tmp_path / "没有这个文件.xlsx"), "--json"]) == 1
    [missing] = json.loads(capsys.readouterr().out)["problems"]
    assert missing["code"] == "NOT_FOUND" and "没有这个文件.xlsx" in missing["message"]
    assert main(["verify", str(tmp_path / "没有这个文件.xlsx"), "--json"]) == 1
    assert [p["code"] for p in json.loads(capsys.readouterr().out)["problems"]] == ["NOT_FOUND"]


def test_default_output_is_not_created_either(base, tmp_path, capsys):
    """Without -o the output would go beside the input (<name>-已评分.xlsx): it must not appear."""
    path, _ = case_many(base, tmp_path)
    before = set(tmp_path.iterdir())
    assert main(["fill", str(path)]) == 1
    assert set(tmp_path.iterdir()) == before
    assert "Traceback" not in capsys.readouterr().err


def test_formula_with_its_result_is_read_as_that_result(base, tmp_path, capsys):
    """The counterpart of formula-without-result: a formula Excel saved with its value fills normally."""
    pkg = Pkg(base)
    sheet, ref = field_cell(pkg, "budget.adjusted.total")
    value = next(c for c in pkg.xml(pkg.sheet_part(sheet)).iter(f"{{{MAIN}}}c") if c.get("r") == ref).findtext(
        f"{{{MAIN}}}v")
    path = _set_field(base, tmp_path / "公式有值.xlsx", {"budget.adjusted.total": Formula("D4+D7", value)})
    assert main(["fill", str(path), "-o", str(tmp_path / "out.xlsx")]) == 0
    assert "总分: 96.88" in capsys.readouterr().out


@pytest.mark.parametrize("where", ["file", "proc"])
def test_output_folder_that_cannot_be_made(base, tmp_path, capsys, where):
    """-o under a plain file, or somewhere nothing can be created: WRITE_FAILED, not an internal error."""
    if where == "file":
        blocker = tmp_path / "报告.xlsx"
        blocker.write_bytes(b"")
        target = blocker / "子目录" / "out.xlsx"
    else:
        if not Path("/proc/self").exists():
            pytest.skip("needs /proc")
        target = Path("/proc/xlperf-does-not-exist/out.xlsx")
    assert main(["fill", str(base), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert "无法写入" in err and "内部错误" not in err and "Traceback" not in err, err
    with pytest.raises(ProblemsError) as exc:
        fill(base, target)
    assert [p.code for p in exc.value.problems] == ["WRITE_FAILED"]


def test_an_output_name_too_long_for_the_disk_says_so(base, tmp_path, capsys):
    """-o with a name of 300 bytes (100 Chinese characters): the disk refuses it; the message says why and
    what to do, instead of asking whether the folder is writable."""
    target = tmp_path / ("评" * 95 + ".xlsx")
    assert main(["fill", str(base), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert "文件名或路径过长" in err and "Traceback" not in err, err
    with pytest.raises(ProblemsError) as exc:
        fill(base, target)
    assert [p.code for p in exc.value.problems] == ["NAME_TOO_LONG"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("source, target", [(".xlsm", ".xlsx"), (".xlsx", ".xlsm"),
                                            # no Excel opens these; they were written (an .xlsx inside)
                                            (".xlsx", ".csv"), (".xlsx", ""), (".xlsm", ".zip")])
def test_output_extension_must_match_the_format(base, tmp_path, capsys, source, target):
    """Excel will not open an .xlsx holding a macro-enabled workbook (or the reverse): refuse to write one."""
    src = build_example(tmp_path / f"填报{source}", vba=source == ".xlsm")
    folder = out_folder(tmp_path)
    assert main(["fill", str(src), "-o", str(folder / f"out{target}")]) == 1
    err = capsys.readouterr().err
    assert f"须以 {source} 结尾" in err and "Traceback" not in err, err
    assert_nothing_written(folder)
    assert main(["fill", str(src), "-o", str(folder / f"out{source}")]) == 0


def test_messages_for_file_problems_come_from_the_table(base, tmp_path, capsys):
    """The CLI shows the package layer's own sentence (placeholders filled), not a paraphrase."""
    for case, code in (("xls", "XLS_BIFF"), ("csv", "NOT_ZIP"), ("docx-like-zip", "NOT_WORKBOOK")):
        path, _ = CASES[case](base, tmp_path)
        assert main(["fill", str(path), "-o", str(tmp_path / "x.xlsx")]) == 1
        assert MESSAGES[code] in capsys.readouterr().err


# -- hostile packages: prompt and bounded, in a memory-capped child process ---------------------------

CHILD = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    from xlperf.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def run_capped(args: list[str]) -> tuple[int, str, float]:
    """Run the CLI in a child with RLIMIT_AS = 1 GiB: (exit code, stderr, seconds)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    env.pop("XLPERF_DEBUG", None)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", CHILD.format(cap=MEMORY_CAP), *args], capture_output=True,
                            text=True, timeout=120, env=env)
    return result.returncode, result.stderr, time.monotonic() - started


def hostile_entity_bomb(base, tmp):
    def edit(pkg: Pkg) -> None:
        pkg.put(pkg.sheet_part("预算执行"), BILLION_LAUGHS)

    return edited(base, tmp / "实体炸弹.xlsx", edit), "XML_UNSAFE", ["预算执行: ", "DOCTYPE"]


def _with_member(base: Path, dst: Path, name: str, method: int, data: bytes, declared: int,
                 replace: bool = False) -> Path:
    entries = stored_entries(Pkg(base))
    bomb = (name, method, data, 0, declared)
    if replace:
        entries = [bomb if e[0] == name else e for e in entries]
    else:
        entries.append(bomb)
    return raw_zip(dst, entries)


def hostile_zip_bomb_honest(base, tmp):
    """1 GiB of zeros in 1 MiB, declared truthfully: refused from the central directory alone."""
    path = _with_member(base, tmp / "压缩炸弹.xlsx", "xl/media/zeros.bin", 8, deflated_zeros(1024), 1 << 30)
    return path, "TOO_LARGE", ["超出安全上限"]


def hostile_zip_bomb_lying(base, tmp):
    """The same member declaring 1000 bytes: inflating stops right past the declared size."""
    path = _with_member(base, tmp / "压缩炸弹2.xlsx", "xl/media/zeros.bin", 8, deflated_zeros(1024), 1000)
    return path, "CORRUPT_ZIP", ["xl/media/zeros.bin"]


def hostile_zip_bomb_sheet(base, tmp):
    """An input sheet that inflates to 1 GiB while declaring 1000 bytes."""
    part = Pkg(base).sheet_part("预算执行")
    path = _with_member(base, tmp / "压缩炸弹3.xlsx", part, 8, deflated_zeros(1024), 1000, replace=True)
    return path, "CORRUPT_ZIP", ["预算执行: ", part]


def hostile_zip_bomb_ratio(base, tmp):
    """An input sheet of 150 MiB zeros declared truthfully, under the total cap: refused by its ratio."""
    part = Pkg(base).sheet_part("预算执行")
    path = _with_member(base, tmp / "压缩炸弹4.xlsx", part, 8, deflated_zeros(150), 150 << 20, replace=True)
    return path, "TOO_LARGE", [part]


MEGA_STRING = "x" * (1 << 20)


def _amplified(base: Path, dst: Path, where: Callable[[Pkg], tuple[str, dict[str, int]]], stored: bool) -> Path:
    def edit(pkg: Pkg) -> None:
        add_shared_strings(pkg, [MEGA_STRING])
        if stored:  # uncompressed, so the ratio check does not stop it first
            pkg.compression[next(n for n in pkg.members if n.endswith("sharedStrings.xml"))] = zipfile.ZIP_STORED
        sheet, refs = where(pkg)
        shared_refs(pkg, sheet, refs)

    return edited(base, dst, edit)


def _fifty_thousand(pkg: Pkg) -> tuple[str, dict[str, int]]:
    """50,000 cells of 项目, outside its table (rows 300-2799, columns H-AA), all pointing at string 0."""
    cols = [chr(c) for c in range(ord("H"), ord("Z") + 1)] + ["AA"]
    return "项目", {f"{c}{r}": 0 for r in range(300, 2800) for c in cols[:20]}


def hostile_sst_compressed(base, tmp):
    """The 1 MiB string compresses 1000:1: the sharedStrings part is refused by its ratio."""
    return _amplified(base, tmp / "共享字符串.xlsx", _fifty_thousand, stored=False), "TOO_LARGE", ["sharedStrings"]


def hostile_sst_in_an_input_cell(base, tmp):
    """Stored uncompressed and used by the unit name cell: refused, naming the cell."""
    def unit(pkg: Pkg):
        sheet, ref = field_cell(pkg, "unit")
        return sheet, {ref: 0}

    path = _amplified(base, tmp / "共享字符串2.xlsx", unit, stored=True)
    return path, "TEXT_TOO_LONG", [_at(base, "unit"), "32767"]


HOSTILE = {
    "entity-bomb-in-sheet": hostile_entity_bomb,
    "zip-bomb-honest-size": hostile_zip_bomb_honest,
    "zip-bomb-lying-size": hostile_zip_bomb_lying,
    "zip-bomb-as-input-sheet": hostile_zip_bomb_sheet,
    "zip-bomb-by-ratio": hostile_zip_bomb_ratio,
    "shared-strings-compressed": hostile_sst_compressed,
    "shared-string-in-input-cell": hostile_sst_in_an_input_cell,
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_package_is_refused_promptly(case, base, tmp_path, capsys):
    path, code, phrases = HOSTILE[case](base, tmp_path)
    folder = out_folder(tmp_path)
    # First in the capped child: a regression must not blow up the test process itself.
    rc, err, seconds = run_capped(["fill", str(path), "-o", str(folder / "out.xlsx")])
    assert rc == 1, err
    assert seconds < SAFETY_SECONDS, f"{seconds:.1f} s"
    assert "Traceback" not in err and "内部错误" not in err and "MemoryError" not in err, err
    for phrase in phrases:
        assert phrase in err, f"{phrase!r} not in {err}"
    assert_nothing_written(folder)
    started = time.monotonic()
    with pytest.raises(ProblemsError) as exc:
        fill(path, folder / "out.xlsx")
    assert time.monotonic() - started < SAFETY_SECONDS
    assert [p.code for p in exc.value.problems] == [code], [p.located() for p in exc.value.problems]
    assert_nothing_written(folder)


def test_fifty_thousand_references_to_a_mega_string_are_handled(base, tmp_path):
    """50,000 cells x 1 MiB would be 50 GB expanded. The input sheet is copied, never expanded: the fill
    succeeds promptly, in bounded memory, and the output is about as large as the input."""
    path = _amplified(base, tmp_path / "共享字符串3.xlsx", _fifty_thousand, stored=True)
    out = tmp_path / "out.xlsx"
    rc, err, seconds = run_capped(["fill", str(path), "-o", str(out)])
    assert rc == 0, err
    assert seconds < SAFETY_SECONDS, f"{seconds:.1f} s"
    assert out.stat().st_size < 2 * path.stat().st_size
    with zipfile.ZipFile(out) as zf:
        assert sum(i.file_size for i in zf.infolist()) < 2 * sum(i.file_size for i in zipfile.ZipFile(path).infolist())
