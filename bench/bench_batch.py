"""Benchmark: `xlperf batch` against plain openpyxl load + save of the same files, same process count.

    python bench/bench_batch.py                  # N = 100 (3 rounds) and N = 1000 (1 round), 2 processes
    python bench/bench_batch.py --quick          # N = 20 and 100, one round each: a smoke run
    python bench/bench_batch.py --sizes 100 1000 --rounds 3 --jobs 2

The inputs: N distinct unit workbooks built by xlperf's template builder, each with its own name and
figures (project, asset-group and key-task lists from 1 to 60 rows, budgets and spending varied so
scores differ; a real batch has no two units alike, and copies would flatter per-process memos);
every 50th file is broken on purpose (alternately junk text and a zip cut in half). Then --example N (default 1,000) copies of the bundled example itself,
the workbook the issue's rate goal (100 workbooks/s) is stated for. With --resaved N (and LibreOffice on PATH), also N of
the distinct units opened and saved again by LibreOffice, as a unit's workbook comes back from a spreadsheet program:
its own XML, shared strings, rich text (a run per font). Both sides are whole processes started by this script, with the same
number of worker processes, in the same run, interleaved round by round (the machine is shared:
only the ratios of one run mean much):
  xlperf    python -m xlperf batch DIR -o OUT -j J --force --json    (forced: no incremental skip)
  openpyxl  a ProcessPoolExecutor(J) running load_workbook(f).save(out) per file   (the base)
Peak memory per worker: the largest ru_maxrss any worker reported (xlperf: per file, from --json).
Also, in process: one fill() of the example against one openpyxl load + save of it (median ratio);
and the batch machinery's own cost: `xlperf batch -j 1` against a plain loop of fill() over the
smallest N.
Results are printed and written to bench/results-batch.md.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLE = ROOT / "workbooks" / "example-2024.xlsx"
BROKEN_EVERY = 50
GOAL_RATE, GOAL_RATIO, GOAL_ONE = 100.0, 0.08, 0.10


def unit_data(k: int) -> dict:
    """Unit k's inputs: its own name, figures and project and task names, so no two units' sheets are
    alike (as in a real batch, where every unit types its own: copies of a few files would flatter any
    per-process memo)."""
    from xlperf.examples import reference_data

    data = copy.deepcopy(reference_data())
    rows = (1, 3, 8, 20, 40, 60)[k % 6]
    # Budgets and spending vary unit by unit; (k % 89, k % 11, k % 7, k % 6) repeats only after 41,118 units.
    scale = Decimal(1) + Decimal(k % 89) / 40
    spent_share = Decimal("0.995") - Decimal(k % 11) / 200 - Decimal(k % 7) / 1000
    b = data["budget"]
    for part in ("initial", "adjusted"):
        b[part] = {key: _money(Decimal(v) * scale) for key, v in b[part].items()}
    b["spent"] = {key: _money(Decimal(b["adjusted"][key]) * spent_share) for key in b["spent"]}
    spent_total = Decimal(b["spent"]["total"])
    data["quarterly"]["cumulative"] = [_money(spent_total * q / 4) for q in (1, 2, 3, 4)]
    project = data["projects"][0]
    per = (Decimal(b["adjusted"]["project"]) / rows).quantize(Decimal("0.01"))
    data["projects"] = [dict(project, name=f"项目 {k + 1}-{i + 1}", budget=str(per),
                             spent=_money(per * spent_share),
                             status="按期完成" if i % 7 else "逾期完成") for i in range(rows)]
    groups = data["assets"]["groups"]
    data["assets"]["groups"] = [dict(g, name=f"{g['name']} #{i + 1}") for i in range(max(1, rows // 2)) for g in groups]
    data["assets"]["total_count"] = sum(int(g["count"]) for g in data["assets"]["groups"])
    data["assets"]["total_value"] = str(sum(Decimal(str(g["value"])) for g in data["assets"]["groups"]))
    task = data["key_tasks"][0]
    data["key_tasks"] = [dict(task, name=f"重点工作 {k + 1}-{i + 1}", finished="是" if i % 5 else "否")
                         for i in range(rows)]
    data["unit"] = f"基准单位 {k + 1}"
    _vary_other_sheets(data, k, scale)
    return data


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _vary_other_sheets(data: dict, k: int, scale: Decimal) -> None:
    """Every other input sheet of unit k its own too (三公, assets, staff, petitions, surveys, adjustments,
    targets, the evaluator's sheet): units share the template's parts, never a sheet of figures."""
    use = Decimal("0.45") + Decimal(k % 13) / 25
    data["sangong"] = {"budget": _money(Decimal("5.31") * scale), "actual": _money(Decimal("5.31") * scale * use)}
    daily = Decimal("67.32") * scale
    data["daily_public"] = {"adjusted_budget": _money(daily), "actual": _money(daily * (Decimal("0.82") + Decimal(k % 17) / 100))}
    p = data["procurement"]
    plan = Decimal(p["plan"]) * scale
    contracted = plan * (Decimal("0.80") + Decimal(k % 19) / 100)
    data["procurement"] = {"plan": _money(plan), "contracted": _money(contracted), "paid": _money(contracted)}
    authorized = 18 + k % 15
    data["staff"] = dict(data["staff"], authorized=authorized, on_payroll=authorized - k % 4, dispatched=k % 6)
    data["petitions"] = dict(data["petitions"], reply_rate=str(Decimal(1) - Decimal(k % 3) / 100),
                             on_time_rate=str(Decimal(1) - Decimal(k % 5) / 100))
    for i, g in enumerate(data["assets"]["groups"]):
        g["count"] = int(g["count"]) + (k + i) % 9
        g["value"] = _money(Decimal(str(g["value"])) * scale)
    data["assets"]["total_count"] = sum(int(g["count"]) for g in data["assets"]["groups"]) + k % 4
    data["assets"]["total_value"] = _money(sum(Decimal(g["value"]) for g in data["assets"]["groups"]) + Decimal(k % 7))
    data["surveys"] = [{"name": f"单位 {k + 1} 活动满意度调查 {j + 1}", "rate": str(Decimal("0.93") + Decimal((k + j) % 69) / 1000)}
                       for j in range(1 + k % 3)]
    data["adjustments"] = [{"description": f"单位 {k + 1} 年中调整 {j + 1}", "amount": _money(-Decimal((k + 3 * j) % 41 + 1) * Decimal("0.57"))}
                           for j in range(1 + k % 2)]
    data["targets"] = [{"level1": "产出指标", "level2": "数量指标", "name": f"举办交流活动 {k + 1}-{j + 1}",
                        "target": f"≥{10 + j} 场", "actual": f"{8 + (k + j) % 6} 场"} for j in range(k % 4)]
    ev = data["evaluator"]
    ev["budget_compliance"] = {"count": k % 3}
    ev["target_completeness"] = {"count": (k // 3) % 2}
    ev["budget_reasonableness"] = {"ticks": ["否" if j == k % 7 else "是" for j in range(5)]}
    ev["spending_compliance"] = {"points": "1" if k % 4 else "0.5"}
    ev["effectiveness"] = {"points": str(20 + k % 6), "reason": f"评价组按单位 {k + 1} 的目标完成情况评分"}


def _build_unit(job: tuple[int, str]) -> None:
    from xlperf.engine.system import load
    from xlperf.workbook.template import build_template

    k, path = job
    build_template(Path(path), load("shenzhen-2024"), data=unit_data(k))


def build_units(folder: Path, n: int, jobs: int) -> list[Path]:
    """n distinct unit workbooks, built by xlperf's template builder (openpyxl) in a pool of jobs processes."""
    from concurrent.futures import ProcessPoolExecutor

    folder.mkdir(parents=True)
    paths = [folder / f"unit-{k + 1:04d}.xlsx" for k in range(n)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_build_unit, [(k, str(p)) for k, p in enumerate(paths)], chunksize=16))
    return paths


