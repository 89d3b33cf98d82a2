"""The engine as a library, without any workbook: typed inputs in, plain objects and
pandas frames out; and the architecture rule that the pure middle imports no
spreadsheet or archive library.
"""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import xlperf
from xlperf.engine.evaluate import Result, evaluate
from xlperf.engine.findings import Finding
from xlperf.engine.indicators import Indicator
from xlperf.engine.inputs import (
    AssetGroup,
    Assets,
    Budget,
    BudgetStage,
    DailyPublic,
    EvaluatorEntry,
    Inputs,
    KeyTask,
    Petitions,
    Procurement,
    Project,
    Quarterly,
    SanGong,
    Staff,
    Survey,
)
from xlperf.engine.scoring import ItemScore
from xlperf.engine.system import load

D = Decimal
YES = True


def example_unit() -> Inputs:
    """A made-up unit with round figures; every score below is derived by hand."""
    return Inputs(
        unit="示例单位",
        year=2024,
        budget=Budget(
            initial=BudgetStage(D("1000.00"), D("700.00"), D("300.00")),
            adjusted=BudgetStage(D("1000.00"), D("700.00"), D("300.00")),
            spent=BudgetStage(D("950.00"), D("660.00"), D("290.00")),
        ),
        quarterly=Quarterly(cumulative=(D("250.00"), D("500.00"), D("750.00"), D("950.00"))),
        procurement=Procurement(plan=D("100.00"), contracted=D("80.00"), paid=D("80.00")),
        sangong=SanGong(budget=D("10.00"), actual=D("8.00")),
        daily_public=DailyPublic(adjusted_budget=D("50.00"), actual=D("50.00")),
        assets=Assets(total_count=10, total_value=D("100.00"), groups=(
            AssetGroup("在用", 9, D("95.00"), "办公设备"), AssetGroup("待处置", 1, D("5.00"), "旧车"))),
        staff=Staff(authorized=20, on_payroll=20, dispatched=1),
        projects=(
            Project("甲", D("100.00"), D("100.00"), "按期完成"),
            Project("乙", D("100.00"), D("95.00"), "按期完成"),
            Project("丙", D("50.00"), D("50.00"), "按期完成"),
            Project("丁", D("50.00"), D("45.00"), "逾期完成"),
        ),
        key_tasks=(KeyTask("任务一", "市委", True), KeyTask("任务二", "市政府", True)),
        petitions=Petitions(channel_exists=True, received=5, replied=5, replied_on_time=5),
        surveys=(Survey("年度调查", respondents=200, satisfied=190),),
        evaluator={
            "budget_reasonableness": EvaluatorEntry(ticks=(YES,) * 5),
            "budget_compliance": EvaluatorEntry(count=0),
            "target_completeness": EvaluatorEntry(count=0),
            "indicator_clarity": EvaluatorEntry(ticks=(YES,) * 5),
            "procurement_policy": EvaluatorEntry(points=D("1")),
            "financial_violation": EvaluatorEntry(flag=False),
            "spending_compliance": EvaluatorEntry(points=D("1")),
            "accounting_compliance": EvaluatorEntry(points=D("1")),
            "classified_unit": EvaluatorEntry(flag=False),
            "budget_disclosure": EvaluatorEntry(choice="按规定公开"),
            "final_accounts_disclosure": EvaluatorEntry(choice="按规定公开"),
            "project_procedure": EvaluatorEntry(ticks=(YES, YES)),
            "project_supervision": EvaluatorEntry(ticks=(YES, YES)),
            "asset_safety": EvaluatorEntry(ticks=(YES, YES)),
            "rules_soundness": EvaluatorEntry(ticks=(YES, YES, YES)),
            "effectiveness": EvaluatorEntry(points=D("25")),
        },
    )


