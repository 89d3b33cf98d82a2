"""Workbook commands of the CLI: template, fill, verify, batch.

Imports stay inside each command: ``xlperf fill`` must not pay for openpyxl or pandas.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .pathtext import shown_path

EXIT_INPUT = 1
# Defaults shown in --help; the values live with the limits (kept in sync by a test).
DEFAULT_TIMEOUT, DEFAULT_MEMORY_MB = 60.0, 2048


def registry_of(args: argparse.Namespace):
    """The indicator systems this run trusts: bundled, then each --systems DIR, then XLPERF_SYSTEMS."""
    from .engine.registry import Registry

    return Registry(args.systems or ())


def add_systems_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--systems", action="append", metavar="DIR",
                        help="另外信任的指标体系目录（其中的 <编号>.toml；可重复；也可用环境变量 XLPERF_SYSTEMS）")


def _template(args: argparse.Namespace) -> int:
    from .workbook.template import build_template

    from pathlib import Path

    from .errors import XlperfError
    from .workbook.atomic import renamed_into, target_problem, temp_name
    from .workbook.package import workbook_error

    out = Path(args.output)
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise XlperfError(f"模板文件须以 .xlsx 结尾（带宏按钮的用 .xlsm）：{shown_path(out)}")
    refused = target_problem(out)  # openpyxl would block on a FIFO, or write into a device
    if refused:
        raise workbook_error(refused, path=args.output)
    if os.path.lexists(out) and not args.force:  # a unit's filled workbook, given as -o by a slip
        raise XlperfError(f"{shown_path(out)} 已存在，未覆盖（它可能是已填写的工作簿）；要替换它请加 --force")
    system = registry_of(args).by_id(args.system)
    vba = None
    if out.suffix.lower() == ".xlsm":
        from .workbook.bundled import macro_project

        vba = macro_project()
    tmp = temp_name(out)  # built beside it and renamed: an interrupted run leaves no half a template
    try:
        build_template(tmp, system, year=args.year, vba_project=vba)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
        renamed_into(out.parent)
    finally:
        tmp.unlink(missing_ok=True)
    print(f"已生成模板：{shown_path(out)}（指标体系：{system.name}）")
    return 0


def _fill(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .errors import Problem, WorkbookError
    from .workbook.atomic import target_problem
    from .workbook.fill import default_output, fill, is_filled_output

    src = Path(args.input)
    out = Path(args.output) if args.output else default_output(src)
    # Here, not in fill(): a batch checks its outputs itself, and must not open each one twice. fill()'s own
    # refusals (the input itself, a read-only file, a FIFO) say more, so they come first.
    if (not args.in_place and os.path.isfile(out) and os.path.isfile(src) and not os.path.samefile(out, src)
            and not target_problem(out) and not is_filled_output(out)):
        raise WorkbookError([Problem.of("OUTPUT_FOREIGN", name=shown_path(out))])
    filled = fill(args.input, args.output, in_place=args.in_place, system=args.system, registry=registry_of(args))
    result = filled.result
    if args.json:
        data = result.to_dict()
        data["output"] = str(filled.out_path)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{result.inputs.unit} {result.inputs.year} 年度")
    for node in result.system.level1:
        print(f"  {node.name}: {result.level1[node.id]} / {node.points:g}")
    print(f"总分: {result.total}")
    serious = [f for f in result.findings if f.severity != "提示"]
    if result.findings:
        print(f"校验结果: {len(result.findings)} 条（其中错误/警告 {len(serious)} 条），见“校验结果”工作表")
    print(f"已写入: {shown_path(filled.out_path)}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .workbook.fill import verify

    if len(args.inputs) > 1 or Path(args.inputs[0]).is_dir():
        return _verify_many(args)
    verdict = verify(args.inputs[0], registry=registry_of(args))
    if args.json:
        print(json.dumps({"status": verdict.status, "exit_code": verdict.exit_code, "message": verdict.message,
                          "cells": verdict.cells, "stamp": verdict.stamp}, ensure_ascii=False, indent=2))
    else:
        print(verdict.message)
        _print_cells(verdict.cells, 50)
    return verdict.exit_code


def _print_cells(cells: list[str], limit: int) -> None:
    """A verdict's edited cells, indented, at most ``limit`` of them and the count of the rest."""
    for line in cells[:limit]:
        print(f"  {line}")
    if len(cells) > limit:
        print(f"  …… 另有 {len(cells) - limit} 处")


