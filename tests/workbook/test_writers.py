"""The same inputs written the ways real programs write them score as the engine scores exact decimals.

Three writers of one input workbook, each at exact band edges of five rule kinds:
- openpyxl with Python floats: what a short filling script does (openpyxl serialises ``%.16g``);
- Excel's 17 significant digits: the openpyxl book with every number ``<v>`` rewritten as
  ``format(x, '.17g')`` (how Excel stores 0.58: ``0.57999999999999996``);
- LibreOffice: the openpyxl book converted by ``soffice --convert-to xlsx``.
Each is read by ``compute`` and must give the total, every item's points and the same finding codes
as ``evaluate`` on the exact decimal strings. A control decodes the ``<v>`` texts naively (straight
to Decimal) and shows the edges are real: the scores would differ.
"""

from __future__ import annotations

import copy
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

import lo
from fixtures import MAIN, Pkg, before_save
from xlperf.book import codec
from xlperf.engine.evaluate import Result, evaluate
from xlperf.examples import reference_data
from xlperf.engine.fields import inputs_from_dict
from xlperf.engine.system import load
from xlperf.book.layout import name_for
from xlperf.workbook.package import Package
from xlperf.workbook.template import build_template

# field → (exact text, the float a script would hand openpyxl). Each pair derived here:
SHENZHEN = {
    # bands (公用经费控制率's 三公 part: [0, 90%) → 3, [90%, 100%] → 2): 8.37 ÷ 9.30 = 0.9 exactly → 2.
    # float 8.37 prints as 8.369999999999999 (%.16g) and 8.3699999999999992 (.17g): both below 90 % → 3.
    "sangong.actual": ("8.37", 8.37),
    "sangong.budget": ("9.30", 9.3),
    # rate_points with zero_above 100 % (政府采购执行率 × 1; above plan → 0): plan 4.47, two contracts
    # 1.02 + 3.45 = 4.47 exactly → 100 % → 1 (+ policy 1 = 2). The float sum is 4.470000000000001: "above
    # plan" → 0 (+ 1 = 1).
    "procurement.plan": ("4.47", 4.47),
    "procurement.contracted": ("4.47", 1.02 + 3.45),
    "procurement.paid": ("4.47", 1.02 + 3.45),
    # checklist (信访: "回复率达100%" when petition_reply_rate >= 100%, 1 point): 0.7 + 0.2 + 0.1 = 1 exactly
    # → met. As floats 0.9999999999999999 (.16g) / 0.99999999999999989 (.17g): unmet, 1 point lost.
    "petitions.reply_rate": ("1", 0.7 + 0.2 + 0.1),
    # quarterly (预算执行率 6 = Σ min(r_q, 1) + 2 × min(mean, 1)): progress on the 25/50/75/100 % timeline
    # → 6. The floats 0.1 + 0.15 = 0.25, 0.2 + 0.3 = 0.5, 0.45 + 0.3 = 0.75, 0.7 + 0.2 + 0.1: only Q4 carries
    # noise (0.9999999999999999), which cannot move a 0.01 score: this edge checks equality, not a flip.
    "quarterly.progress[0]": ("0.25", 0.1 + 0.15),
    "quarterly.progress[1]": ("0.5", 0.2 + 0.3),
    "quarterly.progress[2]": ("0.75", 0.45 + 0.3),
    "quarterly.progress[3]": ("1", 0.7 + 0.2 + 0.1),
}
HUNAN = {
    # bands with a closed point band (预算控制率: [0, 0] → 5, (0, 10%] → 4): adjusted = initial = 4.47, so
    # max(adjusted − initial, 0) ÷ initial = 0 → 5. A script summing 1.02 + 3.45 writes 4.470000000000001:
    # a tiny 追加 in (0, 10%] → 4.
    "budget.initial.total": ("4.47", 4.47),
    "budget.initial.basic": ("1.02", 1.02),
    "budget.initial.project": ("3.45", 3.45),
    "budget.adjusted.total": ("4.47", 1.02 + 3.45),
    "budget.adjusted.basic": ("1.02", 1.02),
    "budget.adjusted.project": ("3.45", 3.45),
    # linear (预算完成率: 100 % full, 2 points off per 5 points below) and rate_points capped at 100 %
    # (执行率 × 7): spent 4.47 ÷ adjusted 4.47 = 100 % → 5 and 7. The noisy adjusted total leaves the rate
    # a hair under 100 %, a loss far below 0.005: again equality, not a flip.
    "budget.spent.total": ("4.47", 4.47),
    "budget.spent.basic": ("1.02", 1.02),
    "budget.spent.project": ("3.45", 3.45),
}
SYSTEMS = {"shenzhen-2024": SHENZHEN, "hunan-district": HUNAN}
from xlperf.book.fill import compute as compute_book
from xlperf.workbook.zipbook import ZipBook


