"""Where indicator systems come from: a registry looked up by id or by SHA-256, never by a path.

A workbook names its system by id (the template's ``xp_system_id`` cell); a sender must not be
able to make xlperf open a file of the sender's choosing (``/etc/hosts``, a FIFO, ``/dev/zero``, a
crafted TOML with the expected id). So an id is checked against a strict pattern and only looked up
as ``<folder>/<id>.toml`` in the folders the operator trusts: the bundled ``xlperf/engine/systems``, then
each ``--systems DIR`` in order, then each folder of the ``XLPERF_SYSTEMS`` environment variable
(``os.pathsep``-separated). The first folder holding an id wins, so an operator folder can add
systems but never replace a bundled one. Files are opened non-blocking and read only if regular
and small. ``verify`` finds the system by the stamp's SHA-256 among the same files.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterable, Iterator

from ..digest import sha256
from ..errors import SystemFileError, os_reason

ENV = "XLPERF_SYSTEMS"
BUNDLED_DIR = Path(__file__).parent / "systems"
# Lower-case letters, digits, inner dashes/underscores: never a path, a dot or a drive letter.
# Plain set checks, not regexes: compiling those would cost every CLI run ~0.5 ms.
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_HEX = frozenset("0123456789abcdef")
MAX_SYSTEM_BYTES = 1 << 20  # the bundled systems are ~20 KB; a bigger file is not a system


def valid_id(system_id: object) -> bool:
    return (isinstance(system_id, str) and 1 <= len(system_id) <= 64 and set(system_id) <= _ID_CHARS
            and system_id[0] not in "-_" and system_id[-1] not in "-_")


def shown(value: object, limit: int = 60) -> str:
    """A workbook's value or a file's name echoed in a message: control characters replaced, length capped."""
    import re

    from ..pathtext import shown_path

    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", "?", shown_path(str(value)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def env_folders() -> list[Path]:
    return [Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]


def read_regular(path: Path, limit: int = MAX_SYSTEM_BYTES) -> bytes | None:
    """The bytes of a small regular file; None if absent. FIFOs, devices and folders are refused unopened-for-read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SystemFileError(f"{path}: 无法读取指标体系文件（{os_reason(exc)}）") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SystemFileError(f"{path}: 不是普通文件，不能作为指标体系")
        if info.st_size > limit:
            raise SystemFileError(f"{path}: 文件超过 {limit // 1024} KB，不是指标体系文件")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise SystemFileError(f"{path}: 文件超过 {limit // 1024} KB，不是指标体系文件")
        return b"".join(chunks)
    finally:
        os.close(fd)


class Registry:
    """The indicator systems an operator trusts: ``Registry(folders).by_id(id)`` / ``.by_sha256(h)``."""

    def __init__(self, folders: Iterable[str | os.PathLike] = (), *, environment: bool = True):
        extra = [Path(f) for f in folders]
        self.folders: tuple[Path, ...] = (BUNDLED_DIR, *extra, *(env_folders() if environment else ()))

    def __repr__(self) -> str:
        return f"Registry({[str(f) for f in self.folders[1:]]!r})"

    def _files(self) -> Iterator[tuple[str, Path]]:
        """(id, path) of every *.toml in the folders, first folder first; names not of id form are skipped."""
        for folder in self.folders:
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            for name in names:
                if name.endswith(".toml") and valid_id(name[:-5]):
                    yield name[:-5], folder / name

    def ids(self) -> list[str]:
        seen: list[str] = []
        for system_id, _ in self._files():
            if system_id not in seen:
                seen.append(system_id)
        return seen

    def by_id(self, system_id: str):
        """The system with this id; SystemFileError for a malformed or unknown id (never opened as a path)."""
        from .system import parse_trusted

        if not valid_id(system_id):
            raise SystemFileError(f"指标体系编号“{shown(system_id)}”无效：只能是小写字母、数字和连字符（如 shenzhen-2024），"
                                  "不能是文件路径；自定义指标体系请放入 --systems 目录或环境变量 "
                                  f"{ENV} 指定的目录")
        for folder in self.folders:
            path = folder / f"{system_id}.toml"
            data = read_regular(path)
            if data is None:
                continue
            system = parse_trusted(data, system_id if folder == BUNDLED_DIR else str(path))
            if system.id != system_id:
                raise SystemFileError(f"{path}: 文件中的指标体系编号为“{shown(system.id)}”，与文件名“{system_id}”不符")
            return system
        raise SystemFileError(f"未知的指标体系“{system_id}”；可用：{', '.join(self.ids())}"
                              f"（自定义指标体系请用 --systems 目录或环境变量 {ENV}）")

    def by_sha256(self, digest: str):
        """The system whose file has this SHA-256, or None: verify vouches only for a system it holds."""
        from .system import parse_trusted

        if not isinstance(digest, str) or len(digest) != 64 or not set(digest) <= _HEX:
            return None
        for system_id, path in self._files():
            try:
                data = read_regular(path)
            except SystemFileError:
                continue
            if data is not None and sha256(data).hexdigest() == digest:
                system = parse_trusted(data, system_id if path.parent == BUNDLED_DIR else str(path))
                return system if system.id == system_id else None
        return None


def default() -> Registry:
    """Bundled systems plus the folders of XLPERF_SYSTEMS."""
    return Registry()
