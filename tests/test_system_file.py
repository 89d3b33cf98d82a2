"""Indicator-system files: every malformation is one SystemFileError naming the file and
the entry; and the Hunan-style system is scored by the same code as Shenzhen's.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from xlperf.engine.evaluate import evaluate
from xlperf.errors import SystemFileError
from xlperf.examples import reference_data
from xlperf.engine.fields import inputs_from_dict
from xlperf.engine.system import load

MINI = """
[system]
id = "mini"
name = "迷你体系"
total = "10"

[[level1]]
id = "l1"
name = "部门管理"
points = "10"

[[level2]]
id = "l2"
parent = "l1"
name = "资产与制度"
points = "10"

[[item]]
id = "util"
parent = "l2"
name = "固定资产利用率"
points = "4"
kind = "bands"
indicator = "asset_utilization_rate"
bands = [
  { range = "[90%, inf)", points = "4" },
  { range = "[60%, 90%)", points = "2" },
  { range = "[0, 60%)", points = "0" },
]

[[item]]
id = "rules"
parent = "l2"
name = "管理制度健全性"
points = "6"
kind = "checklist"
input = "rules"
checks = [
  { text = "制定了制度", points = "3" },
  { text = "制度有效执行", points = "3" },
]
"""

EXTRA_ITEM = """
[[item]]
id = "{id}"
parent = "l2"
name = "附加指标"
points = "0"
kind = "{kind}"
{params}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "system.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(SystemFileError) as caught:
        load(path)
    message = str(caught.value)
    assert all(line.startswith(f"{path}: ") for line in message.splitlines()), message
    return message


def test_the_mini_system_itself_is_valid(tmp_path: Path) -> None:
    system = load(write(tmp_path, MINI))
    assert [i.id for i in system.items] == ["util", "rules"]
    assert system.total == Decimal("10")


def extra(kind: str, params: str, id_: str = "extra") -> str:
    return MINI + EXTRA_ITEM.format(id=id_, kind=kind, params=params)


