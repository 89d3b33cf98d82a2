"""Before anything runs: which files, which outputs, and whether the output folder can take them.

Everything that can be decided without opening a workbook is decided here, so a batch of
thousands either starts cleanly or refuses at once with one message (exit code 2):
- inputs are files, folders (searched recursively) or glob patterns; each file is taken once;
- outputs keep the layout of the inputs: a file found in a folder input's subfolder (or under a
  glob's fixed leading folders) goes into the same subfolder of the output folder, so that a hundred
  units' "绩效评价表.xlsx" stay apart and findable; files named one by one go straight into it;
- every input gets its own output, never another input's path and never another output's
  (names compared case-insensitively, as Windows and macOS do), " (2)", " (3)"… added; inputs are told apart
  as files (Unit.xlsx and unit.xlsx are two on Linux, one on Windows), not by name;
- the output folder must be a folder we can write to, and no other batch may be writing into it;
- a folder input's subfolder that holds another batch's record (.xlperf-batch.json) is that batch's
  output, not units' workbooks: it is skipped and named (its filled copies would be the same units
  again, and its summary is no unit at all); in a folder searched that holds a record itself (the folder
  named, once an earlier batch's output folder, or this one), the files that record lists and an xlperf
  summary are left out and named the same way.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from itertools import takewhile
from pathlib import Path

from ..errors import XlperfError, os_reason
from ..pathtext import shown_path
from ..workbook.atomic import fitted_name, remove_leftovers
from . import manifest
from .manifest import NAME as RECORD_NAME

SUFFIXES = (".xlsx", ".xlsm")
# Spreadsheets in another format, taken when found so that each gets its row with what to do (另存为 .xlsx)
# instead of being passed over without a word: a unit that sent one is not among the results otherwise.
OTHER_FORMATS = (".xls", ".xlsb", ".et", ".ett", ".ods", ".fods", ".numbers")
_FOUND = SUFFIXES + OTHER_FORMATS
OUTPUT_MARK = "-已评分"
LOCK_NAME = ".xlperf-batch.lock"
_OUTPUT_STEM = re.compile(rf"{OUTPUT_MARK}( \(\d+\))?$")


class SetupError(XlperfError):
    """The batch cannot start: nothing was run, nothing was written."""


@dataclass
class Plan:
    out_dir: Path
    sources: list[str]
    targets: list[str]
    not_files: list[str]  # named inputs that exist but are not regular files (FIFOs, devices…)
    other_batches: list[Path] = field(default_factory=list)  # folders skipped: another batch's output
    earlier_outputs: list[Path] = field(default_factory=list)  # files skipped: an earlier batch's outputs, summaries

    @cached_property
    def folders(self) -> list[Path]:
        """Every folder an output goes into: the output folder first, then its subfolders in order."""
        return [self.out_dir, *sorted({Path(t).parent for t in self.targets} - {self.out_dir})]


def make_plan(inputs: list[str], out_dir: str | os.PathLike, reserved: tuple[Path, ...] = ()) -> Plan:
    """reserved: the summary files, which are neither inputs nor outputs."""
    global _KEYS
    _KEYS = {}  # one plan asks for the same paths' keys several times (each file's folder, the output folder)
    try:
        return _make_plan(inputs, out_dir, reserved)
    finally:
        _KEYS = None


def _make_plan(inputs: list[str], out_dir: str | os.PathLike, reserved: tuple[Path, ...]) -> Plan:
    out = check_out_dir(Path(out_dir))
    reserved_keys = {_key(p) for p in reserved}
    reserved_files = {_identity(p) for p in reserved}
    sources: list[str] = []
    subfolders: list[Path] = []
    seen: set[tuple] = set()
    other_batches: list[Path] = []
    earlier: list[Path] = []
    for path, subfolder in _expand(inputs, out, reserved_files, other_batches, earlier):
        same = _identity(path)
        if same in reserved_files:
            raise SetupError(f"汇总文件 {shown_path(path)} 同时是一个输入文件；请换一个汇总文件名（--summary）")
        if same not in seen:
            seen.add(same)
            sources.append(str(path))
            subfolders.append(subfolder)
    not_files = [s for s in sources if not _regular(s)]
    return Plan(out, sources, output_paths(sources, out, reserved_keys, subfolders), not_files, other_batches,
                list(dict.fromkeys(earlier)))


def check_out_dir(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise SetupError(f"输出位置 {shown_path(out)} 是一个已有的文件，不是目录；-o 须给出一个目录")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".xlperf-probe-{os.getpid()}-{os.urandom(4).hex()}"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(probe)
    except OSError as exc:
        raise SetupError(f"输出目录 {shown_path(out)} 无法写入（{os_reason(exc)}）；请换一个目录或检查权限") from None
    return out


def _expand(inputs: list[str], out: Path, reserved: set[tuple], other_batches: list[Path],
            earlier: list[Path]) -> list[tuple[Path, Path]]:
    """(file, the subfolder of the output folder its output goes into) for every input file; the subfolders
    skipped as another batch's output are added to ``other_batches``, the files skipped as an earlier batch's
    outputs or summaries to ``earlier``. A folder and a glob leave out the same files (_Scan); a file named
    by itself is taken."""
    found: list[tuple[Path, Path]] = []
    for text in inputs:
        path = Path(text)
        if path.is_dir():
            entries = sorted(path.rglob("*"))
            scan = _Scan(path, out, reserved, {f.parent for f in entries if f.name == RECORD_NAME})
            found += [(f, _inside(f.parent, path)) for f in entries if scan.takes(f)]
        elif os.path.lexists(path):
            found.append((path, Path()))
            continue
        elif glob.has_magic(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
            if not matches:
                raise SetupError(f"没有与 {shown_path(text)} 匹配的文件")
            base = _fixed_folders(text)
            scan = _Scan(base, out, reserved, _records_above(matches, base))
            found += [(m, _inside(m.parent, base)) for m in matches if scan.takes(m, globbed=True)]
        else:
            raise SetupError(f"找不到输入 {shown_path(text)}")
        other_batches += [b for b in scan.batches if b not in other_batches]
        earlier += scan.earlier
    return found


class _Scan:
    """What a folder search, or a glob, takes below its ``top`` (the folder, the glob's fixed folders).

    ``records``: the folders found there that hold a batch's record. One below ``top`` is another batch's
    output folder, left out whole (this batch's own, OUTDIR, is not: _wanted leaves out its outputs by name).
    ``top`` itself, or OUTDIR, holding one was an earlier batch's output folder (-o the input folder): the
    files its record lists are that batch's outputs, and an xlperf summary there is none of the units'
    workbooks; both are left out and listed in ``earlier``."""

    def __init__(self, top: Path, out: Path, reserved: set[tuple], records: set[Path]):
        self.top, self.out, self.reserved = top, out, reserved
        at_out = {r for r in records if _key(r) == _key(out)}
        self.batches = sorted(r for r in records if r != top and r not in at_out)
        self.record_folders = records - set(self.batches)
        self.listed = {os.path.normpath(r / name) for r in self.record_folders - at_out for name in manifest.load(r)}
        self.earlier: list[Path] = []

    def takes(self, f: Path, globbed: bool = False) -> bool:
        if globbed and not f.is_file():  # a FIFO or a device a glob names: listed as failed, never opened
            return not f.is_dir() and not f.name.startswith(("~$", ".")) and not self._batch(f)
        if not _wanted(f, self.out, self.reserved) or self._batch(f):
            return False
        if os.path.normpath(f) in self.listed or (f.parent in self.record_folders and _summary(f)):
            self.earlier.append(f)
            return False
        return True

    def _batch(self, f: Path) -> bool:
        return bool(self.batches) and _in_any(f, self.batches)


def _summary(f: Path) -> bool:
    from .summary_xlsx import is_summary

    return f.suffix.lower() == ".xlsx" and is_summary(f)


def _records_above(matches: list[Path], base: Path) -> set[Path]:
    """The folders from a glob's fixed folders down to each match's that hold a batch's record."""
    has: dict[Path, bool] = {}
    for m in matches:
        parts = _inside(m.parent, base).parts
        for folder in (base.joinpath(*parts[:i]) for i in range(len(parts) + 1)):
            if folder not in has:
                has[folder] = (folder / RECORD_NAME).is_file()
    return {folder for folder, held in has.items() if held}


def _in_any(f: Path, folders: list[Path]) -> bool:
    return any(folder in f.parents for folder in folders)


def _fixed_folders(pattern: str) -> Path:
    """The leading folders of a glob pattern before its first wildcard: '收件/2024/**/*.xlsx' → 收件/2024."""
    parts = Path(pattern).parts
    fixed = next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts))
    return Path(*parts[:fixed]) if fixed else Path()


