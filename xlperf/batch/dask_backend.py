"""Past one machine: the same per-file work as Dask tasks on a distributed cluster.

The files must be on storage every worker sees under the same path (NFS, SMB, a cluster file
system); the client sends only paths. Each task runs worker.run_limited on its worker, so the
time and memory limits are enforced where the file is processed. Dask does the scheduling,
retries of lost workers and data transport: nothing here distributes anything by itself.
"""

from __future__ import annotations

import os

from .limits import Limits
from .worker import Task, run_limited
from .outcome import CRASHED, failed
from .plan import SetupError

CONNECT_TIMEOUT = "10s"
WORKERS_TIMEOUT = 30  # seconds to wait for the first worker


def _xlperf_version() -> str:
    from .. import __version__

    return __version__


def run_dask(address: str, todo: list[Task], force: bool, limits: Limits, done,
             systems: tuple[str, ...] = ()) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise SetupError("--scheduler 需要 Dask：pip install 'dask[distributed]'") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SetupError(f"无法连接 Dask 调度器 {address}（{exc}）") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except (TimeoutError, OSError):
            raise SetupError(f"Dask 调度器 {address} 在 {WORKERS_TIMEOUT} 秒内没有可用的工作进程") from None
        from .. import __version__

        # Outputs are stamped with the engine version: every worker must run this one.
        others = {w: v for w, v in client.run(_xlperf_version).items() if v != __version__}
        if others:
            raise SetupError(f"Dask 工作进程的 xlperf 版本与本机（{__version__}）不同：" +
                             "，".join(f"{w} 为 {v}" for w, v in sorted(others.items())))
        # Shared storage: workers see absolute paths only.
        index = {}
        futures = []
        for i, s, t, hint in todo:
            fut = client.submit(run_limited, os.path.abspath(s), os.path.abspath(t), force, limits, systems, hint,
                                pure=False)
            index[fut.key] = (i, s)
            futures.append(fut)
        for fut in as_completed(futures):
            i, s = index[fut.key]
            try:
                outcome = fut.result()
                outcome.source = s
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: this file fails, the rest go on
                outcome = failed(s, CRASHED, f"Dask 工作进程处理该文件时出错（{type(exc).__name__}），已跳过")
            done(i, outcome)
