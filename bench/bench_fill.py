"""Benchmark: ``xlperf fill`` against openpyxl, measured in one run on this machine.

    python bench/bench_fill.py                 # example workbook, in process and whole process
    python bench/bench_fill.py --large         # also the example with 200 assets and 200 projects
    python bench/bench_fill.py --quick         # fewer rounds, for a smoke run

In process, the cases run interleaved (a fill naive a fill naive …) so that machine-speed drift
hits all of them alike; each ratio is the median of the per-round ratios case/a, over all repeats.
  a      openpyxl load_workbook() + save() of the same workbook: the base of every ratio
  fill   xlperf.workbook.fill.fill(example, out)                        goal ≤ 0.10 × a (issue 10; perf-baselines.md had 0.15)
  naive  bench/naive_fill.py's naive_fill(): openpyxl load, inputs through the defined names,
         xlperf.engine.evaluate.evaluate, outputs through the defined names, save    (reference)
Whole process: `python -m xlperf fill EX -o OUT` against `python bench/naive_fill.py EX OUT`, as A/B
pairs whose order alternates; the ratio is the median of the per-pair ratios.   goal ≤ 0.35

Results are printed and written to bench/results.md (see perf-baselines.md for the method).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import openpyxl  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from naive_fill import naive_fill  # noqa: E402
from xlperf.workbook.fill import fill  # noqa: E402

EXAMPLE = ROOT / "workbooks" / "example-2024.xlsx"
GOAL_IN_PROCESS = 0.10  # issue 10 tightened perf-baselines.md's 0.15
GOAL_WHOLE_PROCESS = 0.35


def build_large(path: Path) -> Path:
    """The example with its asset and project tables ×100 / ×200 rows (200 rows each)."""
    from xlperf.examples import reference_data
    from xlperf.engine.system import load
    from xlperf.workbook.template import build_template

    data = copy.deepcopy(reference_data())
    groups = data["assets"]["groups"]
    data["assets"]["groups"] = [dict(g, name=f"{g['name']} #{i + 1}") for i in range(100) for g in groups]
    data["assets"]["total_count"] = sum(int(g["count"]) for g in data["assets"]["groups"])
    data["assets"]["total_value"] = str(sum(Decimal(str(g["value"])) for g in data["assets"]["groups"]))
    project = data["projects"][0]
    data["projects"] = [dict(project, name=f"项目 {i + 1}") for i in range(200)]
    build_template(path, load("shenzhen-2024"), data=data)
    return path


def _timed(fn) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def in_process(src: Path, tmp: Path, rounds: int, repeats: int) -> dict:
    out_a, out_fill, out_naive = tmp / "a.xlsx", tmp / "fill.xlsx", tmp / "naive.xlsx"

    def case_a():
        load_workbook(src).save(out_a)

    cases = {"a": case_a, "fill": lambda: fill(src, out_fill), "naive": lambda: naive_fill(str(src), str(out_naive))}
    for fn in cases.values():  # warm-up: imports, caches, first-touch of the files
        fn()
    assert fill(src, out_fill).result.total == naive_fill(str(src), str(out_naive)).total
    times: dict[str, list[float]] = {k: [] for k in cases}
    per_repeat: dict[str, list[float]] = {"fill": [], "naive": []}
    for _ in range(repeats):
        ratios: dict[str, list[float]] = {"fill": [], "naive": []}
        for _ in range(rounds):
            t = {name: _timed(fn) for name, fn in cases.items()}
            for name, secs in t.items():
                times[name].append(secs)
            for name in ratios:
                ratios[name].append(t[name] / t["a"])
        for name in ratios:
            per_repeat[name].append(statistics.median(ratios[name]))
    all_ratios = {name: [times[name][i] / times["a"][i] for i in range(len(times["a"]))] for name in per_repeat}
    return {
        "ms": {name: statistics.median(ts) * 1000 for name, ts in times.items()},
        "ratio": {name: statistics.median(r) for name, r in all_ratios.items()},
        "per_repeat": per_repeat,
        "n": len(times["a"]),
    }


def whole_process(src: Path, tmp: Path, pairs: int) -> dict:
    # Cached bytecode, as after `pip install`: this sandbox sets PYTHONDONTWRITEBYTECODE, which would make
    # every run recompile xlperf's own modules (site-packages such as openpyxl ship compiled).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmd_fill = [sys.executable, "-m", "xlperf", "fill", str(src), "-o", str(tmp / "cli.xlsx")]
    cmd_naive = [sys.executable, str(HERE / "naive_fill.py"), str(src), str(tmp / "cli-naive.xlsx")]

    def run(cmd: list[str]) -> float:
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        secs = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
        return secs

    run(cmd_fill), run(cmd_naive)  # warm the page cache
    fills, naives, ratios = [], [], []
    for i in range(pairs):
        if i % 2 == 0:
            a, b = run(cmd_fill), run(cmd_naive)
        else:
            b, a = run(cmd_naive), run(cmd_fill)
        fills.append(a)
        naives.append(b)
        ratios.append(a / b)
    return {"fill_ms": statistics.median(fills) * 1000, "naive_ms": statistics.median(naives) * 1000,
            "ratio": statistics.median(ratios), "min": min(ratios), "max": max(ratios), "n": pairs}


def _fmt_ratio(r: float, goal: float | None = None) -> str:
    text = f"{r:.3f}"
    if goal is not None:
        text += " ✔" if r <= goal else f" ✘ (goal ≤ {goal})"
    return text


def report(results: dict, args: argparse.Namespace) -> str:
    lines = [
        "# xlperf fill benchmark",
        "",
        f"Measured {dt.datetime.now().isoformat(timespec='minutes')} by `python bench/bench_fill.py"
        f"{' --large' if args.large else ''}{' --quick' if args.quick else ''}`: "
        f"CPython {platform.python_version()}, openpyxl {openpyxl.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {platform.system()}.",
        "Ratios are medians of per-round (in process) or per-pair (whole process) ratios, measured in the same run;",
        "absolute times depend on the machine and its load, the ratios much less.",
        "",
        "## In process (median ms per workbook; ratio = median of per-round case / a)",
        "",
        "| workbook | rounds | a: openpyxl load+save | fill | fill / a | naive openpyxl fill | naive / a | fill/a per repeat |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, r in results["in_process"].items():
        per = ", ".join(f"{x:.3f}" for x in r["per_repeat"]["fill"])
        lines.append(
            f"| {label} | {r['n']} | {r['ms']['a']:.1f} | {r['ms']['fill']:.1f} | "
            f"**{_fmt_ratio(r['ratio']['fill'], GOAL_IN_PROCESS)}** | {r['ms']['naive']:.1f} | "
            f"{r['ratio']['naive']:.2f} | {per} |"
        )
    lines += [
        "",
        "## Whole process (interpreter start + imports + one workbook; A/B pairs, alternating order)",
        "",
        "Both commands run with cached bytecode, as after `pip install` (PYTHONDONTWRITEBYTECODE is dropped for them).",
        "",
        "| workbook | pairs | `python -m xlperf fill` | `python bench/naive_fill.py` | ratio (median) | min–max |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, r in results["whole_process"].items():
        lines.append(
            f"| {label} | {r['n']} | {r['fill_ms']:.0f} ms | {r['naive_ms']:.0f} ms | "
            f"**{_fmt_ratio(r['ratio'], GOAL_WHOLE_PROCESS)}** | {r['min']:.3f}–{r['max']:.3f} |"
        )
    lines += ["", "Goals: fill ≤ 0.10 × openpyxl load+save in process (issue 10); "
              "whole-process CLI ≤ 0.35 × a naive openpyxl script.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbook", type=Path, default=EXAMPLE, help="the workbook to fill (default: the example)")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per repeat (default 15)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the in-process rounds (default 3)")
    parser.add_argument("--pairs", type=int, default=12, help="whole-process A/B pairs (default 12)")
    parser.add_argument("--large", action="store_true", help="also the example with 200-row asset/project tables")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5 rounds × 1 repeat, 4 pairs")
    parser.add_argument("--output", type=Path, default=HERE / "results.md", help="where to write the table")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.repeats, args.pairs = 5, 1, 4

    results: dict = {"in_process": {}, "whole_process": {}}
    with tempfile.TemporaryDirectory(prefix="xlperf-bench-") as tmp_name:
        tmp = Path(tmp_name)
        workbooks = {args.workbook.name: args.workbook}
        if args.large:
            workbooks["large (200 assets + 200 projects)"] = build_large(tmp / "large.xlsx")
        for label, path in workbooks.items():
            print(f"in process: {label} …", file=sys.stderr)
            results["in_process"][label] = in_process(path, tmp, args.rounds, args.repeats)
        for label, path in workbooks.items():
            print(f"whole process: {label} …", file=sys.stderr)
            results["whole_process"][label] = whole_process(path, tmp, args.pairs)
    text = report(results, args)
    print(text)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