def _inside(folder: Path, base: Path) -> Path:
    """``folder`` relative to ``base`` (both as the search gave them); Path() when it is not below it."""
    try:
        rel = folder.relative_to(base)
    except ValueError:
        return Path()
    return Path() if ".." in rel.parts else rel


def searched(f: Path, suffixes: tuple[str, ...] = SUFFIXES) -> bool:
    """A file a folder search takes (batch and verify): one of ``suffixes``, not an Office lock file (~$…),
    not a hidden file, not a folder."""
    return f.suffix.lower() in suffixes and not f.name.startswith(("~$", ".")) and not f.is_dir()


def _wanted(f: Path, out: Path, reserved: set[tuple]) -> bool:
    """Workbooks found in a folder (and spreadsheets in another format), but this batch's own outputs or
    summaries (``reserved``: their _identity) when the output folder lies inside the input folder."""
    if not searched(f, _FOUND):
        return False
    if _identity(f) in reserved:
        return False
    return not (_OUTPUT_STEM.search(f.stem) and _below(f.parent, out))


def _below(folder: Path, out: Path) -> bool:
    """``folder`` is the output folder or one of its subfolders (where this batch's outputs go)."""
    key, top = _key(folder), _key(out)
    return key == top or key.startswith(top.rstrip(os.sep) + os.sep)