# (change to MINI, entry named, what the message must say)
BROKEN = [
    pytest.param(MINI.replace('points = "4"', 'points = "3"'), "[l2]", "下级指标分值之和 9 ≠ 本级参考分值 10",
                 id="children do not add up"),
    pytest.param(MINI.replace('total = "10"', 'total = "100"'), "[system]", "一级指标分值之和 10 ≠ 总分 100",
                 id="level1 do not add up to the total"),
    pytest.param(MINI.replace('kind = "bands"', 'kind = "tiers"'), "[item util]", "未知的规则类型“tiers”",
                 id="unknown kind"),
    pytest.param(MINI.replace('indicator = "asset_utilization_rate"', 'indicator = "asset_use_rate"'),
                 "[item util]", "引用的指标“asset_use_rate”不存在", id="unknown indicator"),
    pytest.param(extra("checklist", 'checks = [{ text = "回复率", points = "0", when = "reply_rate >= 100%" }]'),
                 "[item extra]", "引用的指标“reply_rate”不存在", id="unknown indicator in a condition"),
    pytest.param(extra("checklist", 'checks = [{ text = "回复率", points = "0", when = "petition_reply_rate ≈ 1" }]'),
                 "[item extra]", "petition_reply_rate ≈ 1", id="malformed condition"),
    pytest.param(MINI.replace("[60%, 90%)", "[60%, 85%)"), "[item util]", "之间有空隙", id="bands with a gap"),
    pytest.param(MINI.replace("[60%, 90%)", "[60%, 90%]"), "[item util]", "重叠", id="bands overlapping at 90%"),
    pytest.param(MINI.replace("[60%, 90%)", "[50%, 90%)"), "[item util]", "重叠", id="bands overlapping 50-60%"),
    pytest.param(MINI.replace('  { range = "[0, 60%)", points = "0" },\n', ""), "[item util]", "分档未从",
                 id="bands not starting at the domain"),
    pytest.param(MINI.replace("[90%, inf)", "[90%, 200%)"), "[item util]", "分档未覆盖到",
                 id="bands not reaching the domain's end"),
    pytest.param(MINI.replace("[0, 60%)", "(0, 60%)"), "[item util]", "分档未从", id="bands missing 0 itself"),
    pytest.param(MINI.replace('{ range = "[90%, inf)", points = "4" }', '{ range = "[90%, inf)", points = "5" }'),
                 "[item util]", "不在 0–4 之间", id="band worth more than the item"),
    pytest.param(MINI.replace('{ range = "[0, 60%)", points = "0" }', '{ range = "0 to 60%", points = "0" }'),
                 "[item util]", "0 to 60%", id="malformed interval"),
    pytest.param(MINI.replace('{ text = "制度有效执行", points = "3" }', '{ text = "制度有效执行", points = "2" }'),
                 "[item rules]", "各项标准分值之和 5 ≠ 6", id="checklist criteria do not add up"),
    pytest.param(MINI.replace('input = "rules"\n', ""), "[item rules]", "缺少参数 input", id="checklist without input"),
    pytest.param(MINI.replace('kind = "bands"\n', ""), "[item util]", "缺少字段 kind", id="item without kind"),
    pytest.param(MINI.replace('parent = "l1"\n', ""), "[level2 l2]", "缺少字段 parent", id="level2 without parent"),
    pytest.param(MINI.replace('total = "10"\n', ""), "[system]", "缺少字段 total", id="system without total"),
    pytest.param(MINI.replace('parent = "l2"\nname = "固定资产利用率"', 'parent = "l9"\nname = "固定资产利用率"'),
                 "[item util]", "上级指标“l9”不存在", id="unknown parent"),
    pytest.param(MINI.replace('points = "6"\nkind', 'points = "six"\nkind'), "[item rules]", "分值“six”不是数字",
                 id="points not a number"),
    pytest.param(MINI.replace('id = "rules"', 'id = "util"'), "[util]", "编号重复", id="duplicate ids"),
    pytest.param(MINI.replace('id = "l2"', 'id = "l1"').replace('parent = "l2"', 'parent = "l1"'), "[l1]", "编号重复",
                 id="duplicate ids across levels"),
    pytest.param(extra("linear", 'indicator = "staff_control_rate"\nthreshold = "100%"\nper = "0.5"\n'
                                 'direction = "upwards"'), "[item extra]", "direction", id="linear bad direction"),
    pytest.param(extra("linear", 'indicator = "staff_control_rate"\nthreshold = "100%"'), "[item extra]",
                 "缺少参数 per", id="linear without per"),
    pytest.param(extra("quarterly", 'quarter_points = "1"\nmean_points = "2"'), "[item extra]",
                 "季度分值 4×1 + 平均分值 2 ≠ 0", id="quarterly points do not add up"),
    pytest.param(extra("deduction", 'per = "1"'), "[item extra]", "须二选一", id="deduction with no source"),
    pytest.param(extra("choice", 'input = "x"\noptions = [{ value = "好", points = "1" }]'), "[item extra]",
                 "分值超过 0", id="choice option above the item"),
    pytest.param(extra("composite", 'parts = [{ kind = "judgment", points = "1", input = "x" }]'), "[item extra]",
                 "各部分分值之和 1 ≠ 0", id="composite parts do not add up"),
    pytest.param(extra("composite", 'parts = [{ kind = "composite", points = "0", parts = [] }]'), "[item extra]",
                 "规则类型“composite”未知", id="composite nested"),
    pytest.param(extra("rate_points", 'indicator = "project_on_time_rate"\nif_undefined = "half"'), "[item extra]",
                 "if_undefined", id="if_undefined neither zero nor full"),
]


@pytest.mark.parametrize("text, entry, says", BROKEN)
def test_broken_file(tmp_path: Path, text: str, entry: str, says: str) -> None:
    message = error_of(tmp_path, text)
    lines = [line for line in message.splitlines() if f" {entry} " in line]
    assert lines, message
    assert any(says in line for line in lines), message


def test_every_error_is_listed_at_once(tmp_path: Path) -> None:
    text = (MINI.replace('kind = "bands"', 'kind = "tiers"')
            .replace('{ text = "制度有效执行", points = "3" }', '{ text = "制度有效执行", points = "2" }')
            .replace('total = "10"', 'total = "20"'))
    message = error_of(tmp_path, text)
    entries = {line.split("] ")[0].split("[", 1)[1] for line in message.splitlines()}
    assert entries == {"item util", "item rules", "system"}


