"""What one file of a batch came to: plain strings and numbers, small enough to pickle cheaply.

A worker process (local or on a Dask worker) builds it; the summary writers only read it.
Scores stay decimal strings so the CSV keeps them exactly; the workbook summary converts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OK, SKIPPED, FAILED = "ok", "skipped", "failed"
# Why a file failed: the summary's failures sheet groups by these.
INPUT, TIMEOUT, MEMORY, CRASHED, INTERNAL, NOT_A_FILE = "input", "timeout", "memory", "crashed", "internal", "not_a_file"

STATUS_TEXT = {OK: "成功", SKIPPED: "未变（跳过）", FAILED: "失败"}
KIND_TEXT = {INPUT: "输入有误", TIMEOUT: "超时", MEMORY: "超出内存上限", CRASHED: "进程意外终止",
             INTERNAL: "内部错误", NOT_A_FILE: "不是普通文件"}
SEVERITIES = ("错误", "警告", "提示")

# Rates an operator compares across units first (ids from indicators.CATALOG), in this order.
KEY_RATES = ("budget_execution_rate", "budget_control_rate", "procurement_execution_rate", "sangong_control_rate",
             "daily_public_control_rate", "asset_utilization_rate", "staff_control_rate", "project_on_time_rate",
             "satisfaction_rate")


@dataclass
class Outcome:
    source: str
    output: str = ""  # the written (or, when skipped, the existing) output; "" when failed
    status: str = FAILED
    kind: str = ""  # for a failure: one of the kinds above
    message: str = ""
    unit: str = ""
    year: str = ""
    system_id: str = ""
    system_name: str = ""
    system_sha256: str = ""
    total: str = ""
    level1: tuple[tuple[str, str, str], ...] = ()  # (name, points, max)
    level2: tuple[tuple[str, str, str], ...] = ()
    items: tuple[tuple[str, str, str, str], ...] = ()  # (id, name, points, max)
    rates: tuple[tuple[str, str, str], ...] = ()  # (id, name, value as a fraction or "")
    findings: dict[str, int] = field(default_factory=dict)  # severity → count
    seconds: float = 0.0
    peak_kb: int = 0  # the worker process's peak resident memory
    input_sha256: str = ""  # of the input file's bytes, for the manifest (manifest.py)
    output_id: tuple = ()  # the output file's (size, mtime_ns, inode) when written

    @property
    def ok(self) -> bool:
        return self.status != FAILED


def notes(outcomes: list[Outcome], shown) -> dict[str, str]:
    """The summaries' 说明 per source: a failure's reason, or, for a unit scored from more than one file
    for the same year (a draft and its correction, sent twice), the other files, so the bureau picks one.
    ``shown``: how a path is written for people (pathtext.shown_path)."""
    by_unit: dict[tuple[str, str], list[str]] = {}
    for o in outcomes:
        if o.ok and o.unit:
            by_unit.setdefault((o.unit, o.year), []).append(o.source)
    out = {o.source: o.message for o in outcomes if o.message}
    for sources in by_unit.values():
        if len(sources) < 2:
            continue
        for source in sources:
            others = [shown(s) for s in sources if s != source]
            listed = "、".join(others[:3]) + (f" 等 {len(others)} 份" if len(others) > 3 else "")
            note = f"同一单位同一年度另有 {listed}"
            out[source] = f"{out[source]}；{note}" if out.get(source) else note
    return out


def failed(source: str, kind: str, message: str) -> Outcome:
    return Outcome(source, status=FAILED, kind=kind, message=message)


def from_result(source: str, output: str, status: str, result) -> Outcome:
    """The summary's view of an engine Result (duck-typed: this module imports no engine code)."""
    sysm = result.system
    counts = {s: 0 for s in SEVERITIES}
    for f in result.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    rates = tuple((rid, ind.name, "" if ind.value is None else str(ind.value))
                  for rid in KEY_RATES if (ind := result.indicators.get(rid)) is not None)
    return Outcome(
        source, output, status, unit=result.inputs.unit, year=str(result.inputs.year), system_id=sysm.id,
        system_name=sysm.name, system_sha256=sysm.sha256, total=str(result.total),
        level1=tuple((n.name, str(result.level1[n.id]), str(n.points)) for n in sysm.level1),
        level2=tuple((n.name, str(result.level2[n.id]), str(n.points)) for n in sysm.level2),
        items=tuple((s.item.id, s.item.name, str(s.points), str(s.item.points)) for s in result.items),
        rates=rates, findings=counts)


# A batch holds every outcome until its summaries are written, and each one unpickled from a worker
# brings its own copies of texts that every unit of a system repeats (indicator ids and names, full
# marks, the system's id and hash, the common scores): ~13 KB a file. Shared, ~4 KB.
_SHARED: dict = {}
_SHARED_LIMIT = 50_000  # texts and rows; then it starts afresh (what is shared stays shared)


def shared_texts(outcome: Outcome) -> Outcome:
    """The outcome, its repeated texts and rows replaced by equal ones held already."""
    held = _SHARED
    if len(held) > _SHARED_LIMIT:
        held.clear()

    def rows(values: tuple) -> tuple:
        out = []
        for row in values:
            got = held.get(row)
            if got is None:
                got = held[row] = tuple([held.setdefault(x, x) for x in row])
            out.append(got)
        return tuple(out)

    outcome.level1, outcome.level2 = rows(outcome.level1), rows(outcome.level2)
    outcome.items, outcome.rates = rows(outcome.items), rows(outcome.rates)
    for name in ("year", "system_id", "system_name", "system_sha256", "total", "status", "kind"):
        text = getattr(outcome, name)
        setattr(outcome, name, held.setdefault(text, text))
    return outcome
