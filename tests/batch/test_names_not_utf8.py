"""A batch of files whose names are not UTF-8: what unzip leaves of an archive made on Chinese Windows (GBK).

Before: the outputs were written, then the summary failed on the first such name (UnicodeEncodeError, exit 70),
with no summary, no CSV and no record for the next run.
"""

from __future__ import annotations

import csv
import json
import os
import re
import zipfile
from urllib.parse import unquote_to_bytes

from xlperf.cli import main


def gbk(name: str) -> str:
    return name.encode("gbk").decode("utf-8", "surrogateescape")  # as os.listdir hands it over


GOOD, BROKEN = gbk("单位甲-2024年.xlsx"), gbk("坏文件.xlsx")
NO_TEXT = b"unit\xff\xfe.xlsx".decode("utf-8", "surrogateescape")  # bytes no encoding reads


def test_names_from_a_chinese_windows_archive(make_inputs, tmp_path, capsys):
    inputs = make_inputs({GOOD: "A", NO_TEXT: "B", BROKEN: b"junk"})
    out = tmp_path / "out"
    assert main(["batch", str(inputs), "-o", str(out)]) == 1  # one file failed, the batch did not
    err = capsys.readouterr().err
    assert "失败：" in err and "坏文件.xlsx：" in err  # the failure line names the file as its sender did

    # The outputs keep the inputs' own bytes, with xlperf's mark after them.
    written = sorted(os.fsencode(n) for n in os.listdir(out) if n.endswith(".xlsx") and not n.startswith("汇总"))
    assert written == sorted(["单位甲-2024年".encode("gbk") + "-已评分.xlsx".encode(),
                              b"unit\xff\xfe" + "-已评分.xlsx".encode()])

    with zipfile.ZipFile(out / "汇总.xlsx") as z:
        strings = z.read("xl/sharedStrings.xml").decode()
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert "单位甲-2024年.xlsx" in strings and "单位甲-2024年-已评分.xlsx" in strings
    assert "unit\\xff\\xfe.xlsx" in strings  # no text to read: its bytes shown
    assert "坏文件.xlsx" in strings  # on the failures sheet
    # The links carry the stray bytes percent-encoded (a URI's bytes), the rest as UTF-8: the very bytes of each name.
    links = {unquote_to_bytes(t) for t in re.findall(r'Target="([^"]+)" TargetMode="External"', rels)}
    assert links == {"单位甲-2024年".encode("gbk") + "-已评分.xlsx".encode(), b"unit\xff\xfe" + "-已评分.xlsx".encode()}
    assert "unit%FF%FE-已评分.xlsx" in rels

    with open(out / "汇总.csv", encoding="utf-8-sig", newline="") as fh:
        files = {row["文件"]: row for row in csv.DictReader(fh)}
    assert {os.path.basename(f) for f in files} == {"单位甲-2024年.xlsx", "unit\\xff\\xfe.xlsx", "坏文件.xlsx"}

    # The record keeps the exact names: the next run skips both outputs; --json gives the names exactly.
    assert main(["batch", str(inputs), "-o", str(out), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    status = {os.path.basename(f["source"]): f["status"] for f in report["files"]}
    assert status == {GOOD: "skipped", NO_TEXT: "skipped", BROKEN: "failed"}
