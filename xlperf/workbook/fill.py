"""Filling and verifying workbook files: the zip package's side of xlperf.book.fill.

fill: open the file as a ZipBook, run the one fill over the book interface, and let the book's
commit write only the owned sheet parts into a new file (everything else copied through,
written atomically). verify: the one verify over the same book.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..book import fill as book_fill
from ..book import stamp as book_stamp
from ..book.fill import EXIT_CODES, INPUTS_EDITED, NOT_FILLED, OTHER_ENGINE, OUTPUTS_EDITED, UNCHANGED, Verdict
from ..engine.evaluate import Result
from ..errors import Problem, WorkbookError
from ..engine.registry import Registry, shown
from ..engine.system import System
from .atomic import fitted_name, target_problem
from .problems import workbook_error
from ..book.reader import ReadInputs
from .package import Package
from .zipbook import ZipBook

__all__ = ["Filled", "fill", "verify", "compute", "read_stamp", "default_output", "Verdict", "EXIT_CODES", "UNCHANGED", "INPUTS_EDITED",
           "OUTPUTS_EDITED", "OTHER_ENGINE", "NOT_FILLED"]


@dataclass
class Filled:
    result: Result
    out_path: Path
    read: ReadInputs
    source_sha256: str = ""  # of the input file's bytes the output was made from


def fill(in_path: str | os.PathLike, out_path: str | os.PathLike | None = None, *, in_place: bool = False,
         system: System | str | None = None, registry: Registry | None = None) -> Filled:
    src = Path(in_path)
    out = Path(out_path) if out_path is not None else (src if in_place else default_output(src))
    if not in_place and (os.path.abspath(out) == os.path.abspath(src) or _same_file(out, src)):
        raise WorkbookError([Problem.of("WOULD_OVERWRITE", name=shown(src.name))])
    refused = target_problem(out)  # before any reading: a FIFO or device is never the output
    if refused:
        raise workbook_error(refused, path=out)
    book = ZipBook.open(src, out)
    scored = book_fill.fill(book, system, registry=registry)
    return Filled(scored.result, out, scored.read, book.pkg.sha256())


def _same_file(a: Path, b: Path) -> bool:
    """The input under another name: a hard or symbolic link to it, a path through a linked folder, another
    case on a case-blind disk (one stat each, where resolving both paths costs one per folder)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def is_filled_output(path: str | os.PathLike) -> bool:
    """A workbook xlperf filled (its stamp holds the outputs' hash): one a fill may write over. Anything
    else at an output's place, a unit's own workbook above all, is not."""
    try:
        return bool(read_stamp(Package.open(path)).get("outputs_sha256"))
    except Exception:  # noqa: BLE001 - unreadable: certainly not a finished xlperf output
        return False


def default_output(src: Path) -> Path:
    return src.with_name(fitted_name(src.stem, f"-已评分{src.suffix}"))


def verify(path: str | os.PathLike, *, registry: Registry | None = None) -> Verdict:
    return book_fill.verify(ZipBook.open(path), registry=registry)


def compute(pkg: Package, system: System | str | None = None, *, registry: Registry | None = None
            ) -> tuple[Result, ReadInputs, dict]:
    """A workbook file's result, what was read, and the output cells, without writing anything."""
    scored = book_fill.compute(ZipBook(pkg), system, registry=registry)
    return scored.result, scored.read, scored.cells


def read_stamp(pkg: Package) -> dict[str, str]:
    """The audit stamp of a workbook file ({} when it has none)."""
    return book_stamp.read_stamp(ZipBook(pkg))