# item → points, by hand from the 评分标准:
EXPECTED = {
    "budget_reasonableness": "5", "budget_compliance": "5", "target_completeness": "3", "indicator_clarity": "7",
    "procurement": "1.8",  # 80 ÷ 100 = 80 % × 1 + policy 1
    "financial_compliance": "3",  # no adjustments: 0 % ≤ 10 % → 1, judgments 1 + 1
    "disclosure": "3",
    "project_procedure": "2", "project_supervision": "2", "asset_safety": "2",
    "asset_utilization": "1",  # 95 ÷ 100 = 95 % ≥ 90 %
    "staff_control": "1",  # 20 ÷ 20 = 100 % ≤ 100 %
    "outside_staff_control": "1",  # 1 ÷ 21 = 4.76 % < 5 %
    "rules_soundness": "3",
    "public_expense_control": "5",  # 三公 8 ÷ 10 = 80 % → 3; 日常公用 50 ÷ 50 = 100 % → 2
    # r = 1, 1, 1, 0.95 → 3.95; mean 0.9875 × 2 = 1.975 → 5.925, half up 5.93
    "budget_execution": "5.93",
    "key_tasks": "8",
    "project_timeliness": "4.5",  # 3 of 4 on time × 6
    "effects": "25",
    "petitions": "3",  # channel, 5/5 replied, 5/5 on time
    "satisfaction": "6",  # 190 ÷ 200 = 95 %
}


@pytest.fixture(scope="module")
def result() -> Result:
    return evaluate(example_unit(), load(Path(xlperf.__file__).parent / "engine" / "systems" / "shenzhen-2024.toml"))


def test_items_subtotals_and_total(result: Result) -> None:
    assert {s.item.id: s.points for s in result.items} == {k: D(v) for k, v in EXPECTED.items()}
    assert result.level1 == {"decision": D("20"), "management": D("19.8"), "performance": D("57.43")}
    assert result.level2["efficiency"] == D("18.43")  # 5.93 + 8 + 4.5
    assert result.total == D("97.23")  # 20 + 19.8 + 57.43


def test_plain_objects(result: Result) -> None:
    assert all(isinstance(s, ItemScore) for s in result.items)
    assert all(isinstance(i, Indicator) for i in result.indicators.values())
    assert all(isinstance(f, Finding) for f in result.findings)
    assert result.indicators["quarter_rate_mean"].value == D("0.9875")
    assert result.indicators["procurement_execution_rate"].value == D("0.8")
    assert result.item("budget_execution").exact == D("5.925")
    used = {u.path for u in result.indicators["budget_execution_rate"].used}
    assert used == {"budget.spent.total", "budget.adjusted.total"}


def test_findings_of_the_example(result: Result) -> None:
    # Q4 950 = spent 950; parts add up; counts match: nothing to report.
    assert [(f.code, f.field) for f in result.findings] == []


def test_frames(result: Result) -> None:
    items = result.items_frame()
    assert isinstance(items, pd.DataFrame)
    assert list(items.index) == list(EXPECTED)
    assert items.loc["budget_execution", "评分"] == D("5.93")
    assert items["评分"].sum() == result.total
    assert items["参考分值"].sum() == D("100")

    indicators = result.indicators_frame()
    assert set(indicators.index) == set(result.indicators)
    assert indicators.loc["satisfaction_rate", "值"] == D("0.95")

    findings = result.findings_frame()
    assert list(findings.columns) == ["代码", "级别", "说明", "字段"]
    assert findings.empty


def test_findings_frame_with_rows() -> None:
    unit = example_unit()
    broken = Inputs(**{**unit.__dict__, "sangong": SanGong(budget=D("10.00"), actual=D("10.01"))})
    frame = evaluate(broken).findings_frame()
    assert list(frame["代码"]) == ["OVERSPENT"]
    assert list(frame["字段"]) == ["sangong.actual"]


def test_to_dict_is_json(result: Result) -> None:
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["total"] == "97.23"
    assert data["system"]["id"] == "shenzhen-2024"
    assert {k: D(v) for k, v in data["level1"].items()} == {"部门决策": D("20"), "部门管理": D("19.8"),
                                                          "部门绩效": D("57.43")}
    assert {i["id"]: D(i["points"]) for i in data["items"]} == {k: D(v) for k, v in EXPECTED.items()}
    assert data["indicators"]["satisfaction_rate"]["value"] == "0.95"


def test_another_system_by_name() -> None:
    # Same inputs, Hunan-style rules: staff 100 % → 5; no prior 三公 → that rate is missing → 0;
    # execution 95 % → 5 − (5 / 5) × 2 = 3; no mid-year addition → 5; 95 % × 7 = 6.65.
    result = evaluate(example_unit(), "hunan-district")
    assert {s.item.id: s.points for s in result.items} == {
        "staff_in_service": D("5"), "sangong_change": D("0"), "budget_completion": D("3"),
        "budget_control": D("5"), "execution_weighted": D("6.65")}
    assert result.total == D("19.65")


# --------------------------------------------------------------------------- architecture

