"""Workbook commands of the CLI: template, fill, verify, batch.

Imports stay inside each command: ``xlperf fill`` must not pay for openpyxl or pandas.
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_INPUT = 1


def registry_of(args: argparse.Namespace):
    """The indicator systems this run trusts: bundled, then each --systems DIR, then XLPERF_SYSTEMS."""
    from .registry import Registry

    return Registry(args.systems or ())


def add_systems_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--systems", action="append", metavar="DIR",
                        help="另外信任的指标体系目录（其中的 <编号>.toml；可重复；也可用环境变量 XLPERF_SYSTEMS）")


def _template(args: argparse.Namespace) -> int:
    from .workbook.template import build_template

    from pathlib import Path

    from .workbook.atomic import target_problem
    from .workbook.package import workbook_error

    refused = target_problem(Path(args.output))  # openpyxl would block on a FIFO, or write into a device
    if refused:
        raise workbook_error(refused, path=args.output)
    system = registry_of(args).by_id(args.system)
    vba = None
    if args.output.lower().endswith(".xlsm"):
        from .workbook.bundled import placeholder_vba

        vba = placeholder_vba()
    build_template(args.output, system, year=args.year, vba_project=vba)
    print(f"已生成模板：{args.output}（指标体系：{system.name}）")
    return 0


def _fill(args: argparse.Namespace) -> int:
    from .workbook.fill import fill

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
    print(f"已写入: {filled.out_path}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .workbook.fill import verify

    verdict = verify(args.input, registry=registry_of(args))
    if args.json:
        print(json.dumps({"status": verdict.status, "exit_code": verdict.exit_code, "message": verdict.message,
                          "cells": verdict.cells, "stamp": verdict.stamp}, ensure_ascii=False, indent=2))
    else:
        print(verdict.message)
        for line in verdict.cells[:50]:
            print(f"  {line}")
        if len(verdict.cells) > 50:
            print(f"  …… 另有 {len(verdict.cells) - 50} 处")
    return verdict.exit_code


def _batch(args: argparse.Namespace) -> int:
    from .workbook.batch import run

    outcomes = run(args.inputs, args.output, jobs=args.jobs)
    ok = sum(o.ok for o in outcomes)
    for o in outcomes:
        if not o.ok:
            print(f"失败：{o.source}：{o.message}", file=sys.stderr)
    print(f"共 {len(outcomes)} 个文件：成功 {ok}，失败 {len(outcomes) - ok}；汇总见 {args.output}/汇总.csv")
    return 0 if ok == len(outcomes) else EXIT_INPUT


def add_commands(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("template", help="生成填报模板")
    t.add_argument("-o", "--output", required=True, help="模板文件路径（.xlsx，或带宏的 .xlsm）")
    t.add_argument("--year", type=int, help="预填评价年度")
    t.add_argument("--system", default="shenzhen-2024", help="指标体系编号（内置或 --systems 目录中的）")
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
    v.add_argument("input")
    v.add_argument("--json", action="store_true")
    add_systems_option(v)
    v.set_defaults(run=_verify)
    b = sub.add_parser("batch", help="批量填写多个工作簿（目录或文件），生成汇总表")
    b.add_argument("inputs", nargs="+", help="工作簿文件或目录")
    b.add_argument("-o", "--output", required=True, help="输出目录")
    b.add_argument("-j", "--jobs", type=int, help="并行进程数（默认：CPU 核数）")
    b.set_defaults(run=_batch)

    v.epilog = "退出码：0 未修改；3 输入被修改；4 输出被手工修改；5 由其他版本或指标体系填写；1 未填写或文件有误"
