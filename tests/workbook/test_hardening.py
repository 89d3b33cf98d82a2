"""Issue 7: a workbook never chooses what xlperf reads, every input ends quickly, nothing is overwritten.

Each test is one point of the issue, as a hostile or careless sender would try it. Cases that
hung, or ate memory, before the fix run in a child process under a memory cap and a timeout: a
FIFO named by the workbook that is ever opened for reading hangs, so the timeout proves it is not.
Every case also checks that its input is byte-for-byte unchanged and that nothing was written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from fixtures import Pkg, add_shared_strings, build_example, field_cell, set_cells, shared_refs, table_cell
from xlperf.cli import main
from xlperf.errors import SystemFileError
from xlperf.engine.registry import BUNDLED_DIR, ENV, Registry
from xlperf.workbook.atomic import parse_leftover, remove_leftovers, temp_name
from xlperf.workbook.xmlsafe import has_doctype
from xlperf.book.a1 import col_letter

MEMORY_CAP = 1 << 30
SAFETY_SECONDS = 20.0  # against hangs and blow-ups on a shared 2-core machine; not a speed benchmark
SYSTEM_NAME = "xp_system_id"
CHILD = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    from xlperf.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return build_example(tmp_path_factory.mktemp("base") / "example.xlsx")


@pytest.fixture(autouse=True)
def no_operator_systems(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_capped(args: list[str], env: dict | None = None, timeout: float = 60) -> tuple[int, str, str, float]:
    """The CLI in a child with RLIMIT_AS = 1 GiB: (exit code, stdout, stderr, seconds)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), **(env or {})}
    env.pop("XLPERF_DEBUG", None)
    env.pop(ENV, None)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", CHILD.format(cap=MEMORY_CAP), *args], capture_output=True,
                            text=True, timeout=timeout, env=env)
    return result.returncode, result.stdout, result.stderr, time.monotonic() - started


def with_system_id(base: Path, dst: Path, value: object) -> tuple[Path, str]:
    """A copy of base whose template system id cell holds value; also the cell as sheet!A1."""
    pkg = Pkg(base)
    sheet, cell = pkg.defined_name(SYSTEM_NAME)
    set_cells(pkg, sheet, {cell: value})
    return pkg.save(dst), f"{sheet}!{cell}"


