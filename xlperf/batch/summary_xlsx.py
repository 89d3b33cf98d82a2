"""The summary workbook for people: written with XlsxWriter (a new file, so a writer library fits).

Sheets: 评分汇总 (one row per input file in an Excel table: scores at every level, key rates,
findings by severity, status, a link to the output), 分项分布 (each item's min / median / max
and how many units lost points on it), 图表 (the total's distribution; the items most often
below maximum), 失败 (every failed file with its reason). Units scored under another indicator
system get their own 评分汇总 / 分项分布 / 图表 sheets, numbered. Every sheet prints on A4
landscape with its header row repeated.

Numbers are computed exactly (Decimal, statistics.median) and only written as floats; text from
workbooks is always written as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
import shutil
import statistics
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

from ..pathtext import link_target, plain_text, shown_path
from ..workbook.atomic import temp_name
from .outcome import KIND_TEXT, SEVERITIES, STATUS_TEXT, Outcome, notes

UNITS, ITEMS, CHARTS, FAILURES = "评分汇总", "分项分布", "图表", "失败"
BIN_WIDTH = Decimal(5)  # points per bar of the total's distribution
TOP_ITEMS = 10
COLUMNS_PER_PAGE = 16  # of the unit table, on an A4 landscape page
MAX_LINKS = 65000  # Excel's limit is 65,530 hyperlinks per sheet
MARK = "xlperf_summary"  # a custom document property only this writer sets (its value: the xlperf version)
_SHEET_NAME = re.compile(rf"(?:{UNITS}|{ITEMS}|{CHARTS})(?:-\d+)?|{FAILURES}")


def write_summary(outcomes: list[Outcome], path: Path, *, version: str = "") -> None:
    import xlsxwriter

    tmp = temp_name(path)  # names its writer: a later batch removes it if this one is killed
    # XlsxWriter writes each part to a file before zipping it. Held in memory instead, the parts took about
    # 7 MB per 1,000 rows more at the batch's peak. They go into a folder of the batch's own beside the
    # summary, not the system temp folder, which a server may not let it write (the batch would fail at its
    # very end); named like the temps, so the next batch removes what a killed one left there.
    staging = temp_name(path)
    staging.mkdir(mode=0o700)
    try:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False, "nan_inf_to_errors": True,
                                            "tmpdir": str(staging)})
        wb.set_custom_property(MARK, version or "?")  # what tells a later batch this file is its to rewrite
        f = _formats(wb)
        groups = _by_system(outcomes)
        failed = [o for o in outcomes if not o.ok]
        counts = Counter(o.status for o in outcomes)
        note = (f"共 {len(outcomes)} 个文件：成功 {counts['ok']}，未变（跳过）{counts['skipped']}，失败 {counts['failed']}；"
                f"生成于 {dt.datetime.now().isoformat(timespec='seconds')}，xlperf {version}")
        said = notes(outcomes, shown_path)
        for n, rows in enumerate(groups or [[]], start=1):
            suffix = "" if n == 1 else f"-{n}"
            units_rows = rows + (failed if n == 1 else [])
            _units_sheet(wb, f, UNITS + suffix, f"Units{n}", units_rows, path.parent, note, said)
            if rows:
                stats = _item_stats(rows)
                _items_sheet(wb, f, ITEMS + suffix, f"Items{n}", stats, rows)
                _charts_sheet(wb, f, CHARTS + suffix, rows, stats)
        _failures_sheet(wb, f, failed)
        _close(wb)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        try:
            staging.rmdir()  # XlsxWriter removes each part once zipped
        except OSError:  # it failed on the way: its parts stay behind
            shutil.rmtree(staging, ignore_errors=True)


def is_summary(path: Path) -> bool:
    """A workbook this writer made, which a batch rewrites: it carries the MARK property (or, written before
    there was one, the Units1 table), and no sheet but the ones written here (a sheet named 评分汇总 is no
    proof: a bureau's own 汇总.xlsx may have one; nor is a summary someone added a sheet of notes to)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            sheets = re.findall(r'<sheet\b[^>]*?\bname="([^"]*)"', z.read("xl/workbook.xml").decode("utf-8"))
            if not sheets or not all(_SHEET_NAME.fullmatch(s) for s in sheets) or sheets[-1] != FAILURES:
                return False
            names = z.namelist()
            if "docProps/custom.xml" in names and f'name="{MARK}"'.encode() in z.read("docProps/custom.xml"):
                return True
            return any(n.startswith("xl/tables/") and b'displayName="Units1"' in z.read(n) for n in names)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return False


