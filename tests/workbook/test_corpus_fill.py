"""`xlperf fill` and `xlperf batch` over real workbooks written by other software (shared/corpus).

None of them is an xlperf template, so each must be refused with a short Chinese reason, never a
traceback, and quickly; and in a batch, no bad file may stop the others.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from fixtures import build_example, example_data
from wb_builders import CORPUS, IN_CI, corpus_missing
from xlperf.cli import main
from xlperf.book.a1 import from_a1
from xlperf.workbook.package import Package

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbooks" / "example-2024.xlsx"
SAFETY_SECONDS = 5.0  # against hangs and blow-ups; not a speed benchmark
FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm")) if CORPUS.is_dir() else []
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PYTHON_NAMES = re.compile(r"Traceback|\b\w*(?:Error|Exception|Warning)\b|\bFile \"|line \d+")


def rel(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


# In CI the corpus tests run (and fail) rather than skip: see test_corpus_is_present.
needs_corpus = pytest.mark.skipif(not FILES and not IN_CI, reason=f"corpus not available at {CORPUS}")


def test_corpus_is_present():
    if not FILES:
        corpus_missing()


@needs_corpus
def test_corpus_is_what_the_readme_describes():
    assert len(FILES) == 78


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=rel)
def test_fill_refuses_or_fills_cleanly(path, tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    started = time.monotonic()
    rc = main(["fill", str(path), "-o", str(out)])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert elapsed < SAFETY_SECONDS, f"{elapsed:.1f} s"
    if rc == 0:
        assert out.exists() and err == ""
        return
    assert rc == 1, err
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 3, err
    assert CHINESE.search(err), err
    assert not PYTHON_NAMES.search(err), err
    assert "内部错误" not in err, err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "temporary files left behind"


def read_summary(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@needs_corpus
def test_batch_over_the_corpus_keeps_going(tmp_path, capsys):
    """The whole corpus plus the bundled example, two workers: every file gets its row, the example is filled."""
    if not EXAMPLE.exists():
        pytest.skip("bundled example missing: run python -m xlperf.workbook.bundled")
    inputs = tmp_path / "in"
    shutil.copytree(CORPUS, inputs)
    shutil.copy(EXAMPLE, inputs / EXAMPLE.name)
    out = tmp_path / "out"
    started = time.monotonic()
    rc = main(["batch", str(inputs), "-o", str(out), "--jobs", "2"])
    elapsed = time.monotonic() - started
    captured = capsys.readouterr()
    assert rc == 1  # some files failed
    assert elapsed < 120, f"{elapsed:.0f} s"
    assert "Traceback" not in captured.err and "内部错误" not in captured.err, captured.err

    rows = read_summary(out / "汇总.csv")
    by_file = {Path(r["文件"]).relative_to(inputs).as_posix(): r for r in rows}
    assert len(rows) == len(by_file) == len(FILES) + 1
    assert set(by_file) == {rel(p) for p in FILES} | {EXAMPLE.name}

    example = by_file.pop(EXAMPLE.name)
    assert example["状态"] == "成功", example
    assert example["总分"] == "96.88"
    assert example["单位"] == "深圳市科技交流服务中心"
    assert Path(example["输出文件"]).exists()

    for name, row in by_file.items():
        assert row["状态"] == "失败", name
        assert row["说明"] and CHINESE.search(row["说明"]), (name, row["说明"])
        assert not PYTHON_NAMES.search(row["说明"]) and "内部错误" not in row["说明"], (name, row["说明"])
        assert row["输出文件"] == "", name
    failures = [line for line in captured.err.splitlines() if line.startswith("失败：")]
    assert len(failures) == len(FILES)
    produced = sorted(p.name for p in out.iterdir())
    assert produced == sorted([".xlperf-batch.json", "汇总.csv", "汇总.xlsx", Path(example["输出文件"]).name]), produced


def test_batch_never_lets_two_inputs_share_an_output(tmp_path, capsys):
    """Units often send files with the same name from different folders: each gets its own output."""
    inputs = tmp_path / "in"
    (inputs / "单位A").mkdir(parents=True)
    (inputs / "单位B").mkdir()
    build_example(inputs / "单位A" / "填报.xlsx")
    build_example(inputs / "单位B" / "填报.xlsx", example_data(unit="另一个单位"))
    (inputs / "单位B" / "坏文件.xlsx").write_text("不是工作簿", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "--jobs", "2"]) == 1
    assert "Traceback" not in capsys.readouterr().err
    rows = {Path(r["文件"]).relative_to(inputs).as_posix(): r for r in read_summary(out / "汇总.csv")}
    assert rows["单位B/坏文件.xlsx"]["状态"] == "失败"
    a, b = rows["单位A/填报.xlsx"], rows["单位B/填报.xlsx"]
    assert a["状态"] == b["状态"] == "成功"
    assert a["输出文件"] != b["输出文件"]
    for row in (a, b):
        pkg = Package.open(row["输出文件"])
        dn = pkg.defined_names()["xp_unit"]
        assert pkg.read_cells(dn.sheet)[from_a1(dn.ref)].value == row["单位"]


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the crash is planted through fork")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_worker_that_dies_fails_only_its_own_file(tmp_path, capsys, monkeypatch, jobs):
    """A process killed outright (OOM killer, a crash in C code) must not take the batch with it."""
    import xlperf.workbook.fill as fill_module

    real_fill = fill_module.fill

    def fill(source, out, **kw):
        if "致命" in str(source):
            os._exit(9)  # as abrupt as SIGKILL: no exception, no cleanup
        return real_fill(source, out, **kw)

    monkeypatch.setattr(fill_module, "fill", fill)
    inputs = tmp_path / "in"
    inputs.mkdir()
    build_example(inputs / "单位1.xlsx")
    for name in ("单位2.xlsx", "致命.xlsx", "单位3.xlsx", "单位4.xlsx"):
        shutil.copy(inputs / "单位1.xlsx", inputs / name)
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out), "--jobs", jobs]) == 1
    err = capsys.readouterr().err
    assert "内部错误" not in err and "Traceback" not in err, err
    rows = {Path(r["文件"]).name: r for r in read_summary(out / "汇总.csv")}
    assert len(rows) == 5
    assert rows.pop("致命.xlsx")["状态"] == "失败"
    assert all(r["状态"] == "成功" and r["总分"] == "96.88" for r in rows.values()), rows
