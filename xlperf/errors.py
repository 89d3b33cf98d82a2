"""The exception tree: problems with configuration, templates, files and inputs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in the user's data, located as precisely as we can.

    ``field`` is the engine's input path (e.g. ``budget.adjusted.total``); the
    workbook layer fills ``sheet`` and ``cell`` from the layout definition.
    """

    code: str
    message: str
    field: str = ""
    sheet: str = ""
    cell: str = ""
    value: str = ""
    expected: str = ""

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
