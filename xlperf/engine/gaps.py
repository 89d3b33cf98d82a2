"""Empty and conflicting data: each case a finding naming the cell to look at, and its handling in words.

A rule can always give points when data are missing (0 ÷ 0 by ``if_undefined``, an empty list
as zero failures), but an auditor must see that the points rest on an empty input, not on a
fact. ``check`` raises one finding per case the system actually scores; ``HANDLING`` is the
wording of every case, written on the template's 说明 sheet and in ``systems/README.md``.
"""

from __future__ import annotations

from decimal import Decimal

from .findings import STATED_RATE_HALF, Finding
from .indicators import Indicator
from .inputs import Inputs
from .messages import finding_text
from .money import ZERO, div, percent_text
from .system import System

# (case, handling): one line each on the 说明 sheet; the codes are the findings that report them.
HANDLING: tuple[tuple[str, str], ...] = (
    ("比率的分母为 0（如未安排政府采购、无“三公”预算）",
     "分子也为 0 时按指标体系中该项的 if_undefined 计分（满分或 0 分），分子大于 0 时视为超出所有上限；"
     "均记“ZERO_DENOMINATOR”提示，指出为 0 的数据"),
    ("项目支出大于 0 但项目清单为空",
     "项目完成及时性等按“分母为 0”处理，另记“PROJECTS_MISSING”警告，指向项目清单"),
    ("重点工作清单为空", "未完成数为 0，按满分计，另记“KEY_TASKS_MISSING”警告，指向重点工作清单"),
    ("未填写满意度调查", "满意度无法计算，按 0 分计，记“SURVEY_MISSING”警告，指向满意度调查表"),
    ("核定编制数与在编人数均为 0",
     "人员控制类比率为 0 ÷ 0，按下列各项的规定计分，记“STAFF_EMPTY”警告，指向核定编制数"),
    ("满意度调查同时填写了满意率与调查人数、满意人数且两者不符",
     "按填写的满意率计分，记“SURVEY_RATE_MISMATCH”警告，指向满意率"),
    ("勾选了违规（挪用等）或涉密等整项计分标记，但未写明理由",
     "按标记计分（违规整项 0 分、涉密整项满分），记“FLAG_WITHOUT_REASON”警告，指向该标记"),
    ("评价人未填写某评价项", "按未满足计分，记“EVALUATOR_MISSING”警告"),
    ("未收到信访件", "回复率、按时回复率按 100% 计"),
    ("无预算调整调剂", "调整调剂比例为 0，按满分计"),
)


def _items_reading(system: System, indicator: str) -> list[str]:
    return [item.id for item in system.items if any(p.get("indicator") == indicator for p in item.rules)]


def check(inputs: Inputs, indicators: dict[str, Indicator], system: System) -> list[Finding]:
    out: list[Finding] = []

    def add(code: str, field: str, indicator: str, **values: object) -> None:
        items = _items_reading(system, indicator)
        if items:  # only what this system scores
            item = next(i for i in system.items if i.id == items[0])
            out.append(Finding(code, "警告", finding_text(code, item=item.name, **values), field=field, item=item.id))

    b = inputs.budget
    if not inputs.projects and (b.adjusted.project > 0 or b.spent.project > 0):
        add("PROJECTS_MISSING", "projects", "project_on_time_rate", amount=max(b.adjusted.project, b.spent.project))
    if not inputs.key_tasks:
        add("KEY_TASKS_MISSING", "key_tasks", "key_tasks_unfinished")
    if not inputs.surveys:
        add("SURVEY_MISSING", "surveys", "satisfaction_rate")
    s = inputs.staff
    if s.authorized == 0 and s.on_payroll == 0:
        add("STAFF_EMPTY", "staff.authorized", "staff_control_rate")
    for k, survey in enumerate(inputs.surveys):
        if survey.rate is None or not survey.respondents or survey.satisfied is None:
            continue
        counted = div(Decimal(survey.satisfied), Decimal(survey.respondents)) or ZERO
        # The typed rate may be rounded to 0.01 %: only a larger gap is a conflict.
        if abs(counted - survey.rate) > STATED_RATE_HALF:
            add("SURVEY_RATE_MISMATCH", f"surveys[{k}].rate", "satisfaction_rate", name=survey.name,
                rate=percent_text(survey.rate), satisfied=survey.satisfied, respondents=survey.respondents,
                counted=percent_text(counted))
    return out


def flags_without_reason(system: System, inputs: Inputs) -> list[Finding]:
    """A whole-item flag (违规 → 0, 涉密 → full) set with no reason: the points rest on an unexplained tick."""
    out = []
    for item in system.items:
        for key in ("veto", "full_if_flag"):
            if key not in item.params:
                continue
            entry = inputs.evaluator.get(item.params[key])
            if entry is not None and entry.flag and not entry.reason:
                label = item.params.get(f"{key}_text", item.params[key])
                out.append(Finding("FLAG_WITHOUT_REASON", "警告", finding_text(
                    "FLAG_WITHOUT_REASON", item=item.name, flag=label), field=f"evaluator.{item.params[key]}",
                    item=item.id))
    return out


def notes(system: System) -> list[str]:
    """Every empty case and its handling, for the 说明 sheet: the fixed cases, then each rate rule's ``if_undefined``."""
    from .indicators import NAMES

    lines = [f"{case}：{how}。" for case, how in HANDLING]
    for item in system.items:
        for params in item.rules:
            if "indicator" in params and params["indicator"] in NAMES:
                full = params.get("if_undefined", "zero") == "full"
                lines.append(f"“{item.name}”：{NAMES[params['indicator']]}无法计算（0 ÷ 0 或未填写）时"
                             f"按{'满分' if full else ' 0 分'}计。")
    return lines
