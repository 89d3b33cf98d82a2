"""Worker processes forked for the batch, each filling one file at a time under the limits.

Why forked workers that the parent can kill, rather than a standard pool: a pool cannot end one
task that hangs (in C code, on a pipe), and a worker that dies breaks the whole pool. Here a
worker over its file's deadline is killed, its temporary file removed, and a fresh one forked;
only that file fails. Everything a fill needs is imported before forking, so a worker starts in
about a millisecond and every file pays nothing for start-up. Locally the workers are forked by the
batch's fork server (forkserver.py), which holds nothing per file; a Dask task forks its own.

A worker is sent its next file while it works on one (AHEAD), so it goes straight on instead of
waiting for the batch to read its answer and reply; the deadline of that next file starts when the
batch sees the one before it finish. A file sent ahead to a worker that ends (killed on its
deadline, crashed, or retired) was never started: the batch gives it to another worker.

A worker reports each file as soon as its output is written to a temp file; the batch process makes
that output durable and renames it into place (finish.py) while the worker goes on with the next.
A worker thus reports every file before it begins another: should it die, the death is the file in hand's.

A worker retires by itself (after saying so) once its memory has grown well past where it
started, or after MAX_FILES files, so its memory stays flat however many files a batch has.
Messages go as frames (frames.py) on two pipes.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import time
from collections import deque

from .finish import finish_output
from .forkserver import UNKNOWN_STATUS, ForkServer, ForkServerGone
from .frames import HEADER, read_frame, write_frame
from .limits import Limits, arm_alarm, cap_memory, disarm_alarm, resident_bytes
from .outcome import CRASHED, INTERNAL, MEMORY, TIMEOUT, Outcome, failed
from .plan import remove_stray_temps

MAX_FILES = 2000
AHEAD = 1  # files sent to a worker beyond the one in hand
RETIRE_GROWTH = 256 * 2**20  # bytes of resident memory above the worker's start
# A fill makes no reference cycles (tests/batch/test_no_cycles.py), so a worker runs without the
# cyclic collector, whose passes over the young objects of each fill cost ~1.7 % of it, and collects
# once every so many files in case some input makes garbage only a collection frees.
COLLECT_EVERY = 100


def preload() -> None:
    """Import what a fill needs once, in the parent, so that no forked worker pays for it."""
    import codecs
    import hashlib  # noqa: F401 - loaded once here, every worker hashes with OpenSSL (see xlperf.digest)

    from ..engine import targets  # noqa: F401 - imported by a unit's first performance target (~4 ms)
    from ..workbook import fill, stringscan  # noqa: F401 - stringscan: imported on a first shared-strings table
    from . import task  # noqa: F401

    codecs.lookup("cp437")  # zipfile decodes the names of members without the UTF-8 flag with it


Task = tuple[int, str, str, "str | None"]  # (index in the batch, source, target, the record's hint)
# A file a worker is done with: (index in the batch, outcome, (temp file, target) of the output it wrote,
# for the batch to put in place with finish.py, or None).
Reported = tuple[int, Outcome, "tuple[str, str] | None"]


def fork_worker(force: bool, limits: Limits, systems: tuple[str, ...]) -> tuple[int, int, int]:
    """A worker forked from this process: (its pid, the write end of its task pipe, the read end of its
    outcome pipe). The batch has its fork server (forkserver.py) call this, or calls it itself."""
    r_task, w_task = os.pipe()
    r_out, w_out = os.pipe()
    try:
        pid = frozen_fork()
    except OSError:
        for fd in (r_task, w_task, r_out, w_out):
            os.close(fd)
        raise
    if pid == 0:  # the worker, with the parent's objects still frozen: never returns
        keep_only(r_task, w_out)
        _worker_main(r_task, w_out, force, limits, systems)
    os.close(r_task)
    os.close(w_out)
    return pid, w_task, r_out


def frozen_fork() -> int:
    """os.fork() with the collector frozen across it: the child keeps the parent's objects frozen, so its
    collections never walk them (nor touch their pages); only the parent unfreezes (its own objects stay
    collectable)."""
    gc.freeze()
    try:
        pid = os.fork()
    except OSError:
        gc.unfreeze()
        raise
    if pid:
        gc.unfreeze()
    return pid


class Worker:
    def __init__(self, force: bool, limits: Limits, systems: tuple[str, ...] = (), server: ForkServer | None = None):
        """server: the batch's fork server, if it has one that still answers (else forked from here)."""
        self.force, self.limits = force, limits
        self.tasks: deque[Task] = deque()  # the file in hand first, then those sent ahead
        self.retiring = False
        self.buf = bytearray()
        self.server = server if server is not None and server.alive else None
        if self.server is not None:
            try:
                self.pid, self.send_fd, self.fd = self.server.spawn(force, limits, systems)
                return
            except ForkServerGone:
                self.server = None
        self.pid, self.send_fd, self.fd = fork_worker(force, limits, systems)

    def fileno(self) -> int:
        return self.fd

    @property
    def task(self) -> Task | None:
        """The file in hand."""
        return self.tasks[0] if self.tasks else None

    def can_take(self, ahead: bool = True) -> bool:
        """Whether to send it a file: one to start on, or (ahead) one more to go on with."""
        return not self.retiring and len(self.tasks) < (1 + AHEAD if ahead else 1)

    def give(self, index: int, source: str, target: str, hint: str | None = None) -> None:
        self.tasks.append((index, source, target, hint))
        if len(self.tasks) == 1:
            self._start()
        try:
            write_frame(self.send_fd, (source, target, hint))
        except OSError:  # it died meanwhile: read() sees the end and reports the file
            pass

    def close_input(self) -> None:
        """No more files for it: it ends after the one in hand."""
        if self.send_fd >= 0:
            os.close(self.send_fd)
            self.send_fd = -1

    def read(self) -> tuple[list[Reported], bool]:
        """(finished files, whether the worker has ended). A worker that ended with a file in hand
        failed that file: killed by its own alarm, out of memory in C code, or crashed."""
        chunk = os.read(self.fd, 1 << 16)
        self.buf += chunk
        finished = []
        while len(self.buf) >= HEADER.size:
            (n,) = HEADER.unpack_from(self.buf)
            if len(self.buf) < HEADER.size + n:
                break
            outcome, retiring, written = pickle.loads(bytes(self.buf[HEADER.size:HEADER.size + n]))
            del self.buf[:HEADER.size + n]
            self.retiring = retiring
            finished.append(self._finished(outcome, written))
        if chunk:
            return finished, False
        status = self._reap(kill=False)
        if self.task is not None and not self.retiring:  # a retired worker started none of those left
            finished.append(self._finished(self._died(status)))
        return finished, True

    def take_back(self) -> list[Task]:
        """Once it has ended: the files it never started (sent ahead), for another worker."""
        rest = list(self.tasks)
        self.tasks.clear()
        return rest

    def kill_for_time(self) -> tuple[int, Outcome]:
        self._reap(kill=True)
        index, outcome, _ = self._finished(self._timed_out())
        return index, outcome

    def stop(self) -> None:
        """End it now (the batch is interrupted): whatever it was writing is removed."""
        self._reap(kill=True)

    def _reap(self, kill: bool) -> int:
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.close_input()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        status = self._wait()
        for task in self.tasks:  # the file in hand, and one sent ahead that it may have begun to write
            remove_stray_temps(task[2])
        return status

    def _wait(self) -> int:
        if self.server is None:
            return os.waitpid(self.pid, 0)[1]
        try:
            return self.server.reap(self.pid)
        except ForkServerGone:  # its workers went to init, which reaps them: how this one ended is unknown
            return UNKNOWN_STATUS

    def _died(self, status: int) -> Outcome:
        source = self.task[1]
        if status == UNKNOWN_STATUS:
            return failed(source, CRASHED, "处理该文件的进程意外终止（原因未知），已跳过")
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        if sig == signal.SIGALRM:
            return self._timed_out()
        how = f"信号 {sig}" if sig else f"退出码 {os.WEXITSTATUS(status)}"
        return failed(source, CRASHED, f"处理该文件的进程意外终止（{how}；文件可能过大或已损坏），已跳过")

    def _timed_out(self) -> Outcome:
        """The file in hand, over its time limit (killed by the batch, or by its own alarm)."""
        return failed(self.task[1], TIMEOUT, f"处理时间超过 {self.limits.timeout:g} 秒的上限，已终止")

    def _start(self, now: float | None = None) -> None:
        self.started = time.monotonic() if now is None else now
        self.deadline = self.started + self.limits.timeout

    def _finished(self, outcome: Outcome, written: tuple[str, str] | None = None) -> Reported:
        now = time.monotonic()
        outcome.seconds = round(now - self.started, 4)
        index = self.tasks.popleft()[0]
        if self.tasks and not self.retiring:
            self._start(now)  # it went straight on with the file sent ahead
        return index, outcome, written


