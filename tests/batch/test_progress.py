"""Progress output: a bar where there is a terminal, plain lines elsewhere, failures always one line each."""

from __future__ import annotations

import io

from xlperf.batch import progress as progress_module
from xlperf.batch.outcome import FAILED, OK, Outcome
from xlperf.batch.progress import Progress


def outcomes() -> list[Outcome]:
    return [Outcome("a.xlsx", status=OK), Outcome("b\x1b]0;pwned\x07.xlsx", status=FAILED, message="坏\x1b[2J\n假行"),
            Outcome("c.xlsx", status=OK)]


def test_bar_shows_done_total_and_failures():
    stream = io.StringIO()
    p = Progress(3, stream, bar=True)
    for o in outcomes():
        p.update(o)
    p.close()
    text = stream.getvalue()
    assert "3/3" in text and "失败=1" in text
    assert "失败：b\\u001b]0;pwned\\u0007.xlsx：坏\\u001b[2J" in text
    assert "\x1b]0" not in text and "\x1b[2J" not in text  # no terminal control sequence from a workbook


def test_plain_lines_in_a_log(monkeypatch):
    monkeypatch.setattr(progress_module, "LOG_EVERY", 0.0)  # a progress line after every file
    stream = io.StringIO()
    p = Progress(3, stream, bar=False)
    for o in outcomes():
        p.update(o)
    p.close()
    lines = stream.getvalue().splitlines()
    assert "进度 1/3，失败 0" in lines[0]
    assert lines[1].startswith("失败：b\\u001b]0;pwned") and "进度 2/3，失败 1" in lines[2]
    assert "进度 3/3，失败 1" in lines[-1] and "个/秒" in lines[-1]
    assert "\r" not in stream.getvalue()  # no bar redraws in a log
    assert "坏\\u001b[2J\\u000a假行" in lines[1]  # a line break in a reason cannot forge a log line