def custom_system(folder: Path, system_id: str = "custom-2024", extra: str = "") -> Path:
    """A copy of the bundled Shenzhen system under another id (its rows and points are the same)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (BUNDLED_DIR / "shenzhen-2024.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^id = "shenzhen-2024"', f'id = "{system_id}"', text, count=1)
    path = folder / f"{system_id}.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


# -- 1. the workbook names an id, never a file ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["etc-hosts", "fifo", "dev-zero", "crafted-toml", "relative"])
def test_a_system_id_that_names_a_file_is_refused_unopened(base, tmp_path, kind):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    crafted = custom_system(tmp_path / "sender", "shenzhen-2024", extra="\n# the sender's rules\n")
    value = {"etc-hosts": "/etc/hosts", "fifo": str(fifo), "dev-zero": "/dev/zero", "crafted-toml": str(crafted),
             "relative": "../systems/shenzhen-2024"}[kind]
    src, where = with_system_id(base, tmp_path / "in.xlsx", value)
    before = digest(src)
    out = tmp_path / "out.xlsx"
    code, stdout, stderr, _ = run_capped(["fill", str(src), "-o", str(out)], timeout=30)  # a FIFO read would hang
    assert code == 1, stderr
    assert where in stderr and "指标体系编号" in stderr and "无效" in stderr
    assert "localhost" not in stderr and "内部错误" not in stderr
    assert not out.exists() and digest(src) == before
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_systems_come_from_the_operators_folders_and_verify_finds_them_by_hash(base, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "systems"
    custom = custom_system(folder)
    src, _ = with_system_id(base, tmp_path / "in.xlsx", "custom-2024")
    out = tmp_path / "out.xlsx"
    assert main(["fill", str(src), "-o", str(out)]) == 1  # not trusted unless the operator says so
    assert "未知的指标体系“custom-2024”" in capsys.readouterr().err and not out.exists()
    assert main(["fill", str(src), "-o", str(out), "--systems", str(folder)]) == 0
    assert "总分: 96.88" in capsys.readouterr().out

    assert main(["verify", str(out)]) == 5  # scored under a system this machine does not hold: no vouching
    from xlperf import __version__

    assert f"填写，本机 xlperf {__version__} 没有这一指标体系，无法逐格核对" in capsys.readouterr().out
    assert main(["verify", str(out), "--systems", str(folder)]) == 0
    monkeypatch.setenv(ENV, os.pathsep.join([str(tmp_path / "nowhere"), str(folder)]))
    assert main(["verify", str(out)]) == 0
    capsys.readouterr()

    custom.write_text(custom.read_text(encoding="utf-8") + "\n# edited after the fill\n", encoding="utf-8")
    assert main(["verify", str(out)]) == 5  # same id, other rules: the hash decides
    assert "没有这一指标体系" in capsys.readouterr().out


def test_a_workbook_without_a_system_id_is_a_located_error(base, tmp_path, capsys):
    src, where = with_system_id(base, tmp_path / "in.xlsx", None)
    before = digest(src)
    assert main(["fill", str(src), "-o", str(tmp_path / "out.xlsx")]) == 1
    err = capsys.readouterr().err
    assert where in err and "没有记录指标体系编号" in err
    assert not (tmp_path / "out.xlsx").exists() and digest(src) == before
    # The operator may still name the system explicitly.
    assert main(["fill", str(src), "-o", str(tmp_path / "out.xlsx"), "--system", "shenzhen-2024"]) == 0


def test_registry_looks_up_ids_only_and_bundled_systems_cannot_be_shadowed(tmp_path):
    folder = tmp_path / "ops"
    custom_system(folder, "shenzhen-2024", extra="\n# a shadow\n")
    custom_system(folder, "custom-2024")
    os.mkfifo(folder / "pipe-2024.toml")
    registry = Registry([folder], environment=False)
    bundled = Registry(environment=False).by_id("shenzhen-2024")
    assert registry.by_id("shenzhen-2024").sha256 == bundled.sha256
    custom = registry.by_id("custom-2024")
    assert custom.id == "custom-2024" and registry.by_sha256(custom.sha256).id == "custom-2024"
    assert registry.by_sha256(bundled.sha256).id == "shenzhen-2024"
    assert registry.by_sha256("0" * 64) is None and registry.by_sha256("../../etc/hosts") is None
    with pytest.raises(SystemFileError, match="不是普通文件"):
        registry.by_id("pipe-2024")  # opened non-blocking and refused, never read
    for bad in ["/etc/hosts", "../ops/custom-2024", "custom-2024.toml", "ops/custom-2024", "C:x", "", "a" * 80,
                "Custom-2024", "custom-2024 "]:
        with pytest.raises(SystemFileError, match="无效"):
            registry.by_id(bad)


def test_the_command_line_takes_system_ids_not_paths(tmp_path, capsys):
    assert main(["score", "--system", "/etc/hosts"]) == 1
    assert "无效" in capsys.readouterr().err
    assert main(["template", "-o", str(tmp_path / "t.xlsx"), "--system", str(BUNDLED_DIR / "hunan-district.toml")]) == 1
    assert not (tmp_path / "t.xlsx").exists()
    custom_system(tmp_path / "ops")
    assert main(["template", "-o", str(tmp_path / "t.xlsx"), "--system", "custom-2024",
                 "--systems", str(tmp_path / "ops")]) == 0


# -- 2. absurd numbers end at once, located -----------------------------------------------------------


def _field(path: str, value: object):
    def edit(pkg: Pkg) -> str:
        sheet, cell = field_cell(pkg, path)
        set_cells(pkg, sheet, {cell: value})
        return f"{sheet}!{cell}"
    return edit


def _planned_date(value: object):
    def edit(pkg: Pkg) -> str:
        cell = table_cell(pkg, "项目", "xp_projects", "计划完成日期")
        set_cells(pkg, "项目", {cell: value})
        return f"项目!{cell}"
    return edit


ABSURD = {
    "year-1E+999999999": _field("year", Decimal("1E+999999999")),
    "count-1E+20000": _field("staff.authorized", Decimal("1E+20000")),
    "count-text-1E+999999999": _field("staff.on_payroll", "1E+999999999"),
    "amount-1E+400": _field("budget.adjusted.total", Decimal("1E+400")),
    "amount-minus-1E+999999999": _field("budget.adjusted.total", Decimal("-1E+999999999")),
    # Typed as text, the digits are the user's exact text: 5,000 of them are refused, not parsed.
    # (In a number cell the same digits are a double's text and read as Excel shows it: 1.11111111111111.)
    "amount-text-5000-digits": _field("budget.adjusted.total", "1." + "1" * 5000),
    "date-serial-99999999999": _planned_date(Decimal("99999999999")),
}


@pytest.mark.parametrize("case", list(ABSURD))
def test_absurd_numbers_end_fast_with_a_located_problem(base, tmp_path, case):
    pkg = Pkg(base)
    where = ABSURD[case](pkg)
    src = pkg.save(tmp_path / "in.xlsx")
    before = digest(src)
    out = tmp_path / "out.xlsx"
    code, _, stderr, seconds = run_capped(["fill", str(src), "-o", str(out)], timeout=60)
    assert code == 1, stderr
    assert where in stderr and "超出合理范围" in stderr, stderr
    assert "内部错误" not in stderr and len(stderr) < 600  # the echoed value is capped
    assert seconds < SAFETY_SECONDS
    assert not out.exists() and digest(src) == before


def test_absurd_numbers_in_json_inputs_end_fast(tmp_path):
    from fixtures import example_data

    data = json.loads(json.dumps(example_data(), default=str))
    data["staff"]["authorized"] = "1E+999999999"
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, stderr, _ = run_capped(["score", str(path)], timeout=30)
    assert code == 1 and "超出合理范围" in stderr and "内部错误" not in stderr


# -- 3. a negative shared-string index --------------------------------------------------------------------


def test_a_negative_shared_string_index_is_refused_not_read_from_the_end(base, tmp_path, capsys):
    pkg = Pkg(base)
    add_shared_strings(pkg, ["甲单位", "最后一个字符串"])
    sheet, cell = field_cell(pkg, "unit")
    shared_refs(pkg, sheet, {cell: -1})
    src = pkg.save(tmp_path / "in.xlsx")
    before = digest(src)
    assert main(["fill", str(src), "-o", str(tmp_path / "out.xlsx")]) == 1
    err = capsys.readouterr().err
    assert f"单元格 {cell}" in err and "内容无效" in err and "最后一个字符串" not in err
    assert not (tmp_path / "out.xlsx").exists() and digest(src) == before


# -- 4. control characters: escaped on the terminal, round-tripped in the cells -----------------------


UNIT = "单位_x001B_]0;pwned_x0007__x001B_[31m红_x009B_2J_x0000_尾_x005F_x0041_"
UNIT_TEXT = "单位\x1b]0;pwned\x07\x1b[31m红\x9b2J\x00尾_x0041_"


def test_control_characters_never_reach_the_terminal_and_verify_agrees(base, tmp_path, capsys):
    src = pkg_with_unit(base, tmp_path)
    out = tmp_path / "out.xlsx"
    assert main(["fill", str(src), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", printed)
    assert "单位\\u001b]0;pwned\\u0007\\u001b[31m红\\u009b2J\\u0000尾_x0041_" in printed
    assert main(["verify", str(out)]) == 0
    capsys.readouterr()
    assert main(["fill", str(src), "-o", str(tmp_path / "again.xlsx"), "--json"]) == 0
    printed = capsys.readouterr().out
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", printed)
    assert json.loads(printed)["unit"] == UNIT_TEXT  # escaped on the terminal, still JSON, still the same text


def pkg_with_unit(base: Path, tmp_path: Path) -> Path:
    pkg = Pkg(base)
    sheet, cell = field_cell(pkg, "unit")
    set_cells(pkg, sheet, {cell: UNIT})  # set_cells writes the text as is: Excel's _xHHHH_ escapes
    return pkg.save(tmp_path / "in.xlsx")


# -- 6. outputs only to regular files or new paths ---------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "folder", "link-to-fifo"])
def test_fill_never_replaces_a_fifo_folder_or_link_to_one(base, tmp_path, kind, capsys):
    target = tmp_path / "target.xlsx"
    if kind == "folder":
        target.mkdir()
    else:
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        if kind == "fifo":
            target = fifo
        else:
            target.symlink_to(fifo)
    before = digest(base)
    assert main(["fill", str(base), "-o", str(target)]) == 1
    assert "不是普通文件" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.stat(target).st_mode) if kind != "folder" else target.is_dir()
    assert digest(base) == before


def test_in_place_and_output_refuse_a_read_only_file(base, tmp_path, capsys):
    src = tmp_path / "in.xlsx"
    shutil.copyfile(base, src)
    src.chmod(0o444)
    before = digest(src)
    assert main(["fill", str(src), "--in-place"]) == 1
    assert "只读" in capsys.readouterr().err
    assert digest(src) == before and stat.S_IMODE(src.stat().st_mode) == 0o444
    src2 = tmp_path / "in2.xlsx"
    shutil.copyfile(base, src2)
    assert main(["fill", str(src2), "-o", str(src)]) == 1  # an existing read-only output is kept too
    assert "只读" in capsys.readouterr().err and digest(src) == before


def test_a_hard_link_to_the_input_is_the_input(base, tmp_path, capsys):
    src = tmp_path / "in.xlsx"
    shutil.copyfile(base, src)
    os.link(src, tmp_path / "link.xlsx")
    before = digest(src)
    assert main(["fill", str(src), "-o", str(tmp_path / "link.xlsx")]) == 1
    assert "输出文件与输入文件相同" in capsys.readouterr().err and digest(src) == before


def test_the_input_under_another_name_is_the_input(base, tmp_path, capsys):
    """A symbolic link to it, a path through a linked folder or with "..": each is refused as the input."""
    src = tmp_path / "in.xlsx"
    shutil.copyfile(base, src)
    (tmp_path / "sym.xlsx").symlink_to(src)
    (tmp_path / "via").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "sub").mkdir()
    before = digest(src)
    for out in (tmp_path / "sym.xlsx", tmp_path / "via" / "in.xlsx", tmp_path / "sub" / ".." / "in.xlsx"):
        assert main(["fill", str(src), "-o", str(out)]) == 1, out
        assert "输出文件与输入文件相同" in capsys.readouterr().err and digest(src) == before
    assert main(["fill", str(tmp_path / "absent.xlsx"), "-o", str(tmp_path / "absent.xlsx")]) == 1
    assert "输出文件与输入文件相同" in capsys.readouterr().err


# -- 8. a junk-filled sheet costs what the layout's ranges hold ---------------------------------------


def junk_sheet(base: Path, dst: Path, rows: range, cols: int) -> Path:
    """base with len(rows) × cols numeric junk cells below 基本信息's fields (1.9 million by default)."""
    pkg = Pkg(base)
    part = pkg.sheet_part("基本信息")
    xml = pkg.members[part]
    letters = [col_letter(c) for c in range(1, cols + 1)]
    junk = "".join(f'<row r="{r}">' + "".join(f'<c r="{L}{r}"><v>7</v></c>' for L in letters) + "</row>"
                   for r in rows)
    end = xml.index(b"</sheetData>")
    pkg.put(part, xml[:end] + junk.encode() + xml[end:])
    return pkg.save(dst)


