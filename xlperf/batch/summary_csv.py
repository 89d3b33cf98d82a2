"""The machine-readable summary: UTF-8 CSV with BOM (Excel and WPS open it with the Chinese intact)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from ..pathtext import plain_text, shown_path
from ..workbook.atomic import temp_name
from .outcome import KIND_TEXT, SEVERITIES, STATUS_TEXT, Outcome, notes


# The header's fixed start, which also tells an earlier summary (a batch rewrites it) from someone's own CSV.
FIRST_COLUMNS = ("文件", "状态", "单位", "年度", "总分")


def is_summary(path: Path) -> bool:
    """The file begins as a summary this writer made does: the BOM, then FIRST_COLUMNS."""
    start = ("\ufeff" + ",".join(FIRST_COLUMNS) + ",").encode()
    try:
        with open(path, "rb") as fh:
            return fh.read(len(start)) == start
    except OSError:
        return False


def write_csv(outcomes: list[Outcome], path: Path) -> None:
    level1_names = next((tuple(n for n, _, _ in o.level1) for o in outcomes if o.ok), ())
    said = notes(outcomes, shown_path)
    tmp = temp_name(path)
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([*FIRST_COLUMNS, *level1_names, "校验结果条数", "输出文件", "说明",
                        "指标体系", *SEVERITIES, "失败类型", "用时（秒）"])
            for o in outcomes:
                scores = dict((n, v) for n, v, _ in o.level1)
                w.writerow([_safe(shown_path(o.source)), STATUS_TEXT[o.status], _safe(o.unit), o.year, o.total,
                            *(scores.get(n, "") for n in level1_names),
                            sum(o.findings.values()) if o.ok else "", _safe(shown_path(o.output)),
                            _safe(plain_text(said.get(o.source, ""))),
                            o.system_id, *(o.findings.get(s, "") if o.ok else "" for s in SEVERITIES),
                            KIND_TEXT.get(o.kind, ""), f"{o.seconds:.3f}"])
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _safe(text: str) -> str:
    """CSV cells that a spreadsheet would run as formulas get a leading apostrophe (OWASP)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