def _verify_many(args: argparse.Namespace) -> int:
    """verify over files and folders (searched recursively): one line per workbook, then the counts. In a
    folder, a workbook that is no xlperf workbook at all (a batch's 汇总.xlsx, anything else) is named, not
    judged."""
    from pathlib import Path

    from .batch.plan import searched
    from .book.fill import EXIT_CODES, INPUTS_EDITED, NOT_FILLED, OTHER_ENGINE, OUTPUTS_EDITED, UNCHANGED
    from .book.layout import load_layout
    from .errors import XlperfError
    from .workbook.fill import verify
    from .workbook.zipbook import ZipBook

    # The exit code is the most serious verdict's: outputs edited by hand first, then inputs edited, then
    # filled by another xlperf or system, then not filled (or not readable) at all.
    serious = [EXIT_CODES[s] for s in (OUTPUTS_EDITED, INPUTS_EDITED, OTHER_ENGINE, NOT_FILLED)]
    counted = [(EXIT_CODES[s], label) for s, label in ((UNCHANGED, "未被修改"), (INPUTS_EDITED, "输入被修改"),
               (OUTPUTS_EDITED, "输出被手工修改"), (OTHER_ENGINE, "其他版本或指标体系填写"), (NOT_FILLED, "未填写或无法读取"))]
    registry = registry_of(args)
    files: list[tuple[Path, bool]] = []  # (file, found in a folder)
    for text in args.inputs:
        path = Path(text)
        files += [(f, True) for f in sorted(path.rglob("*")) if searched(f)] if path.is_dir() else [(path, False)]
    results, foreign, seen = [], [], set()
    for path, in_folder in files:
        if (key := os.path.realpath(path)) in seen:
            continue  # named and found in a folder: judged once
        seen.add(key)
        try:
            verdict = verify(path, registry=registry)
            if (in_folder and verdict.status == NOT_FILLED
                    and load_layout().version_name not in ZipBook.open(path).defined_names()):
                foreign.append(path)
                continue
            results.append((path, verdict.status, verdict.exit_code, verdict.message, verdict.cells))
        except XlperfError as exc:
            results.append((path, "unreadable", EXIT_CODES[NOT_FILLED], str(exc), []))
    if not results and not foreign:
        print(f"错误：在 {'、'.join(shown_path(t) for t in args.inputs)} 中没有找到要核验的工作簿（.xlsx / .xlsm）",
              file=sys.stderr)
        return EXIT_INPUT
    codes = [code for _, _, code, _, _ in results]
    exit_code = next((c for c in serious if c in codes), EXIT_CODES[UNCHANGED]) if results else EXIT_INPUT
    if args.json:
        print(json.dumps({"exit_code": exit_code, "files": [
            {"file": str(path), "status": status, "exit_code": code, "message": message, "cells": cells}
            for path, status, code, message, cells in results], "not_xlperf": [str(f) for f in foreign]},
            ensure_ascii=False, indent=2))
        return exit_code
    for path, _, _, message, cells in results:
        print(f"{shown_path(path)}：{message}")
        _print_cells(cells, 10)
    if foreign:
        print(f"未核验（不是 xlperf 模板生成的工作簿）：{'、'.join(shown_path(f) for f in foreign)}")
    print(f"共核验 {len(results)} 个工作簿：" + "，".join(f"{label} {codes.count(code)}" for code, label in counted))
    return exit_code