def test_a_sheet_full_of_junk_is_read_in_little_memory_and_time(base, tmp_path):
    src = junk_sheet(base, tmp_path / "junk.xlsx", range(1000, 2900), 1000)
    with zipfile.ZipFile(src) as zf:
        cells = zf.read(Pkg(base).sheet_part("基本信息")).count(b"<c ")
    assert cells > 1_900_000
    before = digest(src)
    out = tmp_path / "out.xlsx"
    code, stdout, stderr, seconds = run_capped(["fill", str(src), "-o", str(out)], timeout=120)
    assert code == 0, stderr
    assert "总分: 96.88" in stdout and seconds < SAFETY_SECONDS
    assert digest(src) == before
    code, stdout, stderr, _ = run_capped(["verify", str(out)], timeout=120)
    assert code == 0, stdout + stderr
    part = Pkg(base).sheet_part("基本信息")
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert a.getinfo(part).CRC == b.getinfo(part).CRC  # the junk is kept, copied as it was


def test_a_padded_shared_string_table_is_parsed_only_as_far_as_cells_refer(base, tmp_path):
    pkg = Pkg(base)
    add_shared_strings(pkg, [f"垃圾{i}" for i in range(1_900_000)])
    src = pkg.save(tmp_path / "padded.xlsx")
    code, stdout, stderr, seconds = run_capped(["fill", str(src), "-o", str(tmp_path / "out.xlsx")], timeout=120)
    assert code == 0, stderr
    assert "总分: 96.88" in stdout and seconds < SAFETY_SECONDS


