"""Names that are not UTF-8, as the system hands them over (PEP 383: a stray byte as U+DC80+byte)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xlperf.pathtext import link_target, plain_text, shown_path


def from_bytes(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")  # what os.listdir gives on Linux


EXAMPLE = Path(__file__).parents[1] / "workbooks" / "example-2024.xlsx"
GBK_NAME = from_bytes("单位A-2024年省科协.xlsx".encode("gbk"))  # unzip of an archive made on Chinese Windows


def test_a_gbk_name_reads_as_people_wrote_it():
    assert "\udcb5" in GBK_NAME  # 单 is B5 A5 in GBK: not UTF-8
    assert shown_path("收件/" + GBK_NAME) == "收件/单位A-2024年省科协.xlsx"


def test_a_gbk_name_with_xlperfs_utf8_mark_after_it():
    """The batch's output of a GBK input: the GBK stem, then "-已评分" in UTF-8; each run is read by itself."""
    out = from_bytes("单位A".encode("gbk") + "-已评分.xlsx".encode())
    assert shown_path("/srv/out/" + out) == "/srv/out/单位A-已评分.xlsx"


def test_gbk_characters_whose_second_byte_is_ascii():
    # 丂 = 81 40 ("@"), 乚 = 81 7E ("~"): a whole-name reading keeps them
    assert shown_path(from_bytes("丂乚.xlsx".encode("gbk"))) == "丂乚.xlsx"


def test_bytes_that_are_no_text_show_as_bytes():
    assert shown_path(from_bytes(b"bad\xff\xfename.xlsx")) == "bad\\xff\\xfename.xlsx"
    assert plain_text(from_bytes(b"x\xffy")) == "x\\xffy"


@pytest.mark.parametrize("name", ["普通/名字.xlsx", "plain.xlsx", "a\\b/c 名.xlsm", ""])
def test_names_in_utf8_are_left_as_they_are(name):
    assert shown_path(name) == name and plain_text(name) == name


def test_a_link_carries_the_stray_bytes_percent_encoded():
    assert link_target(from_bytes(b"x\xffy-\xe5\xb7\xb2.xlsx")) == "x%FFy-已.xlsx"
    # what a link cannot hold as it is: # (a place in the file), % (taken for an escape), spaces and brackets
    assert link_target("区 一/单位#1 [初稿] 100%.xlsx") == "区%20一/单位%231%20%5B初稿%5D%20100%25.xlsx"
    assert link_target(from_bytes(b"\xff #.xlsx")) == "%FF%20%23.xlsx"


def test_json_on_a_real_stdout_gives_the_very_name_back(tmp_path):
    """fill --json through a pipe, as a script reads it: the output's name goes out as \\udcNN escapes (a strict
    UTF-8 stdout refused it: UnicodeEncodeError, exit 70), and a JSON reader has the exact name again."""
    src = tmp_path / f"{GBK_NAME}"
    shutil.copy(EXAMPLE, src)
    run = subprocess.run([sys.executable, "-m", "xlperf", "fill", str(src), "--json"], capture_output=True,
                         env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    output = json.loads(run.stdout.decode("utf-8"))["output"]  # strict: the bytes are UTF-8
    assert os.fsencode(os.path.basename(output)) == "单位A-2024年省科协".encode("gbk") + "-已评分.xlsx".encode()