def output_paths(sources: list[str], out: Path, reserved: set[str] = frozenset(),
                 subfolders: list[Path] | None = None) -> list[str]:
    """One output per input, never shared and never an input's own path (subfolders: where in ``out``
    each goes; the output folder itself by default)."""
    taken = {_key(s) for s in sources} | set(reserved)
    targets = []
    for s, sub in zip(sources, subfolders or [Path()] * len(sources)):
        src, folder = Path(s), out / sub
        target, n = folder / fitted_name(src.stem, f"{OUTPUT_MARK}{src.suffix}"), 1
        while _key(target) in taken:
            n += 1
            target = folder / fitted_name(src.stem, f"{OUTPUT_MARK} ({n}){src.suffix}")
        taken.add(_key(target))
        targets.append(str(target))
    return targets


_KEYS: dict[str, str] | None = None  # while a plan is made: path → key


def _key(path: str | os.PathLike) -> str:
    if _KEYS is None:
        return os.path.realpath(path).casefold()
    text = os.fspath(path)
    key = _KEYS.get(text)
    if key is None:
        key = _KEYS[text] = os.path.realpath(text).casefold()
    return key


def _identity(path: str | os.PathLike) -> tuple:
    """Which file a path names, to take each input once: its device and inode (a symlink, a hard link, the
    same folder given twice), else, for what does not exist yet, its real path. Not _key: on a disk that tells
    case apart, Unit.xlsx and unit.xlsx are two units' files (all but one were dropped without a word), while
    on one that does not, they are one file, and so one inode."""
    try:
        st = os.stat(path)
    except OSError:
        return ("path", os.path.realpath(path))
    return (st.st_dev, st.st_ino)


def _regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


# --- temporary files and the folder lock -----------------------------------------------------

# The package writer's temporary file beside its target: ".{name}.{8 hex}.tmp", or, naming its writer,
# ".{name}.~xlperf-{host crc}-{pid}-{8 hex}.tmp".
_WRITER = r"(?:~xlperf-[0-9a-f]{8}-[0-9]{1,10}-)?[0-9a-f]{8}\.tmp"
_ANY_TEMP = re.compile(rf"\.(.+?)\.{_WRITER}")


def _temp_name(target: str) -> re.Pattern:
    return re.compile(rf"\.{re.escape(os.path.basename(target))}\.{_WRITER}")


def remove_stray_temps(target: str) -> list[str]:
    """Remove the temporary files a killed writer of ``target`` left beside it."""
    folder = os.path.dirname(target) or "."
    pattern = _temp_name(target)
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if pattern.fullmatch(name):
            try:
                os.unlink(os.path.join(folder, name))
                removed.append(name)
            except OSError:
                pass
    return removed


class FolderLock:
    """One batch at a time per output folder: two writing the same outputs would race."""

    def __init__(self, out: Path):
        self.path = out / LOCK_NAME
        self.fd: int | None = None

    def __enter__(self) -> FolderLock:
        try:
            import fcntl
        except ImportError:  # no flock on this platform: run unlocked
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise SetupError(f"另一个 xlperf batch 正在写入 {shown_path(self.path.parent)}；请等它结束或换一个输出目录") from None
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            os.close(self.fd)


def make_folders(plan: Plan) -> list[Path]:
    """The output subfolders, before any worker writes into them; the ones made here, parents first."""
    made = []
    for folder in plan.folders[1:]:
        missing = list(takewhile(lambda f: not f.exists(), (folder, *folder.parents)))[::-1]  # up to one that is
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SetupError(f"无法建立输出子目录 {shown_path(folder)}（{os_reason(exc)}）；"
                             "请检查输出目录中是否有同名的文件") from None
        made += missing
    return made


def remove_empty(folders: list[Path]) -> None:
    """The subfolders made for outputs that none of the files filled (all failed): deepest first."""
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:  # holds an output (or anything else): it stays
            pass


def clear_output_folders(plan: Plan, reserved: tuple[Path, ...] = ()) -> None:
    """At start, one listing per output folder: the temp files an earlier, interrupted run of the same
    outputs left, whoever wrote them (this batch holds the folder lock), and any dead or day-old
    writer's (atomic.remove_leftovers), so that the workers need not scan a folder on every write.

    reserved: the summaries and the manifest. Inside the output folder their temps go like the outputs';
    a summary written elsewhere is not under the lock, so there only dead or day-old writers' go."""
    names: dict[Path, set[str]] = {}
    for t in [*plan.targets, *reserved]:
        path = Path(t)
        names.setdefault(path.parent, set()).add(path.name)
    locked = set(plan.folders)
    for folder in plan.folders:
        remove_leftovers(folder, also=_temp_of(names.get(folder, set())))
    for folder in names.keys() - locked:
        remove_leftovers(folder)


def _temp_of(targets: set[str]):
    """Whether a file name is a temp file of one of these output names."""
    def test(name: str) -> bool:
        m = _ANY_TEMP.fullmatch(name)
        return m is not None and m.group(1) in targets

    return test