def test_junk_on_an_owned_output_sheet_is_refused_before_it_is_parsed(base, tmp_path, capsys):
    pkg = Pkg(base)
    part = pkg.sheet_part("评分表")
    xml = pkg.members[part]
    junk = "".join(f'<row r="{r}"><c r="A{r}"><v>7</v></c></row>' for r in range(2000, 400_000))
    end = xml.index(b"</sheetData>")
    pkg.put(part, xml[:end] + junk.encode() + xml[end:])
    src = pkg.save(tmp_path / "in.xlsx")
    before = digest(src)
    assert main(["fill", str(src), "-o", str(tmp_path / "out.xlsx")]) == 1
    err = capsys.readouterr().err
    assert "评分表" in err and "过大" in err
    assert not (tmp_path / "out.xlsx").exists() and digest(src) == before


def test_template_never_writes_into_a_fifo(tmp_path):
    fifo = tmp_path / "t.xlsx"
    os.mkfifo(fifo)
    code, _, stderr, _ = run_capped(["template", "-o", str(fifo)], timeout=30)  # opening it would block
    assert code == 1 and "不是普通文件" in stderr and stat.S_ISFIFO(os.stat(fifo).st_mode)


# -- 9. leftovers of interrupted writes ---------------------------------------------------------------


def test_a_fill_removes_the_leftovers_of_dead_writers_only(base, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "out.xlsx"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    host = temp_name(out).name.split("~xlperf-")[1].split("-")[0]

    def leftover(name: str, pid: int, host: str = host, age: float = 0) -> Path:
        path = folder / f".{name}.~xlperf-{host}-{pid}-0badc0de.tmp"
        path.write_bytes(b"PK partial")
        if age:
            os.utime(path, (time.time() - age, time.time() - age))
        return path

    gone = [leftover("out.xlsx", dead_pid), leftover("other.xlsx", dead_pid),
            leftover("old.xlsx", os.getppid(), age=2 * 86400)]
    kept = [leftover("out.xlsx", os.getppid()),  # a live writer's file
            leftover("far.xlsx", dead_pid, host="0000abcd")]  # another host's pid means nothing here
    unrelated = folder / ".out.xlsx.1234abcd.tmp"
    unrelated.write_bytes(b"not ours")
    assert main(["fill", str(base), "-o", str(out)]) == 0
    assert [p.exists() for p in gone] == [False] * 3
    assert all(p.exists() for p in kept) and unrelated.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(["out.xlsx", unrelated.name, *(p.name for p in kept)])


def test_a_dead_writers_folder_of_temp_parts_is_removed_and_a_live_ones_or_an_odd_one_stays(tmp_path):
    """The batch summary's parts are staged in a folder named like a temp file: a dead writer's goes with
    its files; a live writer's stays; one holding a folder is not what a writer leaves, so it stays."""
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout)

    def staging(target: str, pid: int) -> Path:
        path = tmp_path / temp_name(tmp_path / target).name.replace(f"-{os.getpid()}-", f"-{pid}-")
        path.mkdir()
        (path / "tmpab12cd").write_bytes(b"<worksheet/>")
        return path

    gone, alive, odd = staging("汇总.xlsx", dead), staging("汇总.xlsx", os.getppid()), staging("其他.xlsx", dead)
    (odd / "sub").mkdir()
    assert remove_leftovers(tmp_path) == [gone] and not gone.exists()
    assert (alive / "tmpab12cd").is_file() and (odd / "tmpab12cd").is_file() and (odd / "sub").is_dir()