def _close(wb) -> None:
    """wb.close(); a full disk or a vanished folder raised as the OSError it is (XlsxWriter wraps it).
    XlsxWriter then leaves its zip file open, to be closed when the error's frames go: that close fails
    too, and Python would print "Exception ignored … No space left on device" past every handler."""
    from xlsxwriter.exceptions import FileCreateError

    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        try:
            wb.close()
            return
        except FileCreateError as exc:
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
            error = OSError(cause.errno, cause.strerror, cause.filename)  # none of the failed call's frames
            del cause
        gc.collect()  # whatever a cycle still holds of them
    finally:
        sys.unraisablehook = hook
    raise error


def _by_system(outcomes: list[Outcome]) -> list[list[Outcome]]:
    """Successful rows grouped by indicator system, the most common system first."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.ok:
            groups.setdefault(o.system_id, []).append(o)
    return sorted(groups.values(), key=len, reverse=True)


def _formats(wb) -> dict:
    base = {"font_name": "等线", "font_size": 10, "valign": "vcenter"}
    return {
        "title": wb.add_format({**base, "bold": True, "font_size": 14}),
        "note": wb.add_format({**base, "font_color": "#595959"}),
        "head": wb.add_format({**base, "bold": True, "text_wrap": True, "align": "center"}),
        "text": wb.add_format(base),
        "points": wb.add_format({**base, "num_format": "0.00"}),
        "rate": wb.add_format({**base, "num_format": "0.00%"}),
        "int": wb.add_format({**base, "num_format": "0"}),
        "link": wb.add_format({**base, "font_color": "#0563C1", "underline": 1}),
        "bad": wb.add_format({**base, "font_color": "#C00000"}),
    }


def _num(text: str) -> float | None:
    # float() of the text rounds it correctly, as float(Decimal(text)) does (which converts via the text).
    return float(text) if text not in ("", None) else None


def _put(ws, r: int, c: int, value, fmt) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, plain_text(value), fmt)  # a stray byte of a name in a message: XML takes none
    else:
        ws.write_number(r, c, value, fmt)


def _table(ws, f: dict, top: int, name: str, columns: list[tuple[str, str, float]], rows: list[list]) -> None:
    """columns: (header, format key, width). Cells first, then the table over them (headers unique)."""
    headers = _unique([h for h, _, _ in columns])
    for c, (_, key, width) in enumerate(columns):
        ws.set_column(c, c, width)
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row):
            key = columns[c][1]
            if isinstance(value, tuple):  # ("link", target, text)
                ws.write_url(r, c, value[1], f["link"], string=value[2])
            else:
                _put(ws, r, c, value, f[key])
    if rows:
        ws.add_table(top, 0, top + len(rows), len(columns) - 1, {
            "name": name, "style": "Table Style Light 9",
            "columns": [{"header": h, "header_format": f["head"]} for h in headers]})
    else:
        for c, h in enumerate(headers):
            ws.write_string(top, c, h, f["head"])
    ws.set_row(top, 30)


def _unique(headers: list[str]) -> list[str]:
    """Excel tables need unique headers: a 二级 and a 三级 indicator may share a name."""
    seen: Counter = Counter()
    out = []
    for h in headers:
        seen[h] += 1
        out.append(h if seen[h] == 1 else f"{h}（{seen[h]}）")
    return out


def _print_ready(ws, title: str, header_row: int, *, fit_width: bool, repeat_cols: str | None = None) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    ws.repeat_rows(header_row)
    if repeat_cols:
        ws.repeat_columns(repeat_cols)
    if fit_width:
        ws.fit_to_pages(1, 0)
    ws.set_header(f"&L{title.replace('&', '&&')}&R&D")
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.freeze_panes(header_row + 1, 0)


def _units_sheet(wb, f, sheet: str, table: str, rows: list[Outcome], base: Path, note: str,
                 said: dict[str, str]) -> None:
    ws = wb.add_worksheet(sheet)
    first = next((o for o in rows if o.ok), Outcome(""))
    l1 = [n for n, _, _ in first.level1]
    l2 = [n for n, _, _ in first.level2]
    items = [(i, n) for i, n, _, _ in first.items]
    rates = [(i, n) for i, n, _ in first.rates]
    columns = ([("序号", "int", 5), ("文件", "text", 30), ("单位", "text", 24), ("年度", "int", 6),
                ("指标体系", "text", 12), ("总分", "points", 7)]
               + [(n, "points", 8) for n in l1] + [(n, "points", 8) for n in l2] + [(n, "points", 8) for _, n in items]
               + [(f"{n}(%)", "rate", 9) for _, n in rates] + [(s, "int", 5) for s in SEVERITIES]
               + [("状态", "text", 10), ("说明", "text", 30), ("输出文件", "text", 30), ("打开", "link", 6)])
    data = []
    for k, o in enumerate(rows, start=1):
        s1, s2 = {n: v for n, v, _ in o.level1}, {n: v for n, v, _ in o.level2}
        si, sr = {i: v for i, _, v, _ in o.items}, {i: v for i, _, v in o.rates}
        link = ("link", _link(o.output, base), "打开") if o.output and k <= MAX_LINKS else ""
        data.append([k, shown_path(o.source), o.unit, _num(o.year) if o.year.isdigit() else o.year, o.system_name,
                     _num(o.total)]
                    + [_num(s1.get(n, "")) for n in l1] + [_num(s2.get(n, "")) for n in l2]
                    + [_num(si.get(i, "")) for i, _ in items] + [_num(sr.get(i, "")) for i, _ in rates]
                    + [o.findings.get(s) if o.ok else None for s in SEVERITIES]
                    + [STATUS_TEXT[o.status], said.get(o.source, ""), shown_path(o.output), link])
    ws.write_string(0, 0, f"批量评分汇总{'：' + first.system_name if first.system_name else ''}", f["title"])
    ws.write_string(1, 0, note, f["note"])
    _table(ws, f, 3, table, columns, data)
    _print_ready(ws, sheet, 3, fit_width=False, repeat_cols="B:C")
    ws.fit_to_pages(-(-len(columns) // COLUMNS_PER_PAGE), 0)  # wide tables: a few pages across, readable
    ws.freeze_panes(4, 3)


def _link(output: str, base: Path) -> str:
    try:
        rel = os.path.relpath(output, base)
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(output)
    return "external:" + link_target(rel)


def _item_stats(rows: list[Outcome]) -> list[dict]:
    """Per item (and the total first): min, median, max over the units, and how many lost points.
    Only the totals' values are kept (for the chart): an item's are gone once counted (10,000 units: 22 MB)."""
    first = rows[0]
    totals = [Decimal(o.total) for o in rows]
    total_max = sum((Decimal(m) for _, _, m in first.level1), Decimal(0))
    stats = [_spread({"l1": "", "l2": "", "name": "总分", "max": total_max, "values": totals}, totals)]
    for pos, (item_id, name, _, max_) in enumerate(first.items):
        values = [Decimal(_points_of(o, pos, item_id)) for o in rows]
        stats.append(_spread({"id": item_id, "name": name, "max": Decimal(max_), "pos": pos}, values))
    return stats


def _points_of(o: Outcome, pos: int, item_id: str) -> str:
    """An item's points in a row (a system lists its items in one order: looked for by id only if not there)."""
    if pos < len(o.items) and o.items[pos][0] == item_id:
        return o.items[pos][2]
    return {i: v for i, _, v, _ in o.items}[item_id]


