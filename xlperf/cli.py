"""The ``xlperf`` command line: thin argument parsing around the engine and the workbook layer.

Heavy imports stay inside each command so that ``xlperf fill`` starts fast, and
every XlperfError becomes a Chinese message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import __version__
from .errors import ProblemsError, XlperfError, not_utf8, os_reason

EXIT_OK = 0
EXIT_ERROR = 1  # bad input or unusable file
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a program whose pipe was closed


def _score(args: argparse.Namespace) -> int:
    from .engine.evaluate import evaluate
    from .examples import reference_inputs
    from .engine.fields import inputs_from_dict
    from .report import findings_text, score_table

    if args.json_input:
        inputs = inputs_from_dict(_read_json(args.json_input))
    else:
        inputs = reference_inputs()
    from .workbook_cli import registry_of

    result = evaluate(inputs, registry_of(args).by_id(args.system))
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(score_table(result))
        print(findings_text(result))
    return EXIT_OK


def _read_json(path: str) -> object:
    """JSON inputs with every number exact: number text is decimal, so 5.20 is Decimal('5.20'), never a float.

    Read as bytes, so json finds the encoding itself (RFC 8259 §8.1): UTF-8 with or without Notepad's BOM,
    and the UTF-16 that Windows PowerShell's ``>`` writes."""
    from decimal import Decimal

    from .pathtext import shown_path

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise XlperfError(f"无法读取输入文件“{shown_path(path)}”（{os_reason(exc)}）") from None
    try:
        return json.loads(raw, parse_float=Decimal)
    except UnicodeDecodeError as exc:
        raise XlperfError(f"输入文件“{shown_path(path)}”{not_utf8(exc)}") from None
    except json.JSONDecodeError as exc:
        why = next((text for start, text in _JSON_REASONS if exc.msg.startswith(start)), exc.msg)
        raise XlperfError(f"输入文件“{shown_path(path)}”不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列：{why}") from None


# json's reasons, in the words of the person who typed the file (the rest as json says them).
_JSON_REASONS = (("Expecting value", "此处缺少值（或多了一个逗号）"), ("Expecting ',' delimiter", "此处缺少逗号"),
                 ("Expecting ':' delimiter", "此处缺少冒号"),
                 ("Expecting property name", "此处应是英文双引号括起的键名（或多了一个逗号）"),
                 ("Unterminated string", "从此处开始的字符串没有结束的引号"),
                 ("Invalid control character", "字符串中有换行或控制字符"), ("Invalid \\escape", "有无效的反斜杠转义"),
                 ("Extra data", "此处之后还有多余的内容"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xlperf", description="部门/单位整体支出绩效评价：填表、评分、核验")
    parser.add_argument("--version", action="version", version=f"xlperf {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    score = sub.add_parser("score", help="对 JSON 输入（默认：内置参考单位）评分并打印评分表")
    score.add_argument("json_input", nargs="?", help="输入数据 JSON 文件；省略则用内置参考单位 2024 年数据")
    score.add_argument("--system", default="shenzhen-2024", help="指标体系编号（内置或 --systems 目录中的）")
    score.add_argument("--json", action="store_true", help="输出完整结果 JSON")
    from .workbook_cli import add_commands, add_systems_option

    add_systems_option(score)
    score.set_defaults(run=_score)

    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .terminal import safe_streams

    try:
        with safe_streams():
            return _main(argv)
    except BrokenPipeError:
        # The reader of a pipe stopped reading (`xlperf verify 已评分/ | head`): nothing is wrong with the
        # work, so no 内部错误; what is left to print goes nowhere, Python's flush at exit included.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ProblemsError as exc:
        _json_problems(args, [{"code": p.code, "sheet": p.sheet, "cell": p.cell, "field": p.field, "value": p.value,
                               "message": p.message} for p in exc.problems])
        # verify writes nothing in any case: what it could not do is check the workbook.
        outcome = "无法核对" if args.command == "verify" else "未生成输出"
        print(f"发现 {len(exc.problems)} 个问题，{outcome}：", file=sys.stderr)
        for p in exc.problems:
            print(f"  - {p.located()}", file=sys.stderr)
        return EXIT_ERROR
    except XlperfError as exc:
        _json_problems(args, [{"code": None, "sheet": "", "cell": "", "field": "", "value": "", "message": str(exc)}])
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise  # main's: not an internal error
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        if os.environ.get("XLPERF_DEBUG"):
            raise
        print(f"内部错误（{type(exc).__name__}: {exc}）。请将输入文件反馈给维护人员；"
              "设置环境变量 XLPERF_DEBUG=1 可查看详细信息。", file=sys.stderr)
        return 70


def _json_problems(args: argparse.Namespace, problems: list[dict]) -> None:
    """With --json, what stopped the command as JSON on stdout too (the text still goes to stderr): a program
    reading stdout gets an object to parse, not nothing."""
    if getattr(args, "json", False):
        print(json.dumps({"exit_code": EXIT_ERROR, "problems": problems}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.exit(main())