def compute(pkg, system):
    """(result, read, output cells) of a zip package, through the book interface."""
    scored = compute_book(ZipBook(pkg), system)
    return scored.result, scored.read, scored.cells



def _set(data: dict, path: str, value: str) -> None:
    parts = re.findall(r"[^.\[\]]+", path)
    node = data
    for part, nxt in zip(parts, parts[1:]):
        node = node.setdefault(part, [None] * 4 if nxt.isdigit() else {})
    last = parts[-1]
    node[int(last) if last.isdigit() else last] = value


def exact_data(edges: dict) -> dict:
    data = copy.deepcopy(reference_data())
    if any(p.startswith("quarterly.progress") for p in edges):
        data["quarterly"] = {}
    for path, (text, _) in edges.items():
        _set(data, path, text)
    return data


def float_hook(edges: dict):
    """Before openpyxl saves: put the script's floats into the edited cells, found by their defined names."""
    def hook(wb) -> None:
        for path, (_, x) in edges.items():
            for sheet, ref in wb.defined_names[name_for(path)].destinations:
                wb[sheet][ref.replace("$", "")].value = x
    return hook


def seventeen_digits(src: Path, dst: Path) -> Path:
    """Every number cell's <v> rewritten with 17 significant digits, as Excel stores doubles."""
    pkg = Pkg(src)
    for part in [m for m in pkg.members if m.startswith("xl/worksheets/sheet")]:
        root = pkg.xml(part)
        for c in root.iter(f"{{{MAIN}}}c"):
            v = c.find(f"{{{MAIN}}}v")
            if c.get("t", "n") == "n" and v is not None and v.text:
                v.text = format(float(v.text), ".17g")
        pkg.put_xml(part, root)
    return pkg.save(dst)


def scores(result: Result) -> tuple:
    return (result.total, {s.item.id: s.points for s in result.items}, sorted(f.code for f in result.findings))


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """{system: {writer: path}} — the LibreOffice copies made in one soffice call."""
    work = tmp_path_factory.mktemp("writers")
    out: dict[str, dict[str, Path]] = {}
    for system, edges in SYSTEMS.items():
        floats = work / f"{system}-openpyxl.xlsx"
        with before_save(float_hook(edges)):
            build_template(floats, load(system), data=exact_data(edges))
        out[system] = {"openpyxl": floats, "excel17": seventeen_digits(floats, work / f"{system}-excel17.xlsx")}
    return out


def _number_texts(path: Path, sheet_part_values: set[str]) -> set[str]:
    pkg = Pkg(path)
    texts = set()
    for part in [m for m in pkg.members if m.startswith("xl/worksheets/sheet")]:
        texts |= {v.text for v in pkg.xml(part).iter(f"{{{MAIN}}}v") if v.text in sheet_part_values}
    return texts


