"""The batch on a real Dask cluster: a scheduler and a worker started here, on 127.0.0.1 only.

The files live on storage both sides see (this machine's disk, as shared storage would be): the
client sends paths, the worker reads the inputs and writes the outputs, and enforces the per-file
time and memory limits itself (the worker's preload plants the hang and the hog; see hooks.py).
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from batchdata import TOTALS
from xlperf.cli import main

pytest.importorskip("distributed")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    logs = tmp_path_factory.mktemp("dask-logs")
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    started = []
    try:
        started.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", address.rsplit(":", 1)[1], "--no-dashboard", "--no-show"],
            env=env, stdout=subprocess.DEVNULL, stderr=(logs / "scheduler.log").open("wb")))
        started.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--host", "127.0.0.1", "--nthreads", "2",
             "--nworkers", "1", "--no-dashboard", "--no-nanny", "--preload", str(HERE / "dask_preload.py")],
            env=env, stdout=subprocess.DEVNULL, stderr=(logs / "worker.log").open("wb")))
        yield address
    finally:
        for proc in reversed(started):
            proc.terminate()
        for proc in reversed(started):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_batch_on_a_dask_cluster_with_limits_on_the_worker(make_inputs, tmp_path, scheduler):
    inputs = make_inputs({"甲.xlsx": "A", "乙.xlsx": "B", "挂起.xlsx": "C", "坏.xlsx": b"junk", "大.xlsx": "A",
                          "单位丙/填报.xlsx": "C"})
    out = tmp_path / "out"
    started = time.monotonic()
    assert main(["batch", str(inputs), "-o", str(out), "--scheduler", scheduler, "--timeout", "2",
                 "--memory", "300"]) == 1
    assert time.monotonic() - started < 50
    with (out / "汇总.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {Path(r["文件"]).name: r for r in csv.DictReader(fh)}
    assert (rows["甲.xlsx"]["总分"], rows["乙.xlsx"]["总分"]) == (TOTALS["A"], TOTALS["B"])
    assert rows["挂起.xlsx"]["失败类型"] == "超时"  # killed on the worker, where it ran
    assert rows["坏.xlsx"]["失败类型"] == "输入有误"
    assert rows["大.xlsx"]["失败类型"] == "超出内存上限" and "300 MB" in rows["大.xlsx"]["说明"]  # limited on the worker
    assert sorted(p.name for p in out.iterdir()) == [".xlperf-batch.json", "乙-已评分.xlsx", "单位丙", "汇总.csv",
                                                     "汇总.xlsx", "甲-已评分.xlsx"]
    # the subfolder was made by the batch before the worker wrote into it
    assert rows["填报.xlsx"]["总分"] == TOTALS["C"] and (out / "单位丙" / "填报-已评分.xlsx").is_file()

    # incremental on the cluster too: the worker reads the existing output's stamp
    assert main(["batch", str(inputs / "甲.xlsx"), "-o", str(out), "--scheduler", scheduler]) == 0
    with (out / "汇总.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert [r["状态"] for r in csv.DictReader(fh)] == ["未变（跳过）"]


def test_an_unreachable_scheduler_means_nothing_ran(make_inputs, tmp_path, monkeypatch, capsys):
    import xlperf.batch.dask_backend as backend

    monkeypatch.setattr(backend, "CONNECT_TIMEOUT", "1s")
    inputs = make_inputs({"甲.xlsx": "A"})
    assert main(["batch", str(inputs), "-o", str(tmp_path / "out"), "--scheduler",
                 f"tcp://127.0.0.1:{free_port()}"]) == 2
    assert "无法连接 Dask 调度器" in capsys.readouterr().err