def _spread(s: dict, v: list[Decimal]) -> dict:
    s.update(min=min(v), median=statistics.median(v), high=max(v), below=sum(x < s["max"] for x in v))
    return s


def _items_sheet(wb, f, sheet: str, table: str, stats: list[dict], rows: list[Outcome]) -> None:
    ws = wb.add_worksheet(sheet)
    n = len(rows)
    columns = [("指标", "text", 34), ("满分", "points", 7), ("最低", "points", 7), ("中位数", "points", 8),
               ("最高", "points", 7), ("失分单位数", "int", 9), ("失分单位占比", "rate", 10)]
    data = [[s["name"], float(s["max"]), float(s["min"]), float(s["median"]), float(s["high"]), s["below"],
             s["below"] / n] for s in stats]
    ws.write_string(0, 0, f"各指标得分分布（{n} 个单位，{rows[0].system_name}）", f["title"])
    ws.write_string(1, 0, "失分单位数：得分低于满分的单位个数", f["note"])
    _table(ws, f, 3, table, columns, data)
    _print_ready(ws, sheet, 3, fit_width=True)


def total_bins(totals: list[Decimal], total_max: Decimal) -> list[tuple[str, int]]:
    """Counts per BIN_WIDTH-point band, from the band of the lowest total up to the maximum
    (lower bound included; the top band also holds the maximum itself)."""
    if not totals:
        return []
    low = (min(totals) // BIN_WIDTH) * BIN_WIDTH
    bands = []
    start = min(low, max(total_max - BIN_WIDTH, Decimal(0)))
    while start < total_max:
        end = min(start + BIN_WIDTH, total_max)
        top = end == total_max
        count = sum(start <= t < end or (top and t == end) for t in totals)
        bands.append((f"{start:g}–{end:g}", count))
        start = end
    return bands


def _charts_sheet(wb, f, sheet: str, rows: list[Outcome], stats: list[dict]) -> None:
    ws = wb.add_worksheet(sheet)
    total = stats[0]
    bins = total_bins(total["values"], total["max"])
    ws.write_string(0, 0, "总分分布", f["title"])
    ws.write_string(2, 0, "总分区间", f["head"])
    ws.write_string(2, 1, "单位数", f["head"])
    for r, (label, count) in enumerate(bins, start=3):
        ws.write_string(r, 0, label, f["text"])
        ws.write_number(r, 1, count, f["int"])
    ws.set_column(0, 0, 30)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "单位数", "categories": [sheet, 3, 0, 2 + len(bins), 0],
                      "values": [sheet, 3, 1, 2 + len(bins), 1], "fill": {"color": "#4472C4"}})
    chart.set_title({"name": f"总分分布（{len(rows)} 个单位）"})
    chart.set_legend({"none": True})
    chart.set_x_axis({"name": "总分"})
    chart.set_y_axis({"name": "单位数", "major_gridlines": {"visible": True}})
    ws.insert_chart(2, 3, chart, {"x_scale": 1.3, "y_scale": 1.1})

    top = sorted((s for s in stats[1:] if s["below"]), key=lambda s: (-s["below"], s["pos"]))[:TOP_ITEMS]
    start = max(3 + len(bins), 20) + 2
    ws.write_string(start - 2, 0, "失分单位最多的指标", f["title"])
    ws.write_string(start, 0, "指标", f["head"])
    ws.write_string(start, 1, "失分单位数", f["head"])
    for r, s in enumerate(top, start=start + 1):
        ws.write_string(r, 0, s["name"], f["text"])
        ws.write_number(r, 1, s["below"], f["int"])
    if top:
        bar = wb.add_chart({"type": "bar"})
        bar.add_series({"name": "失分单位数", "categories": [sheet, start + 1, 0, start + len(top), 0],
                        "values": [sheet, start + 1, 1, start + len(top), 1], "fill": {"color": "#ED7D31"}})
        bar.set_title({"name": f"失分单位最多的 {len(top)} 个指标"})
        bar.set_legend({"none": True})
        bar.set_y_axis({"reverse": True})
        ws.insert_chart(start, 3, bar, {"x_scale": 1.3, "y_scale": 1.1})
    _print_ready(ws, sheet, 2, fit_width=True)
    ws.fit_to_pages(1, 1)


def _failures_sheet(wb, f, failed: list[Outcome]) -> None:
    ws = wb.add_worksheet(FAILURES)
    columns = [("序号", "int", 5), ("文件", "text", 50), ("失败类型", "text", 12), ("原因", "text", 80),
               ("用时（秒）", "points", 9)]
    data = [[k, shown_path(o.source), KIND_TEXT.get(o.kind, o.kind), o.message, o.seconds]
            for k, o in enumerate(failed, 1)]
    ws.write_string(0, 0, f"失败的文件（{len(failed)} 个）", f["title"])
    _table(ws, f, 2, "Failures", columns, data)
    _print_ready(ws, FAILURES, 2, fit_width=True)