def _json_stopped(args: argparse.Namespace, code: int, reason: str) -> None:
    """With --json, a batch that did not run (or was interrupted) still leaves an object on stdout: a
    scheduler reading it gets the exit code and the reason, not nothing to parse."""
    if args.json:
        import json

        print(json.dumps({"exit_code": code, "error": reason, "files": []}, ensure_ascii=False, indent=2))


def _batch(args: argparse.Namespace) -> int:
    from .batch import EXIT_NOT_RUN, Limits, SetupError, run
    from .batch.outcome import STATUS_TEXT
    from .batch.runner import cores_available, earlier_said

    jobs = args.jobs
    if jobs and not args.scheduler and jobs > (cores := cores_available()):
        # Workers past the cores only share them: -j 100 on 2 cores forked 50 workers for 50 files, twice as slow.
        print(f"注意：-j {jobs} 超过本机可用的 {cores} 个 CPU 核，按 {cores} 个进程运行", file=sys.stderr)
        jobs = cores
    try:
        report = run(args.inputs, args.output, jobs=jobs, force=args.force, summary=args.summary,
                     limits=Limits(args.timeout, args.memory), scheduler=args.scheduler,
                     systems=tuple(args.systems or ()))
    except SetupError as exc:
        print(f"错误：{exc}（未处理任何文件）", file=sys.stderr)
        _json_stopped(args, EXIT_NOT_RUN, str(exc))
        return EXIT_NOT_RUN
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM from a service manager (runner.py)
        print("已中断：已写出的输出文件都完整可用，未完成的没有留下临时文件；本次未写汇总。"
              "再次运行同一命令时，已完成的文件会被跳过，只处理其余文件。", file=sys.stderr)
        _json_stopped(args, 130, "已中断")
        return 130
    c = report.counts
    if args.json:
        print(json.dumps({"exit_code": report.exit_code, "counts": c, "summary": str(report.summary),
                          "csv": str(report.csv), "unwritten": report.unwritten, "seconds": round(report.seconds, 3),
                          "skipped_folders": [str(b) for b in report.other_batches],
                          "skipped_files": [str(f) for f in report.earlier_outputs],
                          "files": [{"source": o.source, "status": o.status, "output": o.output, "unit": o.unit,
                                     "total": o.total, "kind": o.kind, "message": o.message,
                                     "seconds": o.seconds, "peak_kb": o.peak_kb}
                                    for o in report.outcomes]}, ensure_ascii=False, indent=2))
    else:
        for folder in report.other_batches:
            print(f"已跳过 {shown_path(folder)}：它是另一次批量运行的输出文件夹（含 .xlperf-batch.json），不是待评分的工作簿")
        for line in earlier_said(report.earlier_outputs):
            print(line)
        for why in report.unwritten:
            print(f"汇总未写出：{why}", file=sys.stderr)
        where = (f"汇总见 {shown_path(report.summary)}（及 {shown_path(report.csv.name)}）" if not report.unwritten else
                 "汇总未能全部写出（见上）；已写出的输出文件完整可用，腾出空间后再次运行会跳过它们")
        print(f"共 {len(report.outcomes)} 个文件：{STATUS_TEXT['ok']} {c['ok']}，{STATUS_TEXT['skipped']} {c['skipped']}，"
              f"失败 {c['failed']}；用时 {report.seconds:.1f} 秒；{where}")
    return report.exit_code


# Past these a value is no limit but a typing slip; beyond them select() and setitimer() overflow (inf, 1e12).
MAX_TIMEOUT, MAX_MEMORY_MB = 86400.0, 2**20


