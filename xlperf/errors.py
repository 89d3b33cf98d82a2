"""The exception tree: problems with configuration, templates, files and inputs."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from dataclasses import field as _field  # "field" is also a Problem attribute
from enum import StrEnum
from typing import Mapping


class Severity(StrEnum):
    """How serious a finding or problem is; the value is the word shown in the workbook."""

    ERROR = "错误"
    WARNING = "警告"
    INFO = "提示"


@dataclass(frozen=True)
class Problem:
    """One problem in the user's data, located as precisely as we can: data, worded from one table.

    ``code`` names what happened and ``params`` its particulars (what code compares and tests
    assert); ``message`` is the Chinese sentence from the messages table (xlperf.engine.evaluate.messages),
    made by ``Problem.of``. ``field`` is the engine's input path (e.g. ``budget.adjusted.total``);
    the book layer fills ``sheet`` and ``cell`` from the layout definition.
    """

    code: str
    message: str
    field: str = ""
    sheet: str = ""
    cell: str = ""
    value: str = ""
    expected: str = ""
    params: Mapping[str, object] = _field(default_factory=dict, compare=False, hash=False)
    severity: Severity = Severity.ERROR

    @classmethod
    def of(cls, code: str, *, field: str = "", sheet: str = "", cell: str = "", value: object = "",
           expected: object = "", severity: Severity = Severity.ERROR, **params: object) -> "Problem":
        """A problem worded from the messages table; ``value``, ``expected`` and ``params`` fill its placeholders."""
        from .engine.messages import message

        text = message(code, field=field, value=value, expected=expected, **params)
        return cls(code, text, field, sheet, cell, str(value), str(expected), dict(params), severity)

    def relabelled(self, label: str) -> "Problem":
        """The same problem worded with ``label`` for its field: what the user sees where it was read."""
        return Problem.of(self.code, field=self.field, sheet=self.sheet, cell=self.cell, value=self.value,
                          expected=self.expected, severity=self.severity, **{**self.params, "label": label})

    def located(self) -> str:
        where = "!".join(p for p in (self.sheet, self.cell) if p)
        if not where:
            where = self.field
        return f"{where}: {self.message}" if where else self.message


class XlperfError(Exception):
    """Base of every error xlperf raises on purpose."""


class SystemFileError(XlperfError):
    """An indicator-system file is malformed; the message names file and entry."""


class LayoutError(XlperfError):
    """The layout definition itself is inconsistent (a programming error)."""


class ProblemsError(XlperfError):
    """Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.located() for p in self.problems))


class InputError(ProblemsError):
    """The inputs are invalid: negative amounts, missing fields, impossible counts…"""


class WorkbookError(ProblemsError):
    """The file is not a usable xlperf workbook (type, structure, template)."""


# What the system said, for a Chinese sentence: the common reasons in words, the rest as the system put them.
_OS_REASONS = {errno.ENOENT: "不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.EROFS: "磁盘只读",
               errno.ENOSPC: "磁盘空间已满", errno.ENAMETOOLONG: "名称或路径过长", errno.ENOTDIR: "路径中有同名的文件",
               errno.EISDIR: "是一个文件夹", errno.EEXIST: "已存在"}


def os_reason(exc: OSError) -> str:
    """Why an OS call failed, in Chinese where the reason is a common one ("磁盘只读"), else as the system said."""
    return _OS_REASONS.get(exc.errno) or exc.strerror or str(exc)


def not_utf8(exc: UnicodeDecodeError) -> str:
    """Why a text file could not be read: most often Notepad or Excel saved it in the Windows code page."""
    return (f"不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节起无法读取；可能以 ANSI/GBK 保存），"
            "请用记事本等“另存为”UTF-8 编码后再试")
