"""`xlperf score data.json`: JSON number text is exact decimal text, read as Decimal."""

from __future__ import annotations

import json
import re

import pytest

from xlperf.cli import main
from xlperf.examples import reference_data


def test_json_numbers_score_like_strings(tmp_path, capsys):
    # Every "5.34"-style string of the reference unit written as a bare JSON number (5.34, 5.20, …).
    text = re.sub(r'"(-?\d+\.\d+)"', r"\1", json.dumps(reference_data(), ensure_ascii=False))
    assert re.search(r":\s*5\.34\b", text)  # the 政府采购 plan really is a JSON number now
    path = tmp_path / "data.json"
    path.write_text(text, encoding="utf-8")
    assert main(["score", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == "96.88"
    assert not any(f["code"] == "NOT_EXACT" for f in out.get("findings", []))


def test_json_number_keeps_its_digits(tmp_path, capsys):
    # 政府采购执行率 4.73 / 5.34 = 88.58 % × 1 + judgment 1 = 1.8858 → 1.89, as published.
    data = reference_data()
    data["procurement"] = {"plan": "@5.34@", "contracted": "@4.73@", "paid": "@4.73@"}
    path = tmp_path / "data.json"
    text = json.dumps(data, ensure_ascii=False).replace('"@', "").replace('@"', "")
    assert '"plan": 5.34,' in text
    path.write_text(text, encoding="utf-8")
    assert main(["score", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    items = {i["id"]: i for i in out["items"]}
    assert items["procurement"]["points"] == "1.89"


def test_bad_json_is_a_chinese_error_with_its_place(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "unit": "单位甲",\n}', encoding="utf-8")  # the trailing comma people leave
    assert main(["score", str(path)]) == 1
    assert "不是有效的 JSON：第 3 行第 1 列：此处应是英文双引号括起的键名（或多了一个逗号）" in capsys.readouterr().err


def test_bad_json_with_json_output_is_a_json_object_too(tmp_path, capsys):
    # An error that is no list of problems (the input file is no JSON) is one problem without a code.
    path = tmp_path / "data.json"
    path.write_text('{"unit": "甲",}', encoding="utf-8")
    assert main(["score", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    [problem] = json.loads(captured.out)["problems"]
    assert problem["code"] is None and "不是有效的 JSON" in problem["message"] and "不是有效的 JSON" in captured.err


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_json_saved_by_windows_tools_reads(tmp_path, capsys, encoding):
    """Notepad's UTF-8 with a BOM, and the UTF-16 of Windows PowerShell's `>`: refused before ("Unexpected UTF-8 BOM")."""
    path = tmp_path / "data.json"
    path.write_text(json.dumps(reference_data(), ensure_ascii=False), encoding=encoding)
    assert main(["score", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == "96.88"


def test_json_in_the_windows_code_page_is_named_as_such(tmp_path, capsys):
    path = tmp_path / "data.json"
    path.write_bytes(json.dumps(reference_data(), ensure_ascii=False).encode("gbk"))
    assert main(["score", str(path)]) == 1
    err = capsys.readouterr().err
    assert "不是 UTF-8 编码的文本" in err and "ANSI/GBK" in err and "codec" not in err


def test_a_pipe_closed_by_its_reader_is_no_internal_error():
    """`xlperf verify 已评分/ | head`: the reader stops reading and the next write fails with EPIPE. That was
    内部错误（BrokenPipeError）, exit 70; it is now a quiet exit 141 (128 + SIGPIPE), as a shell reports it."""
    import os
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "xlperf", "score", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    proc.stdout.close()  # no reader left before the first write
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=60) == 141
    assert err == ""