def _positive(kind, most: float | None = None):
    """An argument's parser: a positive ``kind`` up to ``most``, refused in Chinese otherwise (argparse
    said "invalid parse value" of 0.5 for an integer, and took inf and nan for a number)."""
    what = "正整数" if kind is int else "正数"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"须为{what}：{text}") from None
        if not value > 0:  # nan too
            raise argparse.ArgumentTypeError(f"须为{what}：{text}")
        if most is not None and not value <= most:
            raise argparse.ArgumentTypeError(f"须为不大于 {most:.0f} 的{what}：{text}")
        return value
    return parse


def add_commands(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("template", help="生成填报模板")
    t.add_argument("-o", "--output", required=True, help="模板文件路径（.xlsx，或带宏的 .xlsm）")
    t.add_argument("--year", type=int, help="预填评价年度")
    t.add_argument("--system", default="shenzhen-2024", help="指标体系编号（内置或 --systems 目录中的）")
    t.add_argument("--force", action="store_true", help="输出文件已存在时替换它（默认不覆盖）")
    add_systems_option(t)
    t.set_defaults(run=_template)

    f = sub.add_parser("fill", help="读取填好的工作簿，计算指标、评分与校验结果并写入")
    f.add_argument("input", help="填好的工作簿（.xlsx / .xlsm）")
    f.add_argument("-o", "--output", help="输出文件（默认：<原名>-已评分.xlsx，与原文件同目录）")
    f.add_argument("--in-place", action="store_true", help="直接写回原文件（原子替换）")
    f.add_argument("--system", help="指标体系编号（默认：模板记录的指标体系）")
    add_systems_option(f)
    f.add_argument("--json", action="store_true", help="以 JSON 输出完整结果")
    f.set_defaults(run=_fill)

    v = sub.add_parser("verify", help="核验已填写的工作簿是否被修改")
    v.add_argument("inputs", nargs="+", metavar="input", help="已填写的工作簿，或含工作簿的目录（含子目录）；可多个")
    v.add_argument("--json", action="store_true")
    add_systems_option(v)
    v.set_defaults(run=_verify)
    b = sub.add_parser("batch", help="批量填写多个工作簿（文件、目录或通配符），生成汇总表")
    b.add_argument("inputs", nargs="+", help="工作簿文件、目录（含子目录）或通配符（如 '收件/**/*.xlsx'）")
    b.add_argument("-o", "--output", required=True, help="输出目录（不存在则创建；不能是已有的文件）。输入目录各子目录中的文件，输出到本目录下相同的子目录")
    b.add_argument("-j", "--jobs", type=_positive(int), help="同时处理的文件数（默认：本进程可用的 CPU 核数）")
    b.add_argument("--summary", help="汇总工作簿（默认：输出目录下的 汇总.xlsx；同名 .csv 写在旁边）")
    b.add_argument("--json", action="store_true", help="以 JSON 输出每个文件的结果")
    b.add_argument("--force", action="store_true", help="重新计算全部文件（默认跳过输入、指标体系与版本均未变的文件）")
    b.add_argument("--timeout", type=_positive(float, MAX_TIMEOUT), default=DEFAULT_TIMEOUT,
                   help=f"每个文件的处理时间上限，秒（默认 {DEFAULT_TIMEOUT:g}）")
    b.add_argument("--memory", type=_positive(int, MAX_MEMORY_MB), default=DEFAULT_MEMORY_MB,
                   help=f"每个文件的内存上限，MB（默认 {DEFAULT_MEMORY_MB}）")
    b.add_argument("--scheduler", help="Dask 调度器地址（如 tcp://10.0.0.5:8786）：在集群上处理，文件须在共享存储上")
    add_systems_option(b)
    b.epilog = "退出码：0 全部成功（含未变跳过）；1 部分文件失败（见汇总的“失败”表）；2 未能运行（输出目录、输入或调度器有误）"
    b.set_defaults(run=_batch)

    v.epilog = "退出码：0 未修改；3 输入被修改；4 输出被手工修改；5 由其他版本或指标体系填写；1 未填写或文件有误"
