"""The workbooks shipped in workbooks/: regenerated from the layout, the system and the example data.

    python -m xlperf.workbook.bundled [folder]

Regenerating is reproducible: the files carry a pinned date (in the zip and in the core
properties) instead of the time of the run, so only a real change of content shows in git.
SOURCE_DATE_EPOCH, the reproducible-builds convention, overrides the pinned date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import zipfile
from pathlib import Path

from ..examples import reference_data
from ..engine.system import load
from .template import build_template

SYSTEM = "shenzhen-2024"
FILES = ("template.xlsx", "template.xlsm", "example-2024.xlsx")
PINNED = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def macro_project() -> bytes:
    """The VBA project of the macro-enabled template, built from macros/ (see xlperf/excel/vba.py)."""
    return (Path(__file__).parent.parent / "excel" / "vbaProject.bin").read_bytes()


def regenerate(folder: str | Path = "workbooks") -> list[Path]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    system = load(SYSTEM)
    build_template(out / "template.xlsx", system)
    build_template(out / "template.xlsm", system, vba_project=macro_project())
    build_template(out / "example-2024.xlsx", system, data=reference_data())
    when = build_time()
    for name in FILES:
        pin_time(out / name, when)
    return [out / f for f in FILES]


def build_time() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit() else PINNED


_DATES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*")


def pin_time(path: Path, when: dt.datetime) -> None:
    """Every member's zip date and the created/modified properties set to ``when``; content untouched."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    tmp = path.with_name(path.name + ".pinning")
    with zipfile.ZipFile(tmp, "w") as out:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = _DATES.sub(lambda m: m.group(1) + stamp, data)
            pinned = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            pinned.compress_type, pinned.external_attr = info.compress_type, info.external_attr
            out.writestr(pinned, data)
    tmp.replace(path)


if __name__ == "__main__":
    for path in regenerate(*sys.argv[1:]):
        print(path)