def test_invalid_toml(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINI.replace("[[item]]", "[[item]", 1))
    assert "不是有效的 TOML 文件" in message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes(MINI.encode("gbk"))
    with pytest.raises(SystemFileError, match="不是有效的 TOML 文件") as caught:
        load(path)
    assert str(path) in str(caught.value)
    assert "不是 UTF-8 编码的文本" in str(caught.value) and "codec" not in str(caught.value)


def test_utf8_with_notepads_bom_loads(tmp_path: Path) -> None:
    """Notepad marks UTF-8 with a BOM, which tomllib refuses ("Invalid statement"); the file's bytes stay its identity."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINI.encode())
    plain = tmp_path / "plain.toml"
    plain.write_bytes(MINI.encode())
    with_bom, without = load(path), load(plain)
    assert [i.id for i in with_bom.items] == [i.id for i in without.items]
    assert with_bom.sha256 != without.sha256


def test_missing_file_and_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(SystemFileError, match="无法读取"):
        load(tmp_path / "nowhere.toml")
    with pytest.raises(SystemFileError, match="shenzhen-2024"):  # lists what is available
        load("beijing-2030")


@pytest.mark.parametrize("name", ["shenzhen-2024", "hunan-district"])
def test_bundled_systems_load_and_add_up(name: str) -> None:
    system = load(name)
    assert sum(n.points for n in system.level1) == system.total
    assert sum(i.points for i in system.items) == system.total
    assert len(system.sha256) == 64


# --------------------------------------------------------------------------- Hunan, by hand

HUNAN = load("hunan-district")


def hunan_unit() -> dict:
    d = reference_data()
    d["staff"] = {"authorized": 25, "on_payroll": 26, "dispatched": 0, "direct_hire": 0}
    d["sangong"] = {"budget": "5.31", "actual": "3.10", "prior_budget": "5.00"}
    d["budget"] = {
        "initial": {"total": "100.00", "basic": "70.00", "project": "30.00"},
        "adjusted": {"total": "112.00", "basic": "80.00", "project": "32.00"},
        "spent": {"total": "100.80", "basic": "72.00", "project": "28.80"},
    }
    d["quarterly"] = {"cumulative": ["25.00", "50.00", "75.00", "100.80"]}
    del d["stated"]
    return d


def test_hunan_hand_derived_case() -> None:
    result = evaluate(inputs_from_dict(hunan_unit()), HUNAN)
    expected = {
        # 在职 26 ÷ 编制 25 = 104 %: 4 points over 100 %, 0.5 off each → 5 − 4 × 0.5 = 3.
        "staff_in_service": "3",
        # 三公 budget 5.31 vs last year's 5.00: +0.31 ÷ 5.00 = +6.2 % → 8 − 6.2 × 0.8 = 8 − 4.96 = 3.04.
        "sangong_change": "3.04",
        # Execution 100.80 ÷ 112.00 = 90 %: 10 points below 100 %, 2 off per 5 → 5 − (10 / 5) × 2 = 1.
        "budget_completion": "1",
        # Mid-year addition: adjusted − initial = 112.00 − 100.00 = 12.00 → 12 % of 100.00: (10 %, 20 %] → 3.
        "budget_control": "3",
        # Execution rate × weight: 90 % × 7 = 6.3.
        "execution_weighted": "6.3",
    }
    assert {s.item.id: s.points for s in result.items} == {k: Decimal(v) for k, v in expected.items()}
    # 3 + 3.04 + 1 + 3 + 6.3
    assert result.total == Decimal("16.34")
    assert result.indicators["midyear_adjustment"].value == Decimal("12.00")
    assert result.indicators["sangong_change_rate"].value == Decimal("0.062")


@pytest.mark.parametrize("adjusted, points", [
    ("100.00", "5"),  # no addition: [0, 0] → 5
    ("90.00", "5"),  # a cut is no addition
    ("110.00", "4"),  # exactly 10 %: (0, 10 %] → 4
    ("110.01", "3"),
    ("120.00", "3"),  # exactly 20 %
    ("130.00", "2"),  # exactly 30 %
    ("130.01", "0"),
])
def test_hunan_budget_control_bands(adjusted: str, points: str) -> None:
    d = hunan_unit()
    d["budget"]["adjusted"] = {"total": adjusted, "basic": adjusted, "project": "0"}
    assert evaluate(inputs_from_dict(d), HUNAN).item("budget_control").points == Decimal(points)


@pytest.mark.parametrize("authorized, on_payroll, points", [
    (25, 25, "5"),  # 100 %: full
    (25, 20, "5"),
    (100, 101, "4.5"),  # 1 point over → 0.5 off
    (25, 27, "1"),  # 108 %: 8 × 0.5 = 4 off
    (25, 28, "0"),  # 112 %: 6 off, floor 0
    (0, 3, "0"),  # people without any establishment: above every bound
])
def test_hunan_staff_linear(authorized: int, on_payroll: int, points: str) -> None:
    d = hunan_unit()
    d["staff"] = {"authorized": authorized, "on_payroll": on_payroll}
    assert evaluate(inputs_from_dict(d), HUNAN).item("staff_in_service").points == Decimal(points)


@pytest.mark.parametrize("budget, prior, points", [
    ("5.00", "5.00", "8"),  # no growth
    ("4.00", "5.00", "8"),  # a cut
    ("5.50", "5.00", "0"),  # +10 %: 8 off
    ("1.00", "0", "0"),  # from nothing: growth above every bound
])
def test_hunan_sangong_change(budget: str, prior: str, points: str) -> None:
    d = hunan_unit()
    d["sangong"] = {"budget": budget, "actual": "0", "prior_budget": prior}
    assert evaluate(inputs_from_dict(d), HUNAN).item("sangong_change").points == Decimal(points)


def test_parsed_files_are_cached_by_content(tmp_path, monkeypatch):
    # The cache is only a speed-up: same data from a hit, a corrupt entry parsed again, no folder no error.
    from xlperf import tomlcache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("XLPERF_NO_CACHE", raising=False)
    data = b'[system]\nid = "x"\nvalues = ["1", "2"]\n'
    first = tomlcache.loads(data)
    entries = list((tmp_path / "cache" / "xlperf").glob("*.marshal"))
    assert len(entries) == 1
    assert tomlcache.loads(data) == first == {"system": {"id": "x", "values": ["1", "2"]}}
    entries[0].write_bytes(b"not marshal")
    assert tomlcache.loads(data) == first
    assert tomlcache.loads(data.replace(b'"x"', b'"y"'))["system"]["id"] == "y"  # other bytes, other entry
    (tmp_path / "ro").write_text("a file, not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "ro"))
    assert tomlcache.loads(data) == first


def test_invalid_toml_still_reported_with_the_cache(tmp_path, monkeypatch):
    from xlperf.engine import system as system_mod

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bad = tmp_path / "bad.toml"
    bad.write_text("[system\nid = 1\n", encoding="utf-8")
    with pytest.raises(SystemFileError) as exc:
        system_mod.load(bad)
    assert "不是有效的 TOML" in str(exc.value)



@pytest.mark.parametrize("home", [None, "/"], ids=["unset", "root"])
def test_no_home_means_no_cache_and_no_error(monkeypatch, home):
    # A service account without HOME (or with HOME=/) must still run every command.
    from xlperf import tomlcache

    for env in ("XDG_CACHE_HOME", "XLPERF_NO_CACHE"):
        monkeypatch.delenv(env, raising=False)
    if home is None:
        monkeypatch.delenv("HOME", raising=False)
        # What expanduser does without HOME and without a passwd entry for the user:
        monkeypatch.setattr(tomlcache.os.path, "expanduser", lambda p: p)
    else:
        monkeypatch.setenv("HOME", home)
    assert tomlcache.cache_dir() is None
    assert tomlcache.loads(b'a = "1"\n') == {"a": "1"}


def test_tests_keep_the_cache_in_a_temporary_folder():
    from xlperf import tomlcache

    assert "xlperf-test-cache-" in str(tomlcache.cache_dir())  # set by tests/conftest.py


def test_once_per_system_remembers_per_object_not_per_content() -> None:
    from xlperf.engine.system import once_per_system, parse_trusted

    calls = []

    @once_per_system
    def work(system):
        calls.append(system)
        return len(calls)

    data = MINI.encode("utf-8")
    first, twin = parse_trusted(data, "a"), parse_trusted(data, "b")
    assert (work(first), work(first), work(twin), work(first)) == (1, 1, 2, 1)
    work.cache_clear()
    assert work(first) == 3
