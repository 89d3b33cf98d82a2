"""Each output's last step, taken by the batch process when the worker that wrote it reports the file.

A worker writes an output as a temp file beside its target and reports the file at once, naming the
temp (writer.FINISH_LATER). The batch makes the temp durable (fsync), renames it over the target and
records the output's identity for the manifest; only then is the file counted done, so every success
the batch reports is whole under its name. Meanwhile the worker fills its next file: the disk's wait
(0.3 to 1.3 ms a file here, a round trip on network storage) is not on its path. The step runs on a
few threads of the batch process (Finisher), which is otherwise idle between reports, so one batch
keeps up with many workers (one thread here: about 2,200 outputs a second). A second thread in each
worker, which took the step before, cost more in handing the interpreter lock back and forth with the
filling thread (~15 context switches a file) than the fsync it moved off that thread.
If the step fails, the temp file is removed and the outcome says the output could not be written.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .outcome import INPUT, INTERNAL, OK, Outcome, failed

WORKERS_PER_THREAD = 4  # workers whose outputs one finishing thread keeps up with, fsync waits included
MAX_THREADS = 8


class Finisher:
    """Outputs put in place on threads of the batch process; the batch waits on ``fileno()`` with its
    workers' pipes and takes what is finished with ``collect()``."""

    def __init__(self, jobs: int):
        threads = max(1, min(MAX_THREADS, jobs // WORKERS_PER_THREAD))
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="xlperf-finish")
        self.pending: dict[Future, tuple[int, Outcome, str]] = {}  # → (index, outcome, temp file)
        self.wake_r, self.wake_w = os.pipe()  # a byte per finished output: wakes the batch's select
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)  # a full pipe already holds a wake-up

    def fileno(self) -> int:
        return self.wake_r

    def __len__(self) -> int:
        return len(self.pending)

    def submit(self, index: int, outcome: Outcome, tmp: str, out: str) -> None:
        future = self.pool.submit(finish_output, outcome, tmp, out)
        self.pending[future] = (index, outcome, tmp)
        future.add_done_callback(self._wake)

    def collect(self) -> list[tuple[int, Outcome]]:
        try:
            os.read(self.wake_r, 1 << 16)
        except BlockingIOError:
            pass
        finished = []
        for future in [f for f in self.pending if f.done()]:
            index, outcome, tmp = self.pending.pop(future)
            try:
                finished.append((index, future.result()))
            except Exception:  # noqa: BLE001 - never a file without its answer, never a stray temp
                _remove(tmp)
                finished.append((index, _replaced(outcome, failed(
                    outcome.source, INTERNAL, "内部错误（写入收尾），请将该文件反馈给维护人员"))))
        return finished

    def close(self) -> None:
        """Done or interrupted: a step under way ends; one not begun is dropped with its temp file."""
        for future, (_, _, tmp) in list(self.pending.items()):
            if future.cancel():
                _remove(tmp)
        self.pool.shutdown(wait=True)
        os.close(self.wake_r)
        os.close(self.wake_w)

    def _wake(self, _future: Future) -> None:
        try:
            os.write(self.wake_w, b"\0")
        except OSError:  # full (a wake-up is waiting), or closed: the batch no longer waits
            pass


def finish_output(outcome: Outcome, tmp: str, out: str) -> Outcome:
    """The outcome a worker reported for the temp file ``tmp``, once ``out`` is in place (or why not)."""
    from ..workbook import writer
    from ..workbook.problems import write_error
    from .manifest import file_identity

    if outcome.status != OK:  # the file failed after its output was written: the output goes
        _remove(tmp)
        return outcome
    try:
        writer.finish_write(Path(tmp), Path(out))
        outcome.output_id = file_identity(out)  # the file as renamed, for the record
    except OSError as exc:  # a full disk or a vanished folder fails this file only
        _remove(tmp)
        message = str(write_error(exc, Path(out))).splitlines()[0]
        return _replaced(outcome, failed(outcome.source, INPUT, message))
    return outcome


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _replaced(outcome: Outcome, by: Outcome) -> Outcome:
    by.peak_kb, by.seconds = outcome.peak_kb, outcome.seconds
    return by
