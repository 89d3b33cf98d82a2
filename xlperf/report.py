"""Plain-text rendering of a Result for the terminal (score table, subtotals, findings)."""

from __future__ import annotations

from .engine.evaluate import Result


def score_table(result: Result) -> str:
    lines = [f"{result.inputs.unit} {result.inputs.year} 年度 — {result.system.name}", ""]
    for l1 in result.system.level1:
        lines.append(f"{l1.name}（{l1.points:g}）: {result.level1[l1.id]}")
        for l2 in result.system.children(l1.id):
            lines.append(f"  {l2.name}（{l2.points:g}）: {result.level2[l2.id]}")
            for s in (s for s in result.items if s.level2.id == l2.id):
                note = f"  — {s.reason}" if s.reason else ""
                lines.append(f"    {s.item.name}（{s.item.points:g}）: {s.points}{note}")
    lines += ["", f"总分: {result.total}"]
    return "\n".join(lines)


def findings_text(result: Result) -> str:
    if not result.findings:
        return "校验：未发现问题"
    return "\n".join(f"[{f.severity}] {f.message}" for f in result.findings)
