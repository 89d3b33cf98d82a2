"""Running a batch: plan, then each file under its limits (locally or on Dask), then the summaries.

Exit codes (the CLI returns them): 0 every file succeeded or was unchanged; 1 some files failed, or a
summary could not be written; 2 nothing could run (bad output folder, no inputs, another batch in the
folder, no scheduler).

Locally ``jobs`` workers (worker.py) are forked by a fork server (forkserver.py) started before anything
per file is loaded; the parent hands each worker one file at a time and waits on their pipes with
select, killing and replacing a worker whose file runs past its deadline; the outputs the workers
report are put in place on the parent's finishing threads (finish.py).
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..errors import os_reason
from ..pathtext import shown_path
from ..workbook.atomic import fsync_dir
from . import forkserver, manifest
from .finish import Finisher
from .forkserver import ForkServer
from .limits import Limits
from .outcome import FAILED, INTERNAL, NOT_A_FILE, SKIPPED, Outcome, failed, shared_texts
from .plan import FolderLock, SetupError, clear_output_folders, make_folders, make_plan, remove_empty
from .progress import Progress
from .worker import Task, Worker, preload

EXIT_OK, EXIT_SOME_FAILED, EXIT_NOT_RUN = 0, 1, 2
DEFAULT_SUMMARY = "汇总.xlsx"


@dataclass
class Report:
    outcomes: list[Outcome]
    summary: Path
    csv: Path
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    unwritten: list[str] = field(default_factory=list)  # why a summary could not be written
    other_batches: list[Path] = field(default_factory=list)  # input subfolders skipped: another batch's output
    earlier_outputs: list[Path] = field(default_factory=list)  # input files skipped: an earlier batch's outputs

    @property
    def exit_code(self) -> int:
        if not self.outcomes:
            return EXIT_NOT_RUN
        failed = self.unwritten or any(o.status == FAILED for o in self.outcomes)
        return EXIT_SOME_FAILED if failed else EXIT_OK


def summary_paths(out: Path, summary: str | os.PathLike | None) -> tuple[Path, Path]:
    """The workbook summary and the CSV beside it.

    A bare file name ("2024年汇总.xlsx") goes into the output folder; a path with a folder in it
    is taken as the shell gives it, relative to the working folder like every other path.
    """
    path = Path(summary or DEFAULT_SUMMARY)
    if len(path.parts) == 1:
        path = out / path
    if path.is_dir():
        raise SetupError(f"汇总文件 {shown_path(path)} 是一个已有的目录；--summary 须给出一个 .xlsx 文件名")
    if path.suffix.lower() != ".xlsx":
        raise SetupError(f"汇总文件须以 .xlsx 结尾（{shown_path(path.name)}）；同名的 .csv 会写在它旁边")
    # A file where the summary's folder must go (--summary 单位甲.xlsx/汇总.xlsx): said now, before anything
    # is made, not as the FileExistsError of making that folder at the end of the plan.
    folder = next((f for f in path.parents if os.path.lexists(f)), None)
    if folder is not None and not folder.is_dir():
        raise SetupError(f"汇总文件 {shown_path(path)} 的上级 {shown_path(folder)} 是一个已有的文件，不是目录；"
                         "请用 --summary 换一个位置")
    from . import summary_csv, summary_xlsx

    csv_path = path.with_suffix(".csv")
    # Anything else at those names (a bureau's own 汇总.xlsx) is not to be written over.
    for written, is_summary in ((path, summary_xlsx.is_summary), (csv_path, summary_csv.is_summary)):
        if os.path.lexists(written) and not is_summary(written):
            raise SetupError(f"{shown_path(written)} 已存在，且不是 xlperf 写出的汇总，未覆盖；"
                             "请用 --summary 换一个汇总文件名，或先移走它")
    return path, csv_path


def run(inputs: list[str], out_dir: str | os.PathLike, *, jobs: int | None = None, force: bool = False,
        limits: Limits = Limits(), summary: str | os.PathLike | None = None, scheduler: str | None = None,
        systems: tuple[str, ...] = (), bar: bool | None = None, stream=None) -> Report:
    """systems: the operator's indicator-system folders (--systems), as absolute paths for every worker."""
    from .. import __version__

    started = time.monotonic()
    systems = tuple(os.path.abspath(s) for s in systems)
    out = Path(out_dir)
    xlsx_path, csv_path = summary_paths(out, summary)
    plan = make_plan(inputs, out, reserved=(xlsx_path, csv_path))
    if not plan.sources:
        raise SetupError("没有找到要处理的工作簿（.xlsx / .xlsm）" + (
            f"；已跳过其他批量运行的输出文件夹 {'、'.join(shown_path(b) for b in plan.other_batches)}"
            if plan.other_batches else "") + "".join(f"；{line}" for line in earlier_said(plan.earlier_outputs)))
    try:
        xlsx_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SetupError(f"无法建立汇总文件的目录 {shown_path(xlsx_path.parent)}（{os_reason(exc)}）；"
                         "请用 --summary 换一个位置") from None
    with _terminate_as_interrupt(), FolderLock(plan.out_dir), _fork_server(not scheduler) as server:
        made = make_folders(plan)
        clear_output_folders(plan, reserved=(xlsx_path, csv_path, plan.out_dir / manifest.NAME))
        previous = manifest.load(plan.out_dir)  # read once: the folder lock keeps it as it is until saved
        remembered = {} if force else previous
        outcomes: list[Outcome | None] = [None] * len(plan.sources)
        progress = Progress(len(plan.sources), stream, bar)

        def done(i: int, outcome: Outcome) -> None:
            outcomes[i] = shared_texts(outcome)
            progress.update(outcome)

        irregular = set(plan.not_files)
        todo = []
        for i, (s, t) in enumerate(zip(plan.sources, plan.targets)):
            if s in irregular:  # a FIFO or a device: opening it could block or never end
                done(i, failed(s, NOT_A_FILE, "不是普通文件（可能是管道、设备或失效的链接），未读取"))
            else:
                todo.append((i, s, t, manifest.hint_for(remembered, plan.out_dir, t)))
        try:
            if scheduler:
                from .dask_backend import run_dask

                run_dask(scheduler, todo, force, limits, done, systems)
            else:
                run_local(todo, jobs or cores_available(), force, limits, done, systems, server)
        finally:
            progress.close()
            remove_empty(made)
        # Never a file without its row, whatever went wrong above.
        final = [o or failed(plan.sources[i], INTERNAL, "未得到处理结果（批处理内部错误），请重新运行")
                 for i, o in enumerate(outcomes)]
        unwritten = _write_summaries(final, xlsx_path, csv_path, __version__)
        manifest.save(plan.out_dir, previous, final, __version__)
        for folder in dict.fromkeys([*plan.folders, xlsx_path.parent]):
            fsync_dir(folder)  # the workers' renames, the summaries' and the record's, made durable at once
    counts = {k: sum(o.status == k for o in final) for k in ("ok", SKIPPED, FAILED)}
    return Report(final, xlsx_path, csv_path, time.monotonic() - started, counts, unwritten, plan.other_batches,
                  plan.earlier_outputs)