def test_the_writers_really_write_binary_noise(books):
    # The fixtures are what the docstring says: openpyxl's %.16g and Excel's 17 digits of the same doubles.
    assert _number_texts(books["shenzhen-2024"]["openpyxl"], {"8.369999999999999", "4.470000000000001",
                                                             "0.9999999999999999"}) == {
        "8.369999999999999", "4.470000000000001", "0.9999999999999999"}
    assert _number_texts(books["shenzhen-2024"]["excel17"], {"8.3699999999999992", "0.99999999999999989"}) == {
        "8.3699999999999992", "0.99999999999999989"}


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.parametrize("writer", ["openpyxl", "excel17"])
def test_writer_scores_as_the_exact_engine(books, system, writer):
    expected = evaluate(inputs_from_dict(exact_data(SYSTEMS[system])), load(system))
    result, read, _ = compute(Package.open(books[system][writer]), system)
    assert read.problems == []
    assert scores(result) == scores(expected)


@pytest.mark.parametrize("system, item, exact, naive", [
    ("shenzhen-2024", "public_expense_control", "4", "5"),  # 三公 2 → 3 (+ 日常公用 2)
    ("shenzhen-2024", "procurement", "2", "1"),
    ("shenzhen-2024", "petitions", "3", "2"),
    ("hunan-district", "budget_control", "5", "4"),
])
@pytest.mark.parametrize("writer", ["openpyxl", "excel17"])
def test_naive_decoding_would_cross_the_edges(books, monkeypatch, system, item, exact, naive, writer):
    # Control: reading <v> straight into a Decimal (what the codec replaced) lands on the other side.
    result, _, _ = compute(Package.open(books[system][writer]), system)
    assert result.item(item).points == Decimal(exact)
    monkeypatch.setattr(codec, "from_number_text", lambda text: Decimal(text.strip()))
    naive_result, _, _ = compute(Package.open(books[system][writer]), system)
    assert naive_result.item(item).points == Decimal(naive)


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_copy_scores_as_the_exact_engine(books, tmp_path):
    sources = [books[s]["openpyxl"] for s in SYSTEMS]
    converted = lo.convert(sources, "xlsx", tmp_path / "lo").files
    for system, src in zip(SYSTEMS, sources):
        path = converted[src][0]
        assert etree.fromstring(Package.open(path).read("xl/workbook.xml")) is not None
        expected = evaluate(inputs_from_dict(exact_data(SYSTEMS[system])), load(system))
        result, read, _ = compute(Package.open(path), system)
        assert read.problems == []
        assert scores(result) == scores(expected), system


@pytest.mark.parametrize("typed", ["4.73", "４.７３", "４．７３", " 4.73 "])
def test_numbers_typed_as_text_are_read_exactly_as_typed(tmp_path, typed):
    # A text cell is the user's own digits: no double in between. 政府采购 contracted 4.73 of plan 5.34
    # (88.58 % × 1 + policy 1 = 1.8858 → 1.89), as in the reference unit, whichever digits were typed.
    from fixtures import build_example, field_cell, set_cells

    pkg = Pkg(build_example(tmp_path / "base.xlsx"))
    sheet, ref = field_cell(pkg, "procurement.contracted")
    set_cells(pkg, sheet, {ref: typed})  # a str becomes an inline-string cell
    result, read, _ = compute(Package.open(pkg.save(tmp_path / "text.xlsx")), "shenzhen-2024")
    assert read.problems == [] and read.data["procurement"]["contracted"] == typed  # the text itself
    assert result.indicators["procurement_execution_rate"].value == Decimal("4.73") / Decimal("5.34")
    assert result.item("procurement").points == Decimal("1.89")


def test_thousands_separators_in_a_text_cell(tmp_path):
    # "1,912.37" typed as text is 1912.37: the reference unit's adjusted budget, so the total stays 96.88.
    from fixtures import build_example, field_cell, set_cells

    pkg = Pkg(build_example(tmp_path / "base.xlsx"))
    sheet, ref = field_cell(pkg, "budget.adjusted.total")
    set_cells(pkg, sheet, {ref: "1,912.37"})
    result, read, _ = compute(Package.open(pkg.save(tmp_path / "text.xlsx")), "shenzhen-2024")
    assert read.problems == [] and result.inputs.budget.adjusted.total == Decimal("1912.37")
    assert result.total == Decimal("96.88")