def _worker_main(r: int, w: int, force: bool, limits: Limits, systems: tuple[str, ...]) -> None:
    code = 0
    try:
        # Ctrl-C and SIGTERM are the batch's to handle: it kills its workers and cleans up.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the kernel ends the process, even inside C code
        cap_memory(limits.memory_mb)
        import resource

        from ..workbook import atomic, writer
        from .task import process

        atomic.CLEAN_ON_WRITE = False  # the batch cleared the output folders before any worker started
        atomic.SYNC_FOLDER_ON_WRITE = False  # and syncs each of them once, when every file is done
        written: list[tuple[str, str]] = []
        writer.FINISH_LATER = lambda tmp, out: written.append((str(tmp), str(out)))  # the batch finishes it

        start_rss = resident_bytes()
        gc.disable()
        for done in range(1, MAX_FILES + 1):
            message = read_frame(r)
            if message is None:
                break
            source, target, hint = message
            written.clear()
            arm_alarm(limits)
            try:
                outcome = process(source, target, force, systems, hint)
            except MemoryError:
                outcome = failed(source, MEMORY, "")
            disarm_alarm()
            if outcome.kind == MEMORY:
                outcome.message = f"超出每个文件 {limits.memory_mb} MB 的内存上限，已跳过"
            outcome.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            retiring = done == MAX_FILES or resident_bytes() - start_rss > RETIRE_GROWTH
            write_frame(w, (outcome, retiring, written[-1] if written else None))
            if retiring:
                break
            if done % COLLECT_EVERY == 0:
                gc.collect()
                gc.freeze()  # what survived (the memos, ~55k objects) is not scanned again: 6-8 ms -> <1 ms a pass
    except BaseException:  # noqa: BLE001 - the parent reports the file in hand as a crash
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def keep_only(*fds: int) -> None:
    """Close every inherited descriptor but ours: a worker holding a copy of another worker's pipe
    would keep that pipe open, and the parent would never see the other worker end."""
    low = 3
    for fd in sorted(fds):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, _max_fd())


def _max_fd() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 20)
    except (ValueError, OSError):
        return 65536


def run_limited(source: str, target: str, force: bool = False, limits: Limits = Limits(),
                systems: tuple[str, ...] = (), hint: str | None = None) -> Outcome:
    """One file in a fresh worker under the limits, blocking: what a Dask task runs on its worker."""
    from ..workbook import fill  # noqa: F401 - imported before forking, once per Dask worker process

    worker = Worker(force, limits, systems)
    worker.give(0, source, target, hint)
    worker.close_input()  # one file only: the worker ends after it
    while True:
        left = worker.deadline - time.monotonic()
        if left <= 0:
            return worker.kill_for_time()[1]
        ready, _, _ = select.select([worker.fd], [], [], left)
        if ready:
            finished, ended = worker.read()
            if finished:
                if not ended:
                    worker._reap(kill=False)
                _, outcome, written = finished[0]
                return outcome if written is None else finish_output(outcome, *written)
            if ended:
                return failed(source, INTERNAL, "处理进程未返回结果")