def earlier_said(files: list[Path]) -> list[str]:
    """What was skipped as an earlier batch's outputs and summaries, one sentence per folder (a folder once
    used as its own OUTDIR may hold thousands: they are counted, the first named)."""
    by_folder: dict[Path, list[Path]] = {}
    for f in files:
        by_folder.setdefault(f.parent, []).append(f)
    return [f"已跳过 {shown_path(folder)} 中早先批量运行写出的 {len(found)} 个文件（{shown_path(found[0].name)}"
            f"{' 等' if len(found) > 1 else ''}）：它们是输出或汇总，不是待评分的工作簿；确要重新评分请逐个指明文件"
            for folder, found in by_folder.items()]


def _write_summaries(final: list[Outcome], xlsx_path: Path, csv_path: Path, version: str) -> list[str]:
    """Both summaries, each on its own: a full disk or a vanished folder loses that one, with its reason
    (the outputs are in place by now), never the other one or the batch's record."""
    from ..workbook.problems import write_error
    from .summary_csv import write_csv
    from .summary_xlsx import write_summary

    unwritten = []
    for path, write in ((xlsx_path, partial(write_summary, version=version)), (csv_path, write_csv)):
        try:
            write(final, path)
        except OSError as exc:
            unwritten.append(str(write_error(exc, path)).splitlines()[0])
    return unwritten