PACKAGE = Path(xlperf.__file__).parent
EDGE = {PACKAGE / "cli.py", PACKAGE / "workbook_cli.py", PACKAGE / "__main__.py"}
# The adapters: the zip package (and the openpyxl template builder), Excel through xlwings, the batch runner.
EDGE_PACKAGES = (PACKAGE / "workbook", PACKAGE / "batch", PACKAGE / "excel")
FORBIDDEN = {"openpyxl", "xlwings", "lxml", "zipfile", "python_calamine", "xlsxwriter", "defusedxml"}
ADAPTERS = {"workbook", "batch", "excel", "cli", "workbook_cli"}


def pure_modules() -> list[Path]:
    """The engine, the book layer and the shared helpers: everything but the adapters and the CLI."""
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if p not in EDGE and not any(pkg in p.parents for pkg in EDGE_PACKAGES))


def imported(source: str) -> set[str]:
    """Top-level package of every absolute import, wherever it stands (functions included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def relative(source: str) -> set[str]:
    """First component of every relative import ("from .workbook.x import y" → "workbook")."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names |= {a.name for a in node.names}
    return names


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_modules_do_not_reach_into_the_adapters(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not relative(source) & ADAPTERS
    assert "xlperf" not in imported(source)  # relative imports only: no absolute detour around the check


ENGINE = sorted((PACKAGE / "engine").glob("*.py"))


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_engine_knows_no_book(path: Path) -> None:
    # The flow is book -> inputs -> engine -> outputs -> book: the engine never looks back at the book.
    assert not relative(path.read_text(encoding="utf-8")) & {"book"}


def test_the_scan_sees_every_layer() -> None:
    names = {str(p.relative_to(PACKAGE)) for p in pure_modules()}
    assert {"engine/evaluate.py", "engine/kinds/__init__.py", "engine/inputs.py", "book/reader.py", "book/codec.py",
            "book/fill.py", "book/layout.py", "errors.py"} <= names
    assert not any(n.startswith(("workbook/", "excel/", "batch/")) for n in names)


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_middle_imports_no_spreadsheet_library(path: Path) -> None:
    assert not imported(path.read_text(encoding="utf-8")) & FORBIDDEN


def test_the_scan_would_catch_an_import() -> None:
    # The checker itself: function-level and dotted imports count too.
    source = "import os\ndef f():\n    import zipfile\n    from openpyxl.cell import Cell\n    from . import kinds\n"
    assert imported(source) == {"os", "zipfile", "openpyxl"}
    assert relative("from .workbook.layout import x\nfrom . import cli\nfrom ..fields import y\n") == {
        "workbook", "cli", "fields"}


def test_the_fast_sha256_is_sha256() -> None:
    import hashlib

    from xlperf.digest import sha256

    for data in (b"", b"abc", "指标体系".encode() * 1000):
        assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    h = sha256()
    h.update(b"a")
    h.update(b"bc")
    assert h.hexdigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 "abc"


def test_the_fast_sha256_without_hashlib_loaded_is_sha256(monkeypatch) -> None:
    import sys

    from xlperf import digest

    monkeypatch.delitem(sys.modules, "hashlib")
    assert digest.sha256(b"abc").hexdigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert type(digest.sha256()) is type(digest._builtin())


# The book layer works for every book (zip, memory, Excel): besides importing no zip, XML or spreadsheet
# library nor any adapter (the pure-module tests above), it may hold none of the zip-package machinery.
BOOK_LAYER = sorted((PACKAGE / "book").glob("*.py"))


@pytest.mark.parametrize("path", BOOK_LAYER, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_book_layer_imports_no_package_machinery(path: Path) -> None:
    assert not relative(path.read_text(encoding="utf-8")) & {
        "package", "sheetread", "sheetpatch", "zipraw", "opc", "xmlsafe", "contents", "writer", "structure", "zipbook"}


def test_every_data_file_the_package_reads_is_installed_with_it() -> None:
    # A file read beside the code (layout.toml, the systems, the VBA project) must be package data,
    # or an installed wheel (xlwings Lite, a server) fails where the source checkout works.
    import fnmatch
    import tomllib

    globs = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "package-data"]["xlperf"]
    data = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*")
            if p.is_file() and p.suffix not in {".py", ".pyc", ".md"} and "__pycache__" not in p.parts]
    assert "book/layout.toml" in data
    assert [d for d in data if not any(fnmatch.fnmatch(d, g) for g in globs)] == []
