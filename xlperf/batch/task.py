"""The work for one file, run inside a limited worker process: fill it, or skip it when unchanged.

Nothing here may raise: every failure becomes an Outcome with a reason in Chinese.
The fill module is looked up at call time (not bound at import) so tests can plant a hang or a
crash in the parent before the worker is forked.
"""

from __future__ import annotations

import os

from . import manifest
from .outcome import FAILED, INPUT, INTERNAL, MEMORY, OK, SKIPPED, Outcome, failed, from_result


def process(source: str, target: str, force: bool = False, systems: tuple[str, ...] = (),
            hint: str | None = None) -> Outcome:
    """systems: the operator's --systems folders (the registry also reads XLPERF_SYSTEMS);
    hint: the manifest's record of this output (its JSON text), if any."""
    from ..errors import ProblemsError, XlperfError

    try:
        registry = _registry(systems)
        if hint is not None and not force:
            remembered = _remembered(source, target, hint, registry)
            if remembered is not None:
                return remembered
        if os.path.lexists(target):
            existing = _existing_output(source, target, force, registry)
            if existing is not None:
                return existing
        from ..workbook import fill as fill_module

        filled = fill_module.fill(source, target, registry=registry)
        outcome = from_result(source, str(filled.out_path), OK, filled.result)
        _remember(outcome, filled.source_sha256)
        return outcome
    except ProblemsError as exc:
        if exc.problems and exc.problems[0].code == "OUTPUT_SUFFIX":
            return failed(source, INPUT, _misnamed(source, exc.problems[0].params))
        first = exc.problems[0].located() if exc.problems else ""
        more = f"（另有 {len(exc.problems) - 1} 个问题）" if len(exc.problems) > 1 else ""
        return failed(source, INPUT, f"{first}{more}")
    except XlperfError as exc:
        return failed(source, INPUT, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    except MemoryError:
        return failed(source, MEMORY, "文件过大，超出内存上限，已跳过")
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop a batch
        return failed(source, INTERNAL, f"内部错误（{type(exc).__name__}），请将该文件反馈给维护人员")


def _misnamed(source: str, params) -> str:
    """The output's suffix is the input's (plan.output_paths): a refused one says the input is misnamed
    (an .xlsx renamed .xlsm or .xls), which the operator can put right, not the name the batch chose."""
    from ..pathtext import shown_path

    name = os.path.basename(source)
    stem, suffix = os.path.splitext(name)
    return (f"扩展名 {suffix or '（无）'} 与内容不符：{shown_path(name)} 其实是{params.get('kind', '')}"
            f"（{params.get('wanted', '')}）；请把它改名为 {shown_path(stem)}{params.get('wanted', '')} 后再运行"
            "（扩展名不符的文件 Excel 也无法打开）")


def _remembered(source: str, target: str, hint: str, registry) -> Outcome | None:
    """Skipped on the manifest's record alone (its JSON text): same input bytes, the very output
    written, same engine and system. None: let the stamp decide."""
    from .. import __version__

    record = manifest.decoded(hint)
    if record is None:
        return None
    try:
        row = record.get("row") or {}
        if record.get("version") != __version__ or not row.get("input_sha256"):
            return None
        if tuple(row.get("output_id") or ()) != manifest.file_identity(target):
            return None
        if manifest.file_sha256(source) != row["input_sha256"]:
            return None
        if registry.by_id(row.get("system_id", "")).sha256 != row.get("system_sha256"):
            return None
    except Exception:  # noqa: BLE001 - gone, unreadable, unknown system: the stamp decides
        return None
    return manifest.outcome_from(record, source, target, SKIPPED)


def _remember(outcome: Outcome, input_sha256: str) -> None:
    """What the manifest will record: the hash of the input bytes the output was made from (read once,
    in memory: a file changed since is simply a file whose hash no longer matches the record)."""
    outcome.input_sha256 = input_sha256
    # In a batch worker the output is renamed later, by the batch (finish.py), which then records its
    # identity again: what is read here is absent, or the earlier output that the rename will replace.
    try:
        outcome.output_id = manifest.file_identity(outcome.output)
    except OSError:
        pass


_REGISTRIES: dict = {}


def _registry(systems: tuple[str, ...]):
    """One registry per worker and folder list (a worker fills many files)."""
    from ..engine.registry import Registry

    if systems not in _REGISTRIES:
        _REGISTRIES[systems] = Registry(systems)
    return _REGISTRIES[systems]


def _existing_output(source: str, target: str, force: bool, registry) -> Outcome | None:
    """None: go on and (re)write the output. An Outcome: the output stays as it is.

    An output is skipped when its audit stamp says it was written by this xlperf version, under
    the same indicator system (SHA-256), from inputs that hash the same as the input's today.
    A file at the target that carries no xlperf stamp is not ours: it is never overwritten.
    """
    from .. import __version__
    from ..workbook import fill as fill_module
    from ..book.outputs import inputs_hash
    from ..workbook.package import Package

    if force:
        if _has_stamp_name(target):
            return None
        stamp = {}
    else:
        try:
            stamp = fill_module.read_stamp(Package.open(target)) if os.path.isfile(target) else {}
        except Exception:  # noqa: BLE001 - unreadable: certainly not a finished xlperf output
            stamp = {}
    if not stamp.get("outputs_sha256"):
        return Outcome(source, status=FAILED, kind=INPUT,
                       message=f"输出位置已有一个不是 xlperf 输出的文件（{os.path.basename(target)}），未覆盖；"
                               "请移走它或换一个输出目录")
    if stamp.get("xlperf_version") != __version__:
        return None
    try:
        result, read, _ = fill_module.compute(Package.open(source), registry=registry)
    except Exception:  # noqa: BLE001 - the fill that follows reports the input's problem properly
        return None
    if (result.system.id, result.system.sha256, inputs_hash(read.data)) != (
            stamp.get("system_id"), stamp.get("system_sha256"), stamp.get("inputs_sha256")):
        return None
    outcome = from_result(source, target, SKIPPED, result)
    _remember(outcome, manifest.file_sha256(source))
    outcome.output_id = manifest.file_identity(target)
    return outcome


def _has_stamp_name(target: str) -> bool:
    """Cheap ownership check for --force, which rewrites anyway: the workbook defines xlperf's stamp name."""
    import zipfile

    from ..book.layout import STAMP_NAME

    try:
        with zipfile.ZipFile(target) as z:
            return f'name="{STAMP_NAME}"'.encode() in z.read("xl/workbook.xml")
    except Exception:  # noqa: BLE001 - not a zip, no workbook part: not ours
        return False