def test_the_temp_file_of_a_writer_killed_mid_write_is_removed_by_the_next_fill(base, tmp_path):
    out = tmp_path / "out.xlsx"
    killed = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from xlperf.workbook.atomic import open_temp
        tmp, fd = open_temp(Path({str(out)!r}))
        os.write(fd, b"PK half a workbook")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    assert subprocess.run([sys.executable, "-c", killed], env=env, timeout=60).returncode == -9
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".out.xlsx.")]
    assert len(left) == 1 and parse_leftover(left[0].name)
    assert main(["fill", str(base), "-o", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_temp_names_are_the_pattern_the_cleanup_recognises(tmp_path):
    name = temp_name(tmp_path / "报告.xlsx").name
    assert parse_leftover(name)[1] == os.getpid() and f"-{os.getpid()}-" in name
    for other in [".x.tmp", ".报告.xlsx.~xlperf-zzzzzzzz-1-00000000.tmp", "a.~xlperf-00000000-1-00000000.tmp",
                  ".a.~xlperf-00000000-1-000000.tmp", ".a.~xlperf-00000000-x-00000000.tmp"]:
        assert parse_leftover(other) is None, other
    assert remove_leftovers(tmp_path / "absent") == []


def test_made_up_names_fit_the_disk_with_room_for_their_temps():
    """A unit's long file name plus "-已评分" may pass the 255 bytes a file name can take, and an output's
    temp adds up to 42: names xlperf makes up are cut short (whole characters, then "…") to leave that room."""
    from xlperf.workbook.atomic import MAX_MADE_NAME, MAX_NAME, fitted_name

    assert MAX_MADE_NAME == 255 - 42
    assert fitted_name("填报", "-已评分.xlsx") == "填报-已评分.xlsx"
    exact = "a" * (MAX_MADE_NAME - len("-x.xlsx")) + "-x.xlsx"
    assert fitted_name(exact[:-7], "-x.xlsx") == exact  # at the limit: as it is
    long = "深圳市某区某局某中心" * 9 + "2024年度部门整体支出绩效自评表（最终版）"  # 98 characters, 294 bytes
    name = fitted_name(long, "-已评分 (2).xlsx")
    assert len(name.encode()) <= MAX_MADE_NAME and name.endswith("…-已评分 (2).xlsx")
    assert long.startswith(name[: name.index("…")]) and len(name.encode()) > MAX_MADE_NAME - 3  # whole characters
    mixed = "ab" + "单" * 100
    assert fitted_name(mixed, ".xlsx", 20) == "ab单单单….xlsx"  # 2 + 9 + 3 + 5 = 19 bytes; a fourth 单 makes 22
    target = Path("/x") / ("单" * 83 + ".xlsx")  # 254 bytes, given with -o: its temp still fits
    tmp = temp_name(target).name
    assert len(tmp.encode()) <= MAX_NAME and parse_leftover(tmp)[1] == os.getpid()


def test_a_unit_file_with_a_very_long_name_is_filled_beside_it(base, tmp_path):
    long = tmp_path / ("深圳市科技交流服务中心" * 7 + "自评表.xlsx")  # 80 characters, 236 bytes
    long.write_bytes(base.read_bytes())
    assert main(["fill", str(long)]) == 0
    (out,) = [p for p in tmp_path.iterdir() if p != long]
    assert out.name.endswith("…-已评分.xlsx") and len(out.name.encode()) <= 213
    assert main(["verify", str(out)]) == 0


# -- 10. smaller --------------------------------------------------------------------------------------------


def test_a_doctype_after_a_comment_is_found_by_the_prolog_scanner():
    assert has_doctype(b'<?xml version="1.0"?><!-- c --><!DOCTYPE a [<!ENTITY e "x">]><a/>')
    assert has_doctype(b'<!--a--><!--b-->\n<!DOCTYPE a><a/>')
    assert not has_doctype(b'<?xml version="1.0"?><!-- <!DOCTYPE a> --><a/>')


def test_a_sheet_without_its_part_is_named_as_a_sheet(base, tmp_path, capsys):
    pkg = Pkg(base)
    rels_name = pkg.rels_name(pkg.workbook_part)
    rels = pkg.rels(pkg.workbook_part)
    target = pkg.sheet_part("预算执行").rsplit("/", 1)[-1]
    for rel in list(rels):
        if rel.get("Target", "").endswith(target):
            rels.remove(rel)
    pkg.put_xml(rels_name, rels)
    src = pkg.save(tmp_path / "in.xlsx")
    assert main(["fill", str(src), "-o", str(tmp_path / "out.xlsx")]) == 1
    err = capsys.readouterr().err
    assert "工作表“预算执行”" in err and "#" not in err


def test_a_5000_digit_row_number_makes_a_short_message(base, tmp_path, capsys):
    pkg = Pkg(base)
    part = pkg.sheet_part("基本信息")
    pkg.put(part, re.sub(rb'<row r="3"', b'<row r="' + b"9" * 5000 + b'"', pkg.members[part], count=1))
    src = pkg.save(tmp_path / "in.xlsx")
    assert main(["fill", str(src), "-o", str(tmp_path / "out.xlsx")]) == 1
    err = capsys.readouterr().err
    assert "内容无效" in err and len(err) < 400