def resave_with_libreoffice(units: list[Path], folder: Path, jobs: int, chunk: int = 40) -> list[Path]:
    """The units opened and saved again by LibreOffice (headless), into folder/out: jobs processes at a time,
    each with its own profile and a few dozen files (one soffice given hundreds stops partway), and the
    files still missing tried once more."""
    soffice = shutil.which("soffice")
    out = folder / "out"
    out.mkdir(parents=True)

    def convert(todo: list[Path]) -> None:
        chunks = [todo[i:i + chunk] for i in range(0, len(todo), chunk)]
        running: list[subprocess.Popen] = []
        for k, part in enumerate(chunks):
            if len(running) >= jobs:
                running.pop(0).wait()
            running.append(subprocess.Popen(
                [soffice, f"-env:UserInstallation=file://{folder}/profile-{k % jobs}", "--headless", "--convert-to",
                 "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *map(str, part)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for proc in running:
            proc.wait()

    convert(units)
    convert([u for u in units if not (out / u.name).is_file()])
    return [out / u.name for u in units if (out / u.name).is_file()]


def make_inputs(folder: Path, sources: list[Path], n: int, broken_every: int = BROKEN_EVERY) -> tuple[Path, int]:
    """n files from the sources in turn (the distinct units, or one workbook copied); every broken_every-th
    broken on purpose."""
    folder.mkdir(parents=True)
    broken = 0
    for i in range(n):
        path = folder / f"unit-{i + 1:04d}.xlsx"
        if broken_every and (i + 1) % broken_every == 0:
            broken += 1
            data = sources[i % len(sources)].read_bytes()
            path.write_bytes(data[: len(data) // 2] if broken % 2 else "这不是工作簿\n".encode())
        else:
            shutil.copyfile(sources[i % len(sources)], path)
    return folder, broken


def _cpu() -> float:
    """CPU seconds of every finished child process and, recursively, of the children they waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Cached bytecode on both sides, as after `pip install` (openpyxl's is compiled at install): this sandbox
# sets PYTHONDONTWRITEBYTECODE, which would make every xlperf run recompile its own modules.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> tuple[subprocess.CompletedProcess, float, float]:
    cpu, start = _cpu(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT, env=_ENV)
    return proc, time.perf_counter() - start, _cpu() - cpu


def run_xlperf(inputs: Path, out: Path, jobs: int) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    proc, seconds, cpu = timed([sys.executable, "-m", "xlperf", "batch", str(inputs), "-o", str(out), "-j", str(jobs),
                                "--force", "--json"])
    data = json.loads(proc.stdout)
    files = data["files"]
    return {"seconds": seconds, "cpu": cpu, "ok": sum(f["status"] == "ok" for f in files),
            "failed": sum(f["status"] == "failed" for f in files),
            "peak_mb": max(f["peak_kb"] for f in files) / 1024}


def run_openpyxl(inputs: Path, out: Path, jobs: int) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    proc, seconds, cpu = timed([sys.executable, __file__, "--openpyxl-pool", str(inputs), str(out), str(jobs)])
    return {"seconds": seconds, "cpu": cpu, **json.loads(proc.stdout)}


def _load_save(paths: tuple[str, str]) -> tuple[bool, int]:
    import resource

    from openpyxl import load_workbook

    try:
        load_workbook(paths[0]).save(paths[1])
        ok = True
    except Exception:  # noqa: BLE001 - the broken files: openpyxl refuses them too
        ok = False
    return ok, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def openpyxl_pool(inputs: str, out: str, jobs: int) -> None:
    from concurrent.futures import ProcessPoolExecutor

    files = sorted(Path(inputs).iterdir())
    work = [(str(f), str(Path(out) / f.name)) for f in files]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(_load_save, work, chunksize=max(1, len(work) // (jobs * 8))))
    print(json.dumps({"ok": sum(ok for ok, _ in results), "failed": sum(not ok for ok, _ in results),
                      "peak_mb": max(kb for _, kb in results) / 1024}))


def overhead(inputs: Path, tmp: Path, rounds: int) -> dict:
    """What the batch machinery costs: `xlperf batch -j 1` (a whole process: start-up, imports, plan, a
    forked worker, pipes, summaries) against fill() called on the same files in a loop in this process."""
    from xlperf.workbook.fill import fill

    files = sorted(inputs.iterdir())
    ratios = []
    for _ in range(rounds):
        out = tmp / "out-loop"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        start = time.perf_counter()
        for f in files:
            try:
                fill(f, out / f.name)
            except Exception:  # noqa: BLE001 - the broken ones
                pass
        loop = time.perf_counter() - start
        batch = run_xlperf(inputs, tmp / "out-j1", 1)["seconds"]
        ratios.append(batch / loop)
    return {"n": len(files), "ratio": statistics.median(ratios)}


def one_file(tmp: Path, rounds: int) -> dict:
    """In process: fill() of the example vs openpyxl load + save of it, interleaved; median ratio."""
    from openpyxl import load_workbook

    from xlperf.workbook.fill import fill

    ratios, fills, bases = [], [], []
    for _ in range(rounds):
        t = time.perf_counter()
        load_workbook(EXAMPLE).save(tmp / "a.xlsx")
        a = time.perf_counter() - t
        t = time.perf_counter()
        fill(EXAMPLE, tmp / "f.xlsx")
        f = time.perf_counter() - t
        ratios.append(f / a)
        fills.append(f)
        bases.append(a)
    return {"ratio": statistics.median(ratios), "fill_ms": statistics.median(fills) * 1000,
            "base_ms": statistics.median(bases) * 1000}


def byte_compile_xlperf() -> bool:
    """xlperf's modules byte-compiled first, as an installed package's are (pip compiles openpyxl's at install):
    under PYTHONDONTWRITEBYTECODE, or from a fresh checkout, every start would otherwise compile them again
    (≈ 70 ms a process here), a cost no installed xlperf pays."""
    import compileall

    import xlperf

    return compileall.compile_dir(str(Path(xlperf.__file__).parent), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rounds", type=int, nargs="+", help="rounds per size (default 3 for N ≤ 100, else 1)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--example", type=int, default=1000, metavar="N",
                        help="also N copies of the example itself, the workbook the rate goal names (0: skip)")
    parser.add_argument("--resaved", type=int, default=0, metavar="N",
                        help="also N distinct units saved again by LibreOffice (needs soffice; ≈ 0.25 s a file to make)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--openpyxl-pool", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.openpyxl_pool:
        openpyxl_pool(args.openpyxl_pool[0], args.openpyxl_pool[1], int(args.openpyxl_pool[2]))
        return 0
    byte_compile_xlperf()
    sizes = [20, 100] if args.quick else args.sizes
    rounds = args.rounds or [1 if args.quick or n > 100 else 3 for n in sizes]
    with tempfile.TemporaryDirectory(prefix="xlperf-bench-batch-") as tmp_name:
        tmp = Path(tmp_name)
        units = build_units(tmp / "units", max(sizes), args.jobs)
        results = []
        cases = [(f"{n}", n, r, units, BROKEN_EVERY) for n, r in zip(sizes, rounds)]
        example_n = min(args.example, 100) if args.quick else args.example
        if example_n:
            cases.append((f"{example_n} × example", example_n, 1, [EXAMPLE], 0))
        if args.resaved and shutil.which("soffice"):
            resaved = resave_with_libreoffice(build_units(tmp / "more-units", args.resaved, args.jobs)
                                              if args.resaved > len(units) else units[:args.resaved],
                                              tmp / "resaved", args.jobs)
            cases.append((f"{len(resaved)} resaved by LibreOffice", len(resaved), 1, resaved, BROKEN_EVERY))
        elif args.resaved:
            print("--resaved: no soffice on PATH, skipped", file=sys.stderr)
        for label, n, r, sources, broken_every in cases:
            inputs, broken = make_inputs(tmp / f"in-{label.replace(' × ', '-').replace(' ', '-')}", sources, n, broken_every)
            rows = []
            for k in range(r):
                pair = [("xlperf", run_xlperf), ("openpyxl", run_openpyxl)]
                if k % 2:
                    pair.reverse()
                row = {name: fn(inputs, tmp / f"out-{name}", args.jobs) for name, fn in pair}
                rows.append(row)
                print(f"N={label} round {k + 1}: xlperf {row['xlperf']['seconds']:.2f} s ({row['xlperf']['cpu']:.2f} CPU), "
                      f"openpyxl {row['openpyxl']['seconds']:.2f} s ({row['openpyxl']['cpu']:.2f} CPU)", file=sys.stderr)
            results.append((label, n, broken, rows))
        small = tmp / f"in-{min(sizes)}"
        cost = overhead(small, tmp, 1 if args.quick else 3)
        one = one_file(tmp, 3 if args.quick else 15)
    text = report(results, one, cost, args.jobs)
    print(text)
    if not args.quick:
        (HERE / "results-batch.md").write_text(text, encoding="utf-8")
    return 0


def report(results, one: dict, cost: dict, jobs: int) -> str:
    lines = [f"# bench_batch.py — {dt.datetime.now().isoformat(timespec='minutes')}",
             "",
             f"Python {platform.python_version()}, {os.cpu_count()} cores, {jobs} worker processes on both sides; "
             "machine shared with other work, so compare ratios within this run.",
             "",
             "Wall: elapsed time (what the shared machine gave). CPU: user + system seconds of all processes",
             "of each side; workbooks/s on idle cores = N × cores ÷ CPU seconds.",
             "Both sides start from byte-compiled modules (openpyxl's compiled by pip, xlperf's by this script).",
             "",
             "| N (broken) | xlperf wall / CPU | openpyxl wall / CPU | ratio wall | ratio CPU | workbooks/s wall | "
             "workbooks/s on idle cores | peak MB per worker xlperf / openpyxl |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, n, broken, rows in results:
        def med(side: str, key: str) -> float:
            return statistics.median(r[side][key] for r in rows)

        wall = statistics.median(r["xlperf"]["seconds"] / r["openpyxl"]["seconds"] for r in rows)
        cpu = statistics.median(r["xlperf"]["cpu"] / r["openpyxl"]["cpu"] for r in rows)
        x_peak = max(r["xlperf"]["peak_mb"] for r in rows)
        o_peak = max(r["openpyxl"]["peak_mb"] for r in rows)
        cores = min(jobs, os.cpu_count() or 1)
        lines.append(f"| {label} ({broken}) ×{len(rows)} | {med('xlperf', 'seconds'):.2f} / {med('xlperf', 'cpu'):.2f} s "
                     f"| {med('openpyxl', 'seconds'):.2f} / {med('openpyxl', 'cpu'):.2f} s | {wall:.3f} | **{cpu:.3f}** "
                     f"| {n / med('xlperf', 'seconds'):.1f} | **{n * cores / med('xlperf', 'cpu'):.1f}** "
                     f"| {x_peak:.0f} / {o_peak:.0f} |")
    lines += ["", f"Goals: ≥ {GOAL_RATE:g} workbooks/s on the example, ratio ≤ {GOAL_RATIO}, peak memory per worker "
              "flat in N.", "The varied units (lists of 1 to 60 rows, every 50th broken) are the harder case; the "
              "example rows are", "copies of the bundled example, the files of the issue's first measurement."]
    lines += ["",
              f"One file in process (example-2024.xlsx): fill {one['fill_ms']:.1f} ms, openpyxl load+save "
              f"{one['base_ms']:.1f} ms, median ratio **{one['ratio']:.3f}** (goal ≤ {GOAL_ONE}).", "",
              f"Batch machinery: `xlperf batch -j 1` over the {cost['n']} files, whole process, takes "
              f"**{cost['ratio']:.3f}×** the time of fill() on them in a loop in one process.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
