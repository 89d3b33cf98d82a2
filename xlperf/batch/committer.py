"""A batch worker's second thread: each output's last step, then its outcome to the parent, in order.

Writing an output ends with an fsync (the disk's time, ≈ 0.7 ms here, a network round trip on shared
storage) and a rename. In a worker, write_package hands that step here (writer.FINISH_LATER) and the
main thread goes on with the next file while this thread waits for the disk. A file's outcome is sent
only after its output is whole under its name, so the parent never reports a file done before it is;
if the step fails, the temp file is removed and the outcome says the output could not be written.
Frames go to the parent from this thread (outcomes) and the main thread (BEGUN), one at a time.
"""

from __future__ import annotations

import os
import pickle
import queue
import struct
import threading
from pathlib import Path

from .outcome import INPUT, INTERNAL, OK, Outcome, failed

HEADER = struct.Struct("<I")  # a frame on a worker pipe: its length, then a pickle
BEGUN = (None, None)  # the frame that says: the file in hand is filled, its outcome follows; the next began
_STACK = 512 * 1024  # bytes: the thread calls fsync, rename and pickle, nothing deep


class Committer:
    def __init__(self, fd: int):
        self.fd = fd
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.unwritten: dict[str, str] = {}  # output → why its last step failed, until its outcome is sent
        self.lock = threading.Lock()  # one frame at a time on the pipe, from either thread
        self.unsent = 0  # outcomes handed over and not yet written
        previous = threading.stack_size(_STACK)
        try:
            self.thread = threading.Thread(target=self._run, name="xlperf-committer", daemon=True)
            self.thread.start()
        finally:
            threading.stack_size(previous)

    def finish_later(self, tmp: Path, out: Path) -> None:
        self.jobs.put((tmp, out))

    def send(self, outcome: Outcome, retiring: bool) -> None:
        """The outcome goes to the parent once every output queued before it is whole."""
        with self.lock:
            self.unsent += 1
        self.jobs.put((outcome, retiring))

    def begin(self) -> None:
        """The main thread starts the next file. If the last one's outcome is still on its way, the parent
        is told (BEGUN): should the process die now, the death is this file's, and the last one is redone."""
        with self.lock:
            if self.unsent:
                self._write(BEGUN)

    def close(self) -> None:
        """Wait until every queued output is renamed and every outcome sent."""
        self.jobs.put(None)
        self.thread.join()

    def _run(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                if isinstance(job[0], Outcome):
                    self._send(*job)
                else:
                    self._finish(*job)
        except BaseException:  # noqa: BLE001 - the pipe is gone (the parent ended): stop without a traceback
            pass

    def _finish(self, tmp: Path, out: Path) -> None:
        from ..workbook import writer
        from ..workbook.problems import workbook_error

        try:
            writer.finish_write(tmp, out)
        except BaseException:  # noqa: BLE001 - a full disk or a vanished folder fails this file only
            try:
                os.unlink(tmp)
            except OSError:
                pass
            self.unwritten[str(out)] = str(workbook_error("WRITE_FAILED", path=out)).splitlines()[0]

    def _send(self, outcome: Outcome, retiring: bool) -> None:
        from .manifest import file_identity

        try:
            why = self.unwritten.pop(outcome.output, None) if outcome.output else None
            if why is not None and outcome.status == OK:
                outcome = _replaced(outcome, failed(outcome.source, INPUT, why))
            elif outcome.status == OK and outcome.output:
                outcome.output_id = file_identity(outcome.output)  # the file as renamed, for the record
        except BaseException:  # noqa: BLE001 - never a file without its answer
            outcome = _replaced(outcome, failed(outcome.source, INTERNAL, "内部错误（写入收尾），请将该文件反馈给维护人员"))
        with self.lock:
            self._write((outcome, retiring))
            self.unsent -= 1

    def _write(self, message: tuple) -> None:
        view = memoryview(frame(message))
        while view:
            view = view[os.write(self.fd, view):]


def frame(message: tuple) -> bytes:
    """A message as it goes down a worker pipe, either way: its length, then its pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def _replaced(outcome: Outcome, by: Outcome) -> Outcome:
    by.peak_kb = outcome.peak_kb
    return by
