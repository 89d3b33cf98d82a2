"""`xlperf batch` end to end: exit codes, per-file limits, atomic outputs, safe output names, incremental runs."""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hooks
from batchdata import TOTALS, hashes
from xlperf.cli import main
from xlperf.workbook.fill import verify

ROOT = Path(__file__).resolve().parents[2]


def rows_of(out: Path, name: str = "汇总.csv") -> dict[str, dict[str, str]]:
    with (out / name).open(encoding="utf-8-sig", newline="") as fh:
        return {Path(r["文件"]).name: r for r in csv.DictReader(fh)}


MANIFEST = ".xlperf-batch.json"  # the batch's own record of what it wrote (kept on purpose)


def script_env() -> dict[str, str]:
    """For a batch run as a script: this tree's xlperf, and this folder's hooks, importable."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(ROOT)])}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if (p.name.startswith(".") or p.suffix == ".tmp")
                  and p.name != MANIFEST)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != MANIFEST)


# --- exit codes -------------------------------------------------------------------------------

def test_exit_0_when_every_file_succeeds(make_inputs, tmp_path, capsys):
    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B"})
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out")]) == 0
    rows = rows_of(tmp_path / "out")
    assert [rows[n]["总分"] for n in ("甲.xlsx", "乙.xlsx")] == [TOTALS["A"], TOTALS["B"]]
    assert "成功 2" in capsys.readouterr().out


def test_exit_1_when_some_fail_and_the_rest_finish(make_inputs, tmp_path):
    inputs = make_inputs({"甲.xlsx": "A", "坏.xlsx": b"not a workbook"})
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out")]) == 1
    rows = rows_of(tmp_path / "out")
    assert rows["甲.xlsx"]["状态"] == "成功" and rows["坏.xlsx"]["状态"] == "失败"
    assert rows["坏.xlsx"]["失败类型"] == "输入有误"


@pytest.mark.parametrize("case", ["output is a file", "unwritable folder", "no inputs", "missing input",
                                  "summary not xlsx"])
def test_exit_2_when_nothing_can_run(make_inputs, tmp_path, capsys, case):
    inputs = make_inputs({"甲.xlsx": "A"})
    out = tmp_path / "out"
    args = ["batch", str(inputs), "-o", str(out)]
    if case == "output is a file":
        out.write_text("我是一个文件", encoding="utf-8")
        args = ["batch", str(inputs), "-o", str(out)]
    elif case == "unwritable folder":
        args = ["batch", str(inputs), "-o", "/proc"]  # nobody, not even root, creates files in /proc
    elif case == "no inputs":
        (tmp_path / "empty").mkdir()
        args = ["batch", str(tmp_path / "empty"), "-o", str(out)]
    elif case == "missing input":
        args = ["batch", str(tmp_path / "无此文件.xlsx"), "-o", str(out)]
    else:
        args += ["--summary", "汇总.txt"]
    before = hashes(inputs)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "错误：" in err and "未处理任何文件" in err and "Traceback" not in err, err
    assert hashes(inputs) == before
    if case == "output is a file":
        assert out.read_text(encoding="utf-8") == "我是一个文件"
    elif case != "unwritable folder":
        assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize("option, value, said", [
    ("--timeout", "inf", "须为不大于 86400 的正数：inf"), ("--timeout", "1e12", "须为不大于 86400 的正数：1e12"),
    ("--timeout", "nan", "须为正数：nan"), ("--memory", "0.5", "须为正整数：0.5"),
    ("--memory", "99999999999999", "须为不大于 1048576 的正整数"), ("-j", "两个", "须为正整数：两个")])
def test_a_limit_no_batch_can_use_is_refused_in_chinese(make_inputs, tmp_path, capsys, option, value, said):
    """--timeout inf or 1e12 ended in 内部错误（OverflowError）from select, exit 70; nan was taken and every file
    then failed as crashed; --memory 0.5 said "invalid parse value"."""
    inputs = make_inputs({"甲.xlsx": "A"})
    with pytest.raises(SystemExit) as stopped:
        main(["batch", str(inputs), "-o", str(tmp_path / "out"), option, value])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "invalid" not in err and "内部错误" not in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["a file", "below a file"])
def test_a_summary_whose_folder_is_a_file_is_refused_before_anything_is_made(make_inputs, tmp_path, capsys, where):
    """--summary 单位甲.xlsx/汇总.xlsx ended in 内部错误（FileExistsError）, exit 70, with the output folder made."""
    inputs = make_inputs({"甲.xlsx": "A"})
    summary = inputs / "甲.xlsx" / "汇总.xlsx" if where == "a file" else inputs / "甲.xlsx" / "报表" / "汇总.xlsx"
    before = hashes(inputs)
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out"), "--summary", str(summary)]) == 2
    err = capsys.readouterr().err
    assert f"的上级 {inputs / '甲.xlsx'} 是一个已有的文件" in err and "内部错误" not in err, err
    assert hashes(inputs) == before and not (tmp_path / "out").exists()
    (tmp_path / "报表").mkdir()
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out"), "--summary", str(tmp_path / "报表")]) == 2
    assert f"汇总文件 {tmp_path / '报表'} 是一个已有的目录" in capsys.readouterr().err


def test_an_output_folder_on_a_read_only_disk_is_refused_in_chinese(make_inputs, tmp_path, monkeypatch, capsys):
    """The up-front check's reason was the system's English ("Read-only file system") inside the Chinese
    sentence; the common reasons are now words the reader knows (errors.os_reason)."""
    import errno

    from xlperf.batch import plan as plan_module
    from xlperf.errors import os_reason

    class ReadOnlyOs(hooks.OsView):
        @staticmethod
        def open(path, *args, **kwargs):
            raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(plan_module, "os", ReadOnlyOs())
    inputs = make_inputs({"甲.xlsx": "A"})
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "无法写入（磁盘只读）" in err and "Read-only" not in err, err
    assert os_reason(OSError(errno.EOWNERDEAD, "Owner died")) == "Owner died"  # an uncommon one: as the system says


def test_a_bare_summary_name_goes_into_the_output_folder_a_path_is_taken_as_given(tmp_path, monkeypatch):
    from xlperf.batch.runner import summary_paths

    monkeypatch.chdir(tmp_path)
    out = Path("已评分")
    assert summary_paths(out, None) == (out / "汇总.xlsx", out / "汇总.csv")
    assert summary_paths(out, "2024年汇总.xlsx")[0] == out / "2024年汇总.xlsx"
    # "已评分/汇总.xlsx" is what an operator types for the output folder's summary: not 已评分/已评分/.
    assert summary_paths(out, "已评分/汇总.xlsx")[0] == Path("已评分/汇总.xlsx")
    assert summary_paths(out, "报表/汇总.xlsx") == (Path("报表/汇总.xlsx"), Path("报表/汇总.csv"))
    assert summary_paths(out, tmp_path / "x.xlsx")[0] == tmp_path / "x.xlsx"


def test_globs_and_files_each_taken_once(make_inputs, tmp_path):
    inputs = make_inputs({"a/甲.xlsx": "A", "b/乙.xlsx": "B", "b/说明.txt": b"x"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs / "**" / "*.xlsx"), str(inputs / "a" / "甲.xlsx"), str(inputs / "a"),
                 "-o", str(out)]) == 0
    assert sorted(rows_of(out)) == ["乙.xlsx", "甲.xlsx"]


# --- per-file limits ----------------------------------------------------------------------------

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_over_the_time_limit_is_listed_and_the_rest_finish(make_inputs, tmp_path, monkeypatch, jobs):
    """With one worker, the file after the hanging one was already sent to it: it is filled by the next worker."""
    hooks.plant(monkeypatch.setattr)
    inputs = make_inputs({"挂起.xlsx": "A", "甲.xlsx": "A", "乙.xlsx": "B", "丙.xlsx": "C"})
    out = tmp_path / "out"
    started = time.monotonic()
    assert main(["batch", str(inputs), "-o", str(out), "--timeout", "1", "-j", jobs]) == 1
    assert time.monotonic() - started < hooks.HANG_SECONDS / 2  # the hang did not hold the batch
    rows = rows_of(out)
    assert rows["挂起.xlsx"]["状态"] == "失败" and rows["挂起.xlsx"]["失败类型"] == "超时"
    assert "1 秒" in rows["挂起.xlsx"]["说明"]
    assert [rows[n]["总分"] for n in ("甲.xlsx", "乙.xlsx", "丙.xlsx")] == [TOTALS[k] for k in "ABC"]
    assert (out / "汇总.xlsx").is_file()
    assert not (out / "挂起-已评分.xlsx").exists() and leftovers(out) == []


def test_jobs_past_the_cores_run_on_as_many_workers_as_cores_and_say_so(make_inputs, tmp_path, monkeypatch, capsys):
    """-j 100 on 2 cores forked 50 workers for 50 files and ran twice as slow as -j 2, without a word."""
    from xlperf.batch import runner

    given = []
    real = runner.run_local
    monkeypatch.setattr(runner, "cores_available", lambda: 2)
    monkeypatch.setattr(runner, "run_local", lambda todo, jobs, *a, **kw: given.append(jobs) or real(todo, jobs, *a, **kw))
    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B", "丙.xlsx": "C"})
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out"), "-j", "100"]) == 0
    assert given == [2]
    assert "注意：-j 100 超过本机可用的 2 个 CPU 核，按 2 个进程运行" in capsys.readouterr().err
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out2"), "-j", "2"]) == 0
    assert given == [2, 2] and "注意" not in capsys.readouterr().err


def test_a_file_over_the_memory_limit_is_listed_and_the_rest_finish(make_inputs, tmp_path, monkeypatch):
    hooks.plant(monkeypatch.setattr)
    inputs = make_inputs({"大.xlsx": "A", "甲.xlsx": "A"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "--memory", "300"]) == 1
    rows = rows_of(out)
    assert rows["大.xlsx"]["失败类型"] == "超出内存上限" and "300 MB" in rows["大.xlsx"]["说明"]
    assert rows["甲.xlsx"]["总分"] == TOTALS["A"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_worker_that_dies_fails_only_its_own_file(make_inputs, tmp_path, monkeypatch, jobs):
    hooks.plant(monkeypatch.setattr)
    inputs = make_inputs({"单位1.xlsx": "A", "致命.xlsx": "A", "单位2.xlsx": "B", "单位3.xlsx": "C"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", jobs]) == 1
    rows = rows_of(out)
    assert rows.pop("致命.xlsx")["失败类型"] == "进程意外终止"
    assert [r["总分"] for r in rows.values()] == [TOTALS[k] for k in "ABC"]


def test_workers_that_retire_hand_back_the_files_sent_ahead(make_inputs, tmp_path, monkeypatch):
    """A worker retires after MAX_FILES files (here 2) with the next one already in its pipe: that file is
    filled by the worker that replaces it, and every file is filled once."""
    import xlperf.batch.worker as worker

    monkeypatch.setattr(worker, "MAX_FILES", 2)
    inputs = make_inputs({f"单位{i}.xlsx": "ABC"[i % 3] for i in range(7)})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 0
    rows = rows_of(out)
    assert [(rows[f"单位{i}.xlsx"]["状态"], rows[f"单位{i}.xlsx"]["总分"]) for i in range(7)] == [
        ("成功", TOTALS["ABC"[i % 3]]) for i in range(7)]
    assert all(verify(out / f"单位{i}-已评分.xlsx").status == "unchanged" for i in range(7))


def test_workers_are_forked_by_the_fork_server_not_by_the_batch(make_inputs, tmp_path, monkeypatch):
    """Every worker, the first ones and those replacing retired ones, is a child of one fork server."""
    import xlperf.batch.worker as worker
    import xlperf.workbook.fill as fill_module

    real_fill, parents = fill_module.fill, tmp_path / "parents"
    parents.mkdir()

    def fill(source, out=None, **kw):
        (parents / f"{os.getpid()}").write_text(str(os.getppid()))
        return real_fill(source, out, **kw)

    monkeypatch.setattr(fill_module, "fill", fill)
    monkeypatch.setattr(worker, "MAX_FILES", 1)  # a fresh worker for every file
    inputs = make_inputs({f"单位{i}.xlsx": "ABC"[i % 3] for i in range(5)})
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out"), "-j", "2"]) == 0
    forked_by = {p.read_text() for p in parents.iterdir()}
    assert len(list(parents.iterdir())) == 5 and len(forked_by) == 1 and forked_by != {str(os.getpid())}


def test_a_worker_starts_with_what_it_inherited_left_out_of_its_collections(make_inputs, tmp_path, monkeypatch):
    """Inherited objects stay frozen in a worker (gc.freeze before the fork, unfrozen in the forking process
    only): a collection in the worker would otherwise walk them all and copy every page they sit on."""
    import gc

    import xlperf.workbook.fill as fill_module

    real_fill, seen = fill_module.fill, tmp_path / "frozen"
    seen.mkdir()

    def fill(source, out=None, **kw):
        (seen / Path(source).stem).write_text(str(gc.get_freeze_count()))
        return real_fill(source, out, **kw)

    monkeypatch.setattr(fill_module, "fill", fill)
    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B"})
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out"), "-j", "1"]) == 0
    assert all(int(p.read_text()) > 10_000 for p in seen.iterdir()) and len(list(seen.iterdir())) == 2


def test_a_worker_forked_late_does_not_carry_what_the_batch_gathered(make_inputs, tmp_path, monkeypatch):
    """The batch's memory grows with every file (outcomes, records), and a worker forked from the batch maps
    it all and counts it as its own. Here the batch holds 300 MB more from its first file on: the workers
    forked after that (one per file) must still peak far below it (on a9e6d85 they peaked at ~360 MB)."""
    import xlperf.batch.progress as progress
    import xlperf.batch.worker as worker
    from xlperf.batch import runner

    held = []
    real_update = progress.Progress.update

    def update(self, outcome):
        if not held:
            held.append(b"x" * (300 << 20))  # written, so resident
        return real_update(self, outcome)

    monkeypatch.setattr(progress.Progress, "update", update)
    monkeypatch.setattr(worker, "MAX_FILES", 1)
    inputs = make_inputs({f"单位{i}.xlsx": "ABC"[i % 3] for i in range(4)})
    with open(os.devnull, "w") as quiet:
        report = runner.run([str(inputs)], tmp_path / "out", jobs=1, bar=False, stream=quiet)
    assert held and report.counts["ok"] == 4
    assert all(o.peak_kb < 200 * 1024 for o in report.outcomes), [o.peak_kb for o in report.outcomes]


def test_a_fork_server_that_dies_leaves_the_batch_forking_its_workers_itself(make_inputs, tmp_path, monkeypatch):
    import signal

    import xlperf.batch.worker as worker
    import xlperf.workbook.fill as fill_module

    real_fill, batch, killed = fill_module.fill, os.getpid(), tmp_path / "killed"

    def fill(source, out=None, **kw):
        if "杀" in str(source) and os.getppid() != batch:  # never the batch itself (this test's process)
            os.kill(os.getppid(), signal.SIGKILL)  # the worker's parent: the fork server
            killed.touch()
        return real_fill(source, out, **kw)

    monkeypatch.setattr(fill_module, "fill", fill)
    monkeypatch.setattr(worker, "MAX_FILES", 1)
    inputs = make_inputs({"单位1.xlsx": "A", "杀.xlsx": "B", "单位2.xlsx": "C", "单位3.xlsx": "A"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 0
    rows = rows_of(out)
    assert killed.exists()
    assert [rows[n]["总分"] for n in ("单位1.xlsx", "杀.xlsx", "单位2.xlsx", "单位3.xlsx")] == [
        TOTALS[k] for k in "ABCA"]


def test_outcomes_held_until_the_summary_share_the_texts_every_unit_repeats(make_inputs, tmp_path):
    """Each outcome comes unpickled with its own copies of the indicator names and ids; the batch keeps one."""
    from xlperf.batch import runner

    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B", "丙.xlsx": "C"})
    with open(os.devnull, "w") as quiet:
        report = runner.run([str(inputs)], tmp_path / "out", jobs=2, bar=False, stream=quiet)
    first, *others = report.outcomes
    assert len(first.items) > 10 and all(o.items and len(o.items) == len(first.items) for o in others)
    for other in others:
        assert [r[:2] for r in other.items] == [r[:2] for r in first.items]  # the same ids and names...
        assert all(a[1] is b[1] and a[0] is b[0] for a, b in zip(other.items, first.items))  # ...held once
        assert other.system_sha256 is first.system_sha256
    totals = {Path(o.source).name: o.total for o in report.outcomes}
    assert totals == {"甲.xlsx": TOTALS["A"], "乙.xlsx": TOTALS["B"], "丙.xlsx": TOTALS["C"]}


def test_a_file_the_scheduler_lost_still_gets_its_row_as_failed(make_inputs, tmp_path, monkeypatch):
    """Insurance against a scheduling bug: here workers that retire drop the file sent ahead."""
    import xlperf.batch.worker as worker

    monkeypatch.setattr(worker, "MAX_FILES", 2)
    monkeypatch.setattr(worker.Worker, "take_back", lambda self: [])
    inputs = make_inputs({f"单位{i}.xlsx": "A" for i in range(4)})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 1
    rows = rows_of(out)
    assert [rows[f"单位{i}.xlsx"]["状态"] for i in range(4)] == ["成功", "成功", "失败", "成功"]
    assert "内部错误" in rows["单位2.xlsx"]["说明"]


# --- atomic outputs ------------------------------------------------------------------------------

def test_a_worker_killed_mid_write_leaves_no_partial_output_and_no_stray_file(make_inputs, tmp_path, monkeypatch):
    """写入中 hangs once its temporary output is fully written, before it is reported and renamed: the time
    limit kills it there."""
    hooks.plant(monkeypatch.setattr)
    inputs = make_inputs({"写入中.xlsx": "A", "甲.xlsx": "B"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "--timeout", "2"]) == 1
    assert rows_of(out)["写入中.xlsx"]["失败类型"] == "超时"
    assert listing(out) == ["汇总.csv", "汇总.xlsx", "甲-已评分.xlsx"]


def test_a_file_is_reported_done_only_once_its_output_is_whole_under_its_name(make_inputs, tmp_path, monkeypatch):
    """Workers report each output as a temp file and fill the next one while the batch makes it durable and
    renames it; a file counts as done only after that, so every success reported is already in place."""
    import xlperf.batch.progress as progress
    from xlperf.workbook.fill import verify as verify_output

    seen = []
    real = progress.Progress.update

    def update(self, outcome):
        if outcome.status == "ok":
            seen.append((Path(outcome.output).is_file(), verify_output(outcome.output).status))
        real(self, outcome)

    monkeypatch.setattr(progress.Progress, "update", update)
    inputs = make_inputs({f"单位{i}.xlsx": "ABC"[i % 3] for i in range(6)})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "2"]) == 0
    assert seen == [(True, "unchanged")] * 6
    assert leftovers(out) == []


def test_a_file_that_fails_after_its_output_was_written_leaves_no_output(make_inputs, tmp_path, monkeypatch):
    """坏's fill writes its temp output, then summing up its result fails: the file is listed as failed,
    and the batch removes the temp instead of putting an output in place that the summary does not list."""
    import xlperf.batch.task as task_module

    real = task_module.from_result

    def from_result(source, output, status, result):
        if "坏" in source:
            raise RuntimeError("planted")
        return real(source, output, status, result)

    monkeypatch.setattr(task_module, "from_result", from_result)
    inputs = make_inputs({"坏.xlsx": "A", "甲.xlsx": "B"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 1
    rows = rows_of(out)
    assert (rows["坏.xlsx"]["状态"], rows["坏.xlsx"]["失败类型"], rows["坏.xlsx"]["输出文件"]) == ("失败", "内部错误", "")
    assert rows["甲.xlsx"]["总分"] == TOTALS["B"]
    assert listing(out) == ["汇总.csv", "汇总.xlsx", "甲-已评分.xlsx"]
    assert leftovers(out) == []


def test_an_output_that_cannot_be_renamed_into_place_fails_its_file_only(make_inputs, tmp_path, monkeypatch):
    """The last step of a write runs after the fill (in the batch process): a failure there is that file's
    failure, with the temporary file removed."""
    import xlperf.workbook.writer as writer_module

    class RefusingOs(hooks.OsView):
        @staticmethod
        def replace(src, dst):
            if "拒绝" in str(dst):
                raise PermissionError(13, "Permission denied")
            if "满" in str(dst):
                raise OSError(errno.ENOSPC, "No space left on device")
            return os.replace(src, dst)

    monkeypatch.setattr(writer_module, "os", RefusingOs())
    inputs = make_inputs({"拒绝.xlsx": "A", "甲.xlsx": "B", "乙.xlsx": "C", "满.xlsx": "A"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 1
    rows = rows_of(out)
    assert rows["拒绝.xlsx"]["状态"] == "失败" and rows["拒绝.xlsx"]["失败类型"] == "输入有误"
    assert "拒绝-已评分.xlsx" in rows["拒绝.xlsx"]["说明"] and rows["拒绝.xlsx"]["输出文件"] == ""
    assert "在 Excel/WPS 中关闭该文件" in rows["拒绝.xlsx"]["说明"]  # refused: perhaps open in Excel
    assert "磁盘空间已满" in rows["满.xlsx"]["说明"] and rows["满.xlsx"]["状态"] == "失败"  # says what to do
    assert [rows[n]["总分"] for n in ("甲.xlsx", "乙.xlsx")] == [TOTALS["B"], TOTALS["C"]]
    assert listing(out) == ["乙-已评分.xlsx", "汇总.csv", "汇总.xlsx", "甲-已评分.xlsx"]
    assert leftovers(out) == []


def test_a_crash_while_the_last_output_is_still_being_finished_is_the_new_files(make_inputs, tmp_path, monkeypatch):
    """慢's rename takes half a second in the batch process; meanwhile 致命, sent ahead, kills its worker.
    The death is 致命's; 慢, reported before 致命 began, is in place and whole."""
    import xlperf.workbook.writer as writer_module

    class SlowOs(hooks.OsView):
        @staticmethod
        def replace(src, dst):
            if "慢" in str(dst):
                time.sleep(0.5)
            return os.replace(src, dst)

    hooks.plant(monkeypatch.setattr)
    monkeypatch.setattr(writer_module, "os", SlowOs())
    inputs = make_inputs({"1慢.xlsx": "A", "2致命.xlsx": "B", "3甲.xlsx": "C"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 1
    rows = rows_of(out)
    assert rows["2致命.xlsx"]["失败类型"] == "进程意外终止"
    assert (rows["1慢.xlsx"]["状态"], rows["1慢.xlsx"]["总分"]) == ("成功", TOTALS["A"])
    assert rows["3甲.xlsx"]["总分"] == TOTALS["C"]
    assert verify(out / "1慢-已评分.xlsx").status == "unchanged" and leftovers(out) == []


def terminated_once(script: str, ready) -> tuple[int, str]:
    """Runs ``script`` (with this folder's hooks importable), sends SIGTERM once ``ready()``; its exit code and
    what it said on stderr."""
    proc = subprocess.Popen([sys.executable, "-c", script], env=script_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready(), "the moment to stop it never came"
        proc.terminate()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, proc.stderr.read().decode()


def test_an_interrupted_batch_leaves_finished_outputs_whole_and_no_temporary_file(make_inputs, tmp_path):
    """SIGTERM while a worker is mid-write: its workers are killed, their temporary files removed."""
    inputs = make_inputs({"a1.xlsx": "A", "a2.xlsx": "B", "z写入中.xlsx": "C"})
    out = tmp_path / "out"
    script = ("import sys, hooks; hooks.plant(setattr); from xlperf.cli import main; "
              f"sys.exit(main(['batch', {str(inputs)!r}, '-o', {str(out)!r}, '-j', '1']))")

    def hanging_write() -> bool:  # the temp file of z写入中's output (a1's and a2's come and go before)
        return any(p.name.endswith(".tmp") for p in out.glob(".z写入中-已评分.xlsx.*"))

    returncode, said = terminated_once(script, hanging_write)
    assert returncode == 130, said
    assert "已中断" in said and "跳过" in said and "Traceback" not in said  # what happened and what to do next
    assert sorted(p.name for p in out.iterdir()) == ["a1-已评分.xlsx", "a2-已评分.xlsx"]
    assert all(verify(out / n).status == "unchanged" for n in ("a1-已评分.xlsx", "a2-已评分.xlsx"))


def test_a_batch_stopped_while_it_writes_its_summary_leaves_no_staged_parts_and_no_lock(make_inputs, tmp_path):
    """SIGTERM while XlsxWriter zips the summary's staged parts (the outputs all in place): handled like Ctrl-C
    there too, so the parts' folder, the half-zipped summary and the lock go (SIGTERM's default action
    killed the batch on the spot there, leaving all three)."""
    inputs = make_inputs({"a1.xlsx": "A", "a2.xlsx": "B"})
    out = tmp_path / "out"
    marker = tmp_path / "zipping"
    script = ("import sys, time, zipfile\n"
              "real = zipfile.ZipFile.write\n"
              "def slow(self, *a, **k):\n"
              f"    open({str(marker)!r}, 'w').close(); time.sleep(60)\n"
              "zipfile.ZipFile.write = slow\n"
              "from xlperf.cli import main\n"
              f"sys.exit(main(['batch', {str(inputs)!r}, '-o', {str(out)!r}, '-j', '1']))")

    def zipping_staged_parts() -> bool:
        staged = [p for p in out.iterdir() if p.is_dir() and p.name.endswith(".tmp")] if marker.exists() else []
        return bool(staged and list(staged[0].iterdir()))

    returncode, said = terminated_once(script, zipping_staged_parts)
    assert returncode == 130 and "已中断" in said and "Traceback" not in said, said
    assert sorted(p.name for p in out.iterdir()) == ["a1-已评分.xlsx", "a2-已评分.xlsx"]


def test_running_again_after_an_interruption_skips_the_files_finished_before_it(make_inputs, tmp_path):
    """What the interruption message promises: a1 and a2 were whole before the batch was stopped (no record
    of the batch was saved), so the next run keeps them on their stamps and fills z only."""
    inputs = make_inputs({"a1.xlsx": "A", "a2.xlsx": "B", "z.xlsx": "C"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 0
    for name in ("z-已评分.xlsx", "汇总.xlsx", "汇总.csv", MANIFEST):  # as the interrupted run left the folder
        (out / name).unlink()
    assert main(["batch", str(inputs), "-o", str(out), "-j", "1"]) == 0
    rows = rows_of(out)
    assert [rows[n]["状态"] for n in ("a1.xlsx", "a2.xlsx", "z.xlsx")] == ["未变（跳过）", "未变（跳过）", "成功"]
    assert verify(out / "z-已评分.xlsx").status == "unchanged"


def test_each_output_folder_is_synced_once_by_the_batch_not_once_per_file(make_inputs, tmp_path, monkeypatch):
    """A folder fsync per output is a round trip per file on network storage: the workers leave it to the
    batch, which syncs every output folder once, after the summaries and its record are written."""
    import xlperf.batch.runner as runner
    import xlperf.workbook.atomic as atomic

    log = tmp_path / "synced.txt"

    def record(folder):
        with log.open("a", encoding="utf-8") as fh:  # workers are other processes: a file sees them all
            fh.write(f"{os.getpid()}\t{Path(folder).name}\n")

    monkeypatch.setattr(atomic, "fsync_dir", record)
    monkeypatch.setattr(runner, "fsync_dir", record)
    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B", "单位C/填报.xlsx": "C"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "2"]) == 0
    synced = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
    assert synced == [[str(os.getpid()), "out"], [str(os.getpid()), "单位C"]]
    log.unlink()
    from xlperf.workbook.fill import fill

    fill(inputs / "甲.xlsx", tmp_path / "单个.xlsx")  # a lone fill still syncs its folder itself
    assert log.read_text(encoding="utf-8") == f"{os.getpid()}\t{tmp_path.name}\n"


def test_leftovers_of_an_earlier_run_are_removed_and_nothing_else(make_inputs, tmp_path):
    inputs = make_inputs({"甲.xlsx": "A"})
    out = tmp_path / "out"
    out.mkdir()
    (out / ".甲-已评分.xlsx.0123abcd.tmp").write_bytes(b"PK half a zip")  # as a batch killed with -9 leaves it
    (out / ".甲-已评分.xlsx.~xlperf-0a1b2c3d-4242-0123abcd.tmp").write_bytes(b"PK")  # a writer that names itself
    (out / ".别人的文件.tmp").write_bytes(b"not ours")
    (out / ".汇总.xlsx.0123abcd.tmp").write_bytes(b"PK")  # a summary's temp, as earlier versions named it
    # a dead writer's temp file for another output (this host, its pid gone): the batch clears it once at
    # start, so that its workers need not scan the folder on every write
    from xlperf.workbook.atomic import temp_name

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stray = temp_name(out / "旧输出.xlsx").name.replace(f"-{os.getpid()}-", f"-{int(dead.stdout)}-")
    (out / stray).write_bytes(b"PK")
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert leftovers(out) == [".别人的文件.tmp"]


@pytest.mark.parametrize("writer, summary", [("summary_xlsx", "报表/年度.xlsx"), ("summary_csv", None),
                                            ("manifest", None)])
def test_a_batch_killed_while_writing_a_summary_leaves_a_temp_the_next_run_removes(make_inputs, tmp_path, writer,
                                                                                   summary):
    """kill -9 just before a summary's (or the manifest's) rename: its temp names its writer, like the
    outputs' temps, so the next run removes it, also beside a summary written outside the output folder."""
    from xlperf.workbook.atomic import parse_leftover

    inputs = make_inputs({"甲.xlsx": "A"})
    out = tmp_path / "out"
    where = [] if summary is None else ["--summary", str(tmp_path / summary)]
    folder = out if summary is None else (tmp_path / summary).parent
    script = ("import os, sys, hooks; from xlperf.batch import " + writer + " as m\n"
              "class KilledOs(hooks.OsView):\n"
              "    def replace(self, *a): os.kill(os.getpid(), 9)\n"
              "m.os = KilledOs(); from xlperf.cli import main\n"
              f"sys.exit(main(['batch', {str(inputs)!r}, '-o', {str(out)!r}] + {where!r}))")
    killed = subprocess.run([sys.executable, "-c", script], env=script_env(), capture_output=True, timeout=120)
    assert killed.returncode == -9, killed.stderr.decode()
    left = [n for n in leftovers(folder) if n.endswith(".tmp")]  # (and the folder lock, in the output folder)
    assert left and all(parse_leftover(n) for n in left), left  # the summary's: its temp and its parts' folder
    assert main(["batch", str(inputs), "-o", str(out), *where]) == 0
    assert leftovers(folder) == [] and leftovers(out) == []


# --- output names ------------------------------------------------------------------------------

def test_outputs_never_overwrite_an_input_even_into_the_input_folder(make_inputs, tmp_path):
    """-o the input folder, which already holds a file named like an output: that input stays as it was."""
    inputs = make_inputs({"甲.xlsx": "A", "甲-已评分.xlsx": "B", "子/甲.xlsx": "C"})
    before = hashes(inputs)
    assert main(["batch", str(inputs / "甲.xlsx"), str(inputs / "甲-已评分.xlsx"), str(inputs / "子"),
                 "-o", str(inputs)]) == 0
    after = hashes(inputs)
    assert {k: after[k] for k in before} == before
    rows = {Path(r["文件"]).relative_to(inputs).as_posix(): r for r in csv.DictReader(
        (inputs / "汇总.csv").open(encoding="utf-8-sig", newline=""))}
    outputs = {k: Path(r["输出文件"]).name for k, r in rows.items()}
    assert outputs == {"甲.xlsx": "甲-已评分 (2).xlsx", "甲-已评分.xlsx": "甲-已评分-已评分.xlsx",
                       "子/甲.xlsx": "甲-已评分 (3).xlsx"}
    assert rows["子/甲.xlsx"]["总分"] == TOTALS["C"]


def test_a_second_run_into_the_input_folder_does_not_take_its_own_outputs_as_inputs(make_inputs):
    inputs = make_inputs({"甲.xlsx": "A"})
    assert main(["batch", str(inputs), "-o", str(inputs)]) == 0
    assert main(["batch", str(inputs), "-o", str(inputs)]) == 0
    assert sorted(rows_of(inputs)) == ["甲.xlsx"]


def test_files_whose_names_differ_only_in_case_are_each_a_unit(make_inputs, tmp_path):
    """Unit.xlsx, unit.xlsx and UNIT.XLSX are three units' files on Linux: the batch took one (ok 1) and said
    nothing of the others, found in a folder or named one by one. Each is now filled; their outputs still
    differ in more than case (" (2)"), for a case-blind disk they may be copied to."""
    inputs = make_inputs({"Unit.xlsx": "A", "unit.xlsx": "B", "UNIT.XLSX": "C"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    rows = rows_of(out)
    assert {n: r["总分"] for n, r in rows.items()} == {"Unit.xlsx": TOTALS["A"], "unit.xlsx": TOTALS["B"],
                                                       "UNIT.XLSX": TOTALS["C"]}
    outputs = [Path(r["输出文件"]).name for r in rows.values()]
    assert len({o.casefold() for o in outputs}) == 3, outputs
    assert sorted(outputs) == sorted(["UNIT-已评分.XLSX", "Unit-已评分 (2).xlsx", "unit-已评分 (3).xlsx"])
    assert main(["batch", str(inputs / "Unit.xlsx"), str(inputs / "unit.xlsx"), str(inputs / "Unit.xlsx"),
                 "-o", str(tmp_path / "out2")]) == 0
    assert sorted(rows_of(tmp_path / "out2")) == ["Unit.xlsx", "unit.xlsx"]  # the same file named twice: once
    assert main(["batch", str(inputs), "-o", str(out)]) == 0  # and a re-run skips all three
    assert {r["状态"] for r in rows_of(out).values()} == {"未变（跳过）"}


def outputs_by_input(out: Path, inputs: Path) -> dict[str, str]:
    """input path inside ``inputs`` → output path inside ``out``, as the CSV summary lists them (failed
    files, which have no output, left out)."""
    with (out / "汇总.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {Path(r["文件"]).relative_to(inputs).as_posix(): Path(r["输出文件"]).relative_to(out).as_posix()
                for r in csv.DictReader(fh) if r["输出文件"]}


def test_two_very_long_names_alike_up_to_the_cut_get_two_outputs_that_fit(make_inputs, tmp_path):
    """A name plus "-已评分" past what a disk allows is cut short; two cut alike are told apart as any
    two alike names are (" (2)"). Both were "无法写入" before."""
    head = "深圳市科技交流服务中心" * 7  # 77 characters, 231 bytes
    inputs = make_inputs({f"{head}（初稿）.xlsx": "A", f"{head}（终稿）.xlsx": "B"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    outputs = outputs_by_input(out, inputs)
    # 213 bytes - "…" (3) - "-已评分.xlsx" (15) leave 195 for the name: 65 characters; with " (2)", 191: 63
    assert sorted(outputs.values()) == sorted([f"{head[:65]}…-已评分.xlsx", f"{head[:63]}…-已评分 (2).xlsx"])
    assert all(len(name.encode()) <= 213 for name in outputs.values())
    assert rows_of(out)[f"{head}（终稿）.xlsx"]["总分"] == TOTALS["B"]
    assert main(["batch", str(inputs), "-o", str(out)]) == 0  # and a re-run skips both on their records
    assert {r["状态"] for r in rows_of(out).values()} == {"未变（跳过）"}


def test_outputs_keep_the_subfolders_of_a_folder_input(make_inputs, tmp_path):
    """A bureau's inbox: every unit sends "填报.xlsx" in its own folder, some a level deeper."""
    inputs = make_inputs({"区一/单位A/填报.xlsx": "A", "区一/单位B/填报.xlsx": "B", "区二/填报.xlsx": "C",
                          "总表.xlsx": "A", "区三/单位D/填报.xlsx": b"PK\x03\x04junk"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 1
    assert outputs_by_input(out, inputs) == {
        "区一/单位A/填报.xlsx": "区一/单位A/填报-已评分.xlsx", "区一/单位B/填报.xlsx": "区一/单位B/填报-已评分.xlsx",
        "区二/填报.xlsx": "区二/填报-已评分.xlsx", "总表.xlsx": "总表-已评分.xlsx"}
    assert verify(out / "区一" / "单位B" / "填报-已评分.xlsx").status == "unchanged"
    assert leftovers(out / "区一" / "单位A") == []
    assert not (out / "区三").exists()  # the broken file's folder was made for it, and removed with nothing in it


def test_a_glob_keeps_the_subfolders_below_its_fixed_folders_and_named_files_go_flat(make_inputs, tmp_path):
    inputs = make_inputs({"2024/甲/填报.xlsx": "A", "2024/乙/填报.xlsx": "B", "单独.xlsx": "C"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs / "2024" / "**" / "*.xlsx"), str(inputs / "单独.xlsx"), "-o", str(out)]) == 0
    assert outputs_by_input(out, inputs) == {"2024/甲/填报.xlsx": "甲/填报-已评分.xlsx",
                                             "2024/乙/填报.xlsx": "乙/填报-已评分.xlsx", "单独.xlsx": "单独-已评分.xlsx"}


def test_a_glob_leaves_out_what_a_folder_search_does(make_inputs, tmp_path, capsys):
    """`batch '收件/**/*.xlsx' -o 收件/已评分` could not run twice (exit 2: 汇总文件…同时是一个输入文件); with the
    summary elsewhere it took its own outputs as units (…-已评分-已评分.xlsx, each unit re-filled as " (2)") and
    its old summary as a failed one; and it took Excel's lock file ~$甲.xlsx as a failed input. A glob now leaves
    out what a folder search does: this batch's outputs and summaries, Office lock and hidden files, another
    batch's output folder, an earlier batch's outputs."""
    inputs = make_inputs({"a/甲.xlsx": "A", "a/乙.xlsx": "B", "a/~$甲.xlsx": b"lock", "a/.隐藏.xlsx": "C"})
    pattern, out = str(inputs / "**" / "*.xlsx"), inputs / "已评分"
    assert main(["batch", pattern, "-o", str(out)]) == 0
    assert main(["batch", pattern, "-o", str(out)]) == 0
    assert {r["状态"] for r in rows_of(out).values()} == {"未变（跳过）"} and sorted(rows_of(out)) == ["乙.xlsx", "甲.xlsx"]
    capsys.readouterr()
    assert main(["batch", pattern, "-o", str(out), "--summary", str(tmp_path / "报表" / "汇总.xlsx"), "--json"]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert sorted(Path(f["output"]).relative_to(out).as_posix() for f in files) == ["a/乙-已评分.xlsx", "a/甲-已评分.xlsx"]
    assert {f["status"] for f in files} == {"skipped"}
    # another batch's output folder below the glob's fixed folders
    capsys.readouterr()
    assert main(["batch", pattern, "-o", str(tmp_path / "新")]) == 0
    assert sorted(rows_of(tmp_path / "新")) == ["乙.xlsx", "甲.xlsx"]
    assert f"已跳过 {out}：它是另一次批量运行的输出文件夹" in capsys.readouterr().out
    # a folder once its own OUTDIR: the outputs and the summary its record and stamp tell
    assert main(["batch", str(inputs / "a"), "-o", str(inputs / "a")]) == 0
    capsys.readouterr()
    assert main(["batch", str(inputs / "a" / "*.xlsx"), "-o", str(tmp_path / "新2")]) == 0
    assert sorted(rows_of(tmp_path / "新2")) == ["乙.xlsx", "甲.xlsx"]
    assert f"已跳过 {inputs / 'a'} 中早先批量运行写出的 3 个文件" in capsys.readouterr().out


def test_two_folder_inputs_with_the_same_names_meet_in_one_output_folder(make_inputs, tmp_path):
    """Each folder input's contents go into the output folder: the same relative path twice gets " (2)"."""
    inputs = make_inputs({"一批/子/甲.xlsx": "A", "二批/子/甲.xlsx": "B"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs / "一批"), str(inputs / "二批"), "-o", str(out)]) == 0
    assert outputs_by_input(out, inputs) == {"一批/子/甲.xlsx": "子/甲-已评分.xlsx", "二批/子/甲.xlsx": "子/甲-已评分 (2).xlsx"}


def test_outputs_in_subfolders_of_the_input_folder_are_not_taken_as_inputs_again(make_inputs):
    inputs = make_inputs({"单位A/填报.xlsx": "A"})
    assert main(["batch", str(inputs), "-o", str(inputs)]) == 0
    assert (inputs / "单位A" / "填报-已评分.xlsx").is_file()
    assert main(["batch", str(inputs), "-o", str(inputs)]) == 0
    assert list(outputs_by_input(inputs, inputs)) == ["单位A/填报.xlsx"]


def test_another_batchs_output_folder_inside_the_inputs_is_skipped_and_named(make_inputs, tmp_path, capsys):
    """An inbox that also holds last month's results (收件/结果, written by `batch 收件 -o 收件/结果`), batched
    into a new folder. Its filled copies were scored again as more units (甲-已评分-已评分.xlsx) and its
    summary failed as 不是模板; the folder holding a batch's record is now left out, and said so."""
    inputs = make_inputs({"甲.xlsx": "A", "单位B/乙.xlsx": "B"})
    assert main(["batch", str(inputs), "-o", str(inputs / "结果")]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert sorted(outputs_by_input(out, inputs)) == ["单位B/乙.xlsx", "甲.xlsx"]
    assert not (out / "结果").exists()
    said = capsys.readouterr().out
    assert f"已跳过 {inputs / '结果'}：它是另一次批量运行的输出文件夹" in said
    assert main(["batch", str(inputs), "-o", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped_folders"] == [str(inputs / "结果")]


def test_an_inbox_of_nothing_but_results_says_what_it_skipped(make_inputs, tmp_path, capsys):
    inputs = make_inputs({"旧/甲.xlsx": "A"})
    assert main(["batch", str(inputs / "旧"), "-o", str(inputs / "结果")]) == 0
    (inputs / "旧" / "甲.xlsx").unlink()
    capsys.readouterr()
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out")]) == 2
    assert f"没有找到要处理的工作簿（.xlsx / .xlsm）；已跳过其他批量运行的输出文件夹 {inputs / '结果'}" in capsys.readouterr().err


def test_spreadsheets_in_another_format_get_their_row_not_silence(make_inputs, tmp_path):
    """An inbox where one unit sent .xls, one .ods (LibreOffice's Save) and one .et (WPS's): those files were
    passed over without a word, and the batch said 共 1 个文件 … 失败 0, exit 0, three units short. Each
    now fails with what to do; other files (a Word document, a note) are still no inputs."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4600)
    inputs = make_inputs({"甲.xlsx": "A", "丙.xls": ole, "丁.et": ole, "说明.docx": b"PK\x03\x04", "备注.txt": b"hi"})
    import zipfile

    with zipfile.ZipFile(inputs / "乙.ods", "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 1
    rows = rows_of(out)
    assert sorted(rows) == ["丁.et", "丙.xls", "乙.ods", "甲.xlsx"]
    assert rows["甲.xlsx"]["状态"] == "成功"
    assert "旧版 .xls" in rows["丙.xls"]["说明"] and "WPS 表格文件（.et）" in rows["丁.et"]["说明"]
    assert "OpenDocument" in rows["乙.ods"]["说明"]


def test_a_workbook_renamed_to_another_suffix_says_to_rename_it_back(make_inputs, tmp_path):
    """An .xlsx renamed .xlsm (or .xls) failed with 输出文件须以 .xlsx 结尾（宏-已评分.xlsm）: the name the batch
    itself chose, which the operator cannot act on. The reason now names the input and what to call it."""
    inputs = make_inputs({"宏.xlsm": "A", "旧格式.xls": "B", "甲.xlsx": "C"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 1
    rows = rows_of(out)
    assert rows["宏.xlsm"]["说明"] == ("扩展名 .xlsm 与内容不符：宏.xlsm 其实是不含宏的普通工作簿（.xlsx）；"
                                    "请把它改名为 宏.xlsx 后再运行（扩展名不符的文件 Excel 也无法打开）")
    assert "请把它改名为 旧格式.xlsx 后再运行" in rows["旧格式.xls"]["说明"]
    assert "-已评分" not in rows["宏.xlsm"]["说明"] + rows["旧格式.xls"]["说明"]
    assert rows["甲.xlsx"]["总分"] == TOTALS["C"]


def test_a_batchs_own_output_folder_named_as_its_input_gives_no_units_its_files_named_do(make_inputs, tmp_path,
                                                                                      capsys):
    """Its filled copies were scored again and its summary failed as no template. Named as a folder, it now
    yields no unit (exit 2, what was skipped said); its outputs named one by one are read."""
    inputs = make_inputs({"甲.xlsx": "A"})
    assert main(["batch", str(inputs), "-o", str(inputs / "结果")]) == 0
    out = tmp_path / "out"
    capsys.readouterr()
    assert main(["batch", str(inputs / "结果"), "-o", str(out)]) == 2
    assert f"已跳过 {inputs / '结果'} 中早先批量运行写出的 2 个文件" in capsys.readouterr().err
    assert main(["batch", str(inputs / "结果" / "甲-已评分.xlsx"), "-o", str(out)]) == 0
    assert rows_of(out)["甲-已评分.xlsx"]["总分"] == TOTALS["A"]


def test_earlier_outputs_in_an_input_folder_once_its_own_output_folder_are_not_units(make_inputs, tmp_path, capsys):
    """After `batch 收件 -o 收件`, `batch 收件 -o 新` took the filled copies as units again (6 rows for 3 units,
    甲-已评分-已评分.xlsx) and failed the old 汇总.xlsx as 不是模板. The files the folder's record lists, and
    its summary, are now left out, and said."""
    inputs = make_inputs({"甲.xlsx": "A", "单位B/乙.xlsx": "B"})
    assert main(["batch", str(inputs), "-o", str(inputs)]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert sorted(outputs_by_input(out, inputs)) == ["单位B/乙.xlsx", "甲.xlsx"]
    said = capsys.readouterr().out
    assert f"已跳过 {inputs} 中早先批量运行写出的 2 个文件（汇总.xlsx 等）：它们是输出或汇总" in said, said
    assert f"已跳过 {inputs / '单位B'} 中早先批量运行写出的 1 个文件（乙-已评分.xlsx）" in said, said
    assert main(["batch", str(inputs), "-o", str(out), "--json"]) == 0
    assert sorted(json.loads(capsys.readouterr().out)["skipped_files"]) == sorted(
        str(p) for p in (inputs / "汇总.xlsx", inputs / "甲-已评分.xlsx", inputs / "单位B" / "乙-已评分.xlsx"))
    # a unit's own file named like an output, which no record lists, is still a unit
    (inputs / "丙-已评分.xlsx").write_bytes((inputs / "甲.xlsx").read_bytes())
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert "丙-已评分.xlsx" in outputs_by_input(out, inputs)


def test_another_batchs_folder_inside_the_output_folder_is_skipped(make_inputs, capsys):
    """`batch 收件 -o 收件/已评分`, then `batch 收件 -o 收件`: 已评分's record was not honoured, as it lay in OUTDIR."""
    inputs = make_inputs({"甲.xlsx": "A"})
    assert main(["batch", str(inputs), "-o", str(inputs / "已评分")]) == 0
    capsys.readouterr()
    assert main(["batch", str(inputs), "-o", str(inputs)]) == 0
    assert list(outputs_by_input(inputs, inputs)) == ["甲.xlsx"]
    assert f"已跳过 {inputs / '已评分'}：它是另一次批量运行的输出文件夹" in capsys.readouterr().out


def test_leftovers_in_an_output_subfolder_are_removed_at_start(make_inputs, tmp_path):
    inputs = make_inputs({"单位A/填报.xlsx": "A"})
    out = tmp_path / "out"
    (out / "单位A").mkdir(parents=True)
    (out / "单位A" / ".填报-已评分.xlsx.0123abcd.tmp").write_bytes(b"PK half a zip")  # a batch killed with -9
    (out / "单位A" / ".别人的文件.tmp").write_bytes(b"not ours")
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert leftovers(out / "单位A") == [".别人的文件.tmp"]


def test_each_output_folder_is_listed_once_at_start(make_inputs, tmp_path, monkeypatch):
    """One listing per output folder clears both kinds of leftovers (a folder per unit on network storage:
    each listing is a round trip)."""
    inputs = make_inputs({"单位A/填报.xlsx": "A", "单位B/填报.xlsx": "B"})
    out = tmp_path / "out"
    (out / "单位A").mkdir(parents=True)
    (out / "单位A" / ".填报-已评分.xlsx.0123abcd.tmp").write_bytes(b"PK half a zip")
    listed = []
    for name in ("scandir", "listdir"):
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda path=".", real=real: listed.append(Path(path)) or real(path))
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert sorted(p for p in listed if p == out or out in p.parents) == [out, out / "单位A", out / "单位B"]
    assert leftovers(out / "单位A") == []


def test_a_file_where_an_output_subfolder_belongs_stops_the_batch_before_it_runs(make_inputs, tmp_path, capsys):
    inputs = make_inputs({"单位A/填报.xlsx": "A"})
    out = tmp_path / "out"
    out.mkdir()
    (out / "单位A").write_bytes(b"a file, not a folder")
    assert main(["batch", str(inputs), "-o", str(out)]) == 2
    assert "无法建立输出子目录" in capsys.readouterr().err
    assert (out / "单位A").read_bytes() == b"a file, not a folder"
    assert not (out / "汇总.xlsx").exists()


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_foreign_file_where_an_output_goes_is_not_overwritten(make_inputs, tmp_path, force):
    inputs = make_inputs({"甲.xlsx": "A"})
    out = tmp_path / "out"
    out.mkdir()
    (out / "甲-已评分.xlsx").write_bytes(b"someone else's file")
    assert main(["batch", str(inputs), "-o", str(out), *force]) == 1
    assert (out / "甲-已评分.xlsx").read_bytes() == b"someone else's file"
    assert "不是 xlperf 输出" in rows_of(out)["甲.xlsx"]["说明"]


# --- incremental runs ----------------------------------------------------------------------------

def test_unchanged_files_are_skipped_changed_ones_recomputed_force_redoes_all(make_inputs, unit_books, tmp_path):
    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    first = {n: (out / n).stat().st_mtime_ns for n in ("甲-已评分.xlsx", "乙-已评分.xlsx")}

    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    rows = rows_of(out)
    assert [rows[n]["状态"] for n in ("甲.xlsx", "乙.xlsx")] == ["未变（跳过）"] * 2
    assert rows["乙.xlsx"]["总分"] == TOTALS["B"]  # the summary still lists a skipped unit's scores
    assert {n: (out / n).stat().st_mtime_ns for n in first} == first

    (inputs / "乙.xlsx").write_bytes(unit_books["C"].read_bytes())  # 乙 sent a corrected workbook
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    rows = rows_of(out)
    assert (rows["甲.xlsx"]["状态"], rows["乙.xlsx"]["状态"]) == ("未变（跳过）", "成功")
    assert rows["乙.xlsx"]["总分"] == TOTALS["C"]
    assert (out / "甲-已评分.xlsx").stat().st_mtime_ns == first["甲-已评分.xlsx"]

    assert main(["batch", str(inputs), "-o", str(out), "--force"]) == 0
    assert [r["状态"] for r in rows_of(out).values()] == ["成功", "成功"]
    assert (out / "甲-已评分.xlsx").stat().st_mtime_ns != first["甲-已评分.xlsx"]


def test_an_upgraded_xlperf_recomputes_what_the_old_one_wrote(make_inputs, tmp_path, monkeypatch, capsys):
    """The engine version in each stamp and in the batch's record is what a re-run trusts: after an upgrade
    every file is computed again (the new engine may score it differently), and verify of an old output says
    another version wrote it (exit 5) rather than vouching for it."""
    import xlperf

    inputs = make_inputs({"甲.xlsx": "A"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    monkeypatch.setattr(xlperf, "__version__", "9.9.9")
    assert main(["verify", str(out / "甲-已评分.xlsx")]) == 5
    # One sentence, no stray space: it read “与本机 xlperf 9.9.9、shenzhen-2024（…） 不同” before.
    assert "填写，本机是 xlperf 9.9.9、指标体系 shenzhen-2024（796c943aa7dc），无法逐格核对" in capsys.readouterr().out
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert rows_of(out)["甲.xlsx"]["状态"] == "成功"
    assert main(["verify", str(out / "甲-已评分.xlsx")]) == 0


def test_json_report(make_inputs, tmp_path, capsys):
    import json

    inputs = make_inputs({"甲.xlsx": "A", "坏.xlsx": b"junk"})
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out"), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["exit_code"] == 1 and data["counts"] == {"ok": 1, "skipped": 0, "failed": 1}
    by_name = {Path(f["source"]).name: f for f in data["files"]}
    assert by_name["甲.xlsx"]["total"] == TOTALS["A"] and by_name["坏.xlsx"]["kind"] == "input"


def test_json_report_of_a_batch_that_could_not_run(tmp_path, capsys):
    # Nothing on stdout before: a scheduler parsing --json had nothing to read when the batch refused to start.
    import json

    empty = tmp_path / "空"
    empty.mkdir()
    assert main(["batch", str(empty), "-o", str(tmp_path / "out"), "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["exit_code"] == 2 and "没有找到要处理的工作簿" in data["error"] and data["files"] == []


def test_help_defaults_match_the_limits():
    from xlperf import workbook_cli
    from xlperf.batch import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT

    assert (workbook_cli.DEFAULT_TIMEOUT, workbook_cli.DEFAULT_MEMORY_MB) == (DEFAULT_TIMEOUT, DEFAULT_MEMORY_MB)


def test_operator_systems_reach_the_workers(tmp_path):
    """A unit scored under an operator's own system (--systems DIR): found by id in the workers, never by path."""
    from batchdata import VARIANTS
    from xlperf.engine.registry import Registry
    from xlperf.workbook.template import build_template

    systems = tmp_path / "systems"
    systems.mkdir()
    text = (ROOT / "xlperf" / "engine" / "systems" / "shenzhen-2024.toml").read_text(encoding="utf-8")
    (systems / "bureau-2024.toml").write_text(text.replace('id = "shenzhen-2024"', 'id = "bureau-2024"', 1),
                                              encoding="utf-8")
    inputs = tmp_path / "in"
    inputs.mkdir()
    build_template(inputs / "甲.xlsx", Registry([systems]).by_id("bureau-2024"), data=VARIANTS["A"])
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 1  # without the folder: an unknown system
    assert "bureau-2024" in rows_of(out)["甲.xlsx"]["说明"]
    assert main(["batch", str(inputs), "-o", str(out), "--systems", str(systems)]) == 0
    row = rows_of(out)["甲.xlsx"]
    assert (row["总分"], row["指标体系"]) == (TOTALS["A"], "bureau-2024")
    # and the incremental check finds the same system again
    assert main(["batch", str(inputs), "-o", str(out), "--systems", str(systems)]) == 0
    assert rows_of(out)["甲.xlsx"]["状态"] == "未变（跳过）"


@contextlib.contextmanager
def no_workbook_read(monkeypatch):
    """Any fill, compute or stamp read fails the test (the workers fork with these in place)."""
    import xlperf.workbook.fill as fill_module

    def no_reading(*args, **kw):
        raise AssertionError("a workbook was read")

    with monkeypatch.context() as m:
        for name in ("compute", "fill", "read_stamp"):
            m.setattr(fill_module, name, no_reading)
        yield


@pytest.mark.parametrize("names", [("甲.xlsx", "乙.xlsx"), ("单位A/填报.xlsx", "单位B/填报.xlsx")],
                         ids=["flat", "one name in two subfolders"])
def test_an_unchanged_file_is_skipped_on_the_manifest_without_reading_a_workbook(make_inputs, tmp_path, monkeypatch,
                                                                                 names):
    """In subfolders, each output keeps its own record: it is keyed by the path inside the output folder,
    not by the file name alone."""
    inputs = make_inputs(dict(zip(names, "AB")))
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    with no_workbook_read(monkeypatch):
        assert main(["batch", str(inputs), "-o", str(out)]) == 0
    with (out / "汇总.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {Path(r["文件"]).relative_to(inputs).as_posix(): (r["状态"], r["总分"]) for r in csv.DictReader(fh)}
    assert rows == {names[0]: ("未变（跳过）", TOTALS["A"]), names[1]: ("未变（跳过）", TOTALS["B"])}


def test_the_record_holds_the_hash_of_the_input_bytes_and_the_identity_of_the_output(make_inputs, tmp_path):
    import hashlib
    import json

    inputs = make_inputs({"单位A/填报.xlsx": "A"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    record = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["outputs"]["单位A/填报-已评分.xlsx"]
    row = json.loads(record)["row"]  # each record is its own JSON text, decoded when its file comes up
    assert row["input_sha256"] == hashlib.sha256((inputs / "单位A" / "填报.xlsx").read_bytes()).hexdigest()
    written = os.stat(out / "单位A" / "填报-已评分.xlsx")
    assert row["output_id"] == [written.st_size, written.st_mtime_ns, written.st_ino]


@pytest.mark.parametrize("disturb", ["manifest removed", "manifest damaged", "record damaged", "output touched"])
def test_without_a_usable_record_the_stamp_decides(make_inputs, tmp_path, monkeypatch, disturb):
    import json

    import xlperf.workbook.fill as fill_module

    inputs = make_inputs({"甲.xlsx": "A"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    if disturb == "manifest removed":
        (out / MANIFEST).unlink()
    elif disturb == "manifest damaged":
        (out / MANIFEST).write_text("{not json", encoding="utf-8")
    elif disturb == "record damaged":
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        data["outputs"]["甲-已评分.xlsx"] = "{not json"
        (out / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    else:
        st = (out / "甲-已评分.xlsx").stat()
        os.utime(out / "甲-已评分.xlsx", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))

    def no_fill(*args, **kw):
        raise AssertionError("an unchanged file was filled again")

    with monkeypatch.context() as m:
        m.setattr(fill_module, "fill", no_fill)
        assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert rows_of(out)["甲.xlsx"]["状态"] == "未变（跳过）"
    # and the record is whole again: the next run needs no workbook read
    with monkeypatch.context() as m:
        m.setattr(fill_module, "compute", no_fill)
        m.setattr(fill_module, "fill", no_fill)
        assert main(["batch", str(inputs), "-o", str(out)]) == 0


def test_a_record_of_the_first_format_is_used_and_rewritten_as_text(make_inputs, tmp_path, monkeypatch):
    import json

    import xlperf.workbook.fill as fill_module
    from xlperf.batch import manifest

    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 0
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    first = {"format": 1, "outputs": {name: json.loads(text) for name, text in data["outputs"].items()}}
    (out / MANIFEST).write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")  # as format 1 wrote it

    def no_read(*args, **kw):
        raise AssertionError("a workbook was read although its record settles it")

    with monkeypatch.context() as m:
        m.setattr(fill_module, "compute", no_read)
        m.setattr(fill_module, "fill", no_read)
        assert main(["batch", str(inputs), "-o", str(out)]) == 0
    assert {r["状态"] for r in rows_of(out).values()} == {"未变（跳过）"}
    assert rows_of(out)["甲.xlsx"]["总分"] == TOTALS["A"]
    again = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert again["format"] == manifest.FORMAT == 2 and all(isinstance(v, str) for v in again["outputs"].values())
    assert all(isinstance(v, str) for v in manifest.load(out).values())  # held as text, not as objects


# --- without fork (Windows) ----------------------------------------------------------------------

def test_without_fork_a_spawned_pool_fills_every_file_and_lists_the_bad_one(make_inputs, tmp_path, monkeypatch):
    import xlperf.batch.runner as runner

    monkeypatch.setattr(runner, "_can_fork", lambda: False)
    monkeypatch.setattr(runner, "preload", lambda: pytest.fail("the fork path ran"))
    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B", "坏.xlsx": b"junk"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "-j", "2"]) == 1
    rows = rows_of(out)
    assert (rows["甲.xlsx"]["总分"], rows["乙.xlsx"]["总分"]) == (TOTALS["A"], TOTALS["B"])
    assert rows["坏.xlsx"]["失败类型"] == "输入有误"
    assert verify(out / "甲-已评分.xlsx").status == "unchanged"
