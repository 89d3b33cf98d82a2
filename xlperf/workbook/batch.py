"""Filling many workbooks: a process pool, one bad file never stops the batch, one summary.

Each workbook is filled in a worker process with a memory cap, so a hostile
file can at worst fail itself. The summary is a UTF-8 CSV (with BOM, so Excel
and WPS open it with the Chinese intact) with one row per input file.
"""

from __future__ import annotations

import csv
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

# Per-worker address-space cap: generous for a unit workbook, fatal for a bomb.
WORKER_MEMORY = 2 * 2**30
SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Outcome:
    source: str
    output: str
    ok: bool
    unit: str = ""
    year: str = ""
    total: str = ""
    level1: tuple[tuple[str, str], ...] = ()
    findings: int = 0
    message: str = ""


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    except (ImportError, ValueError, OSError):  # not on this platform: run without the cap
        pass


def fill_one(source: str, out_path: str) -> Outcome:
    from ..errors import ProblemsError, XlperfError
    from .fill import fill

    out = Path(out_path)
    try:
        filled = fill(source, out)
    except ProblemsError as exc:
        first = exc.problems[0].located() if exc.problems else ""
        more = f"（另有 {len(exc.problems) - 1} 个问题）" if len(exc.problems) > 1 else ""
        return Outcome(source, "", False, message=f"{first}{more}")
    except XlperfError as exc:
        return Outcome(source, "", False, message=str(exc).splitlines()[0])
    except MemoryError:
        return Outcome(source, "", False, message="文件过大，超出内存上限，已跳过")
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop a batch
        return Outcome(source, "", False, message=f"内部错误（{type(exc).__name__}），请将该文件反馈给维护人员")
    r = filled.result
    return Outcome(source, str(filled.out_path), True, r.inputs.unit, str(r.inputs.year), str(r.total),
                   tuple((n.name, str(r.level1[n.id])) for n in r.system.level1), len(r.findings))


def collect(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and not f.name.startswith("~$"))
        else:
            files.append(p)
    return files


def output_paths(files: list[str], out: Path) -> list[str]:
    """One output per input, never shared: same-named files from different folders get " (2)", " (3)"…"""
    from .fill import default_output

    taken: set[str] = set()
    paths = []
    for f in files:
        target = default_output(Path(f)).name
        stem, suffix = Path(target).stem, Path(target).suffix
        n = 1
        while target.casefold() in taken:  # case-insensitive, as on Windows and macOS
            n += 1
            target = f"{stem} ({n}){suffix}"
        taken.add(target.casefold())
        paths.append(str(out / target))
    return paths


def run(paths: list[str], out_dir: str | os.PathLike, jobs: int | None = None) -> list[Outcome]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = [str(f) for f in collect(paths)]
    targets = output_paths(files, out)
    jobs = jobs or min(len(files), os.cpu_count() or 1) or 1
    outcomes = _fill_all(files, targets, jobs) if files else []
    write_summary(outcomes, out / "汇总.csv")
    return outcomes


def _fill_all(files: list[str], targets: list[str], jobs: int) -> list[Outcome]:
    """Always in worker processes (so always under the memory cap). A worker that dies outright
    (killed, or crashed in C code) breaks the whole pool: the files left unfinished then run one per
    process, so only the file that kills its process fails."""
    done: dict[int, Outcome] = {}
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_limit_memory) as pool:
            futures = [pool.submit(fill_one, f, t) for f, t in zip(files, targets)]
            for i, future in enumerate(futures):
                try:
                    done[i] = future.result()
                except BrokenProcessPool:
                    pass
    except BrokenProcessPool:
        pass
    for i, (f, t) in enumerate(zip(files, targets)):
        if i not in done:
            done[i] = _fill_alone(f, t)
    return [done[i] for i in range(len(files))]


def _fill_alone(source: str, target: str) -> Outcome:
    try:
        with ProcessPoolExecutor(max_workers=1, initializer=_limit_memory) as pool:
            return pool.submit(fill_one, source, target).result()
    except BrokenProcessPool:
        return Outcome(source, "", False, message="处理该文件的进程意外终止（文件可能过大或已损坏），已跳过")


def write_summary(outcomes: list[Outcome], path: Path) -> None:
    level1_names = next((tuple(n for n, _ in o.level1) for o in outcomes if o.ok), ())
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["文件", "状态", "单位", "年度", "总分", *level1_names, "校验结果条数", "输出文件", "说明"])
        for o in outcomes:
            scores = [v for _, v in o.level1] or [""] * len(level1_names)
            w.writerow([_safe(o.source), "成功" if o.ok else "失败", _safe(o.unit), o.year, o.total, *scores,
                        o.findings if o.ok else "", _safe(o.output), _safe(o.message)])
    os.replace(tmp, path)


def _safe(text: str) -> str:
    """CSV cells that a spreadsheet would run as formulas get a leading apostrophe (OWASP)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