def cores_available() -> int:
    """The cores this process may use (a container's CPU set), not the machine's."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@contextmanager
def _fork_server(wanted: bool):
    """The batch's fork server (None without fork, or on Dask): started after the imports a fill needs,
    before the manifest's records and the outcomes fill the batch's memory; closed when the batch ends."""
    server = None
    if wanted and _can_fork():
        preload()
        server = forkserver.start()
    try:
        yield server
    finally:
        if server is not None:
            server.close()


def run_local(todo: list[Task], jobs: int, force: bool, limits: Limits, done,
              systems: tuple[str, ...] = (), server: ForkServer | None = None) -> None:
    if not _can_fork():
        return _run_pool(todo, jobs, force, done, systems)
    if server is None:  # else _fork_server imported it all before forking the server
        preload()
    queue = deque(todo)
    workers: dict[int, Worker] = {}
    finisher = Finisher(jobs)
    try:
        while queue or finisher or any(w.tasks for w in workers.values()):
            while len(workers) < min(jobs, len(queue) + sum(bool(w.tasks) for w in workers.values())):
                w = Worker(force, limits, systems, server)
                workers[w.fd] = w
            for w in workers.values():  # a file in hand for each worker first
                if queue and w.can_take(ahead=False):
                    w.give(*queue.popleft())
            for w in workers.values():  # then one ahead each, while no worker would go without
                if len(queue) >= len(workers) and w.can_take():
                    w.give(*queue.popleft())
            busy = [w for w in workers.values() if w.tasks]
            wait = max(0.0, min(w.deadline for w in busy) - time.monotonic()) if busy else None
            ready, _, _ = select.select([*workers, finisher], [], [], wait)
            for fd in ready:
                if fd is finisher:
                    for index, outcome in finisher.collect():
                        done(index, outcome)
                    continue
                w = workers[fd]
                finished, ended = w.read()
                if ended:
                    del workers[fd]
                    queue.extendleft(reversed(w.take_back()))
                for index, outcome, written in finished:
                    if written is None:
                        done(index, outcome)
                    else:
                        finisher.submit(index, outcome, *written)
            now = time.monotonic()
            for fd, w in list(workers.items()):
                if w.tasks and now >= w.deadline:
                    del workers[fd]
                    done(*w.kill_for_time())
                    queue.extendleft(reversed(w.take_back()))
    finally:
        for w in workers.values():  # done or interrupted: no worker outlives the batch, no temp file stays
            w.stop()
        finisher.close()


def _can_fork() -> bool:
    return hasattr(os, "fork")


@contextmanager
def _terminate_as_interrupt():
    """SIGTERM (a service manager stopping the batch) is handled like Ctrl-C from the lock to the last summary:
    children killed, temps removed (the summary's staged parts too), the lock released."""
    def on_term(signum, frame):
        raise KeyboardInterrupt

    previous = None
    if sys.platform != "win32":
        try:
            previous = signal.signal(signal.SIGTERM, on_term)
        except ValueError:  # not the main thread: leave signals alone
            pass
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run_pool(todo, jobs: int, force: bool, done, systems: tuple[str, ...]) -> None:
    """Without fork (Windows): a plain pool of spawned processes; the time and memory limits cannot be enforced."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from .task import process

    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(process, s, t, force, systems, h): (i, s) for i, s, t, h in todo}
        for future in as_completed(futures):
            i, s = futures[future]
            try:
                done(i, future.result())
            except Exception as exc:  # noqa: BLE001 - a broken worker fails its file only
                done(i, failed(s, INTERNAL, f"内部错误（{type(exc).__name__}），请将该文件反馈给维护人员"))
