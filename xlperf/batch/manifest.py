"""The batch's memory of what it wrote, so that an unchanged file is skipped without being read.

The audit stamp in each output stays the authority (task.py checks it whenever this memory does not
settle the question). The manifest, a hidden JSON file in the output folder, records per output:
the SHA-256 of the input file's bytes it was made from, the output file's identity when it was
written (size, mtime_ns, inode), the engine version, the system's id and SHA-256, and the summary
row. A file is skipped on that record alone only if the input's bytes hash the same, the output is
the very file that was written, and version and system are today's: then reading both workbooks
again could only repeat what the stamp said. Anything else (no record, a moved or edited output, a
changed input or system) goes the stamp's way. A damaged manifest is ignored, never trusted.

Each record is kept as its own JSON text (format 2), in the file and in memory, and decoded only
when its output comes up, by the worker that handles it: decoded all at once, a re-run's records
took about 18 KB of objects each in the parent (and every forked worker showed them in its resident
memory), against under 5 KB as text. A format 1 file (records as objects) is read and rewritten.
"""

from __future__ import annotations

import json
import os
from dataclasses import fields
from pathlib import Path

from ..workbook.atomic import temp_name
from .outcome import FAILED, Outcome

NAME = ".xlperf-batch.json"
FORMAT = 2
_TUPLE_FIELDS = ("level1", "level2", "items", "rates")


def load(out: Path) -> dict[str, str]:
    """Each output's record as its JSON text, by entry name."""
    try:
        data = json.loads((out / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), dict):
        return {}
    if data.get("format") == 1:
        return {k: _text(v) for k, v in data["outputs"].items() if isinstance(v, dict)}
    if data.get("format") != FORMAT:
        return {}
    return {k: v for k, v in data["outputs"].items() if isinstance(v, str)}


def _text(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


def decoded(hint: str) -> dict | None:
    """A record from its text; None for a damaged one (the stamp then decides)."""
    try:
        record = json.loads(hint)
    except (TypeError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def save(out: Path, previous: dict[str, str], outcomes: list[Outcome], version: str) -> None:
    """Records for this run's good outputs, and the earlier ones of outputs this run did not touch.

    Written record by record: made into one text first, 10,000 records took about 40 MB at the batch's end."""
    fresh: dict[str, Outcome] = {}
    dropped = set()  # a file that failed this time has no valid record any more
    for o in outcomes:
        name = _entry_name(out, o.output) if o.output else ""
        if o.status == FAILED:
            dropped.add(name)
        elif o.input_sha256 and o.output_id and name:
            fresh[name] = o
    tmp = temp_name(out / NAME)
    try:
        # A name that is not UTF-8 (pathtext.py) goes out as \\udcNN escapes, which json.loads reads back exactly.
        with open(tmp, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(f'{{"format": {FORMAT}, "outputs": {{')
            sep = ""
            for name, text in previous.items():
                if name not in fresh and name not in dropped:
                    fh.write(f"{sep}{_text(name)}: {_text(text)}")
                    sep = ", "
            for name, o in fresh.items():
                # The fields as they are (plain strings, numbers, tuples, one dict of counts), not asdict's deep
                # copy: json writes them alike, at a fraction of the cost per row.
                row = {k: v for k, v in vars(o).items() if k not in ("source", "output", "status", "seconds", "peak_kb")}
                fh.write(f"{sep}{_text(name)}: {_text(_text({'version': version, 'row': row}))}")
                sep = ", "
            fh.write("}}")
        os.replace(tmp, out / NAME)
    except OSError:  # the manifest only saves time: a batch never fails for it
        pass
    finally:
        tmp.unlink(missing_ok=True)


def hint_for(entries: dict[str, str], out: Path, target: str) -> str | None:
    return entries.get(_entry_name(out, target))


def _entry_name(out: Path, output: str) -> str:
    """An output's key: its path inside the output folder, "/"-separated ("单位A/填报-已评分.xlsx"); for an
    output in the folder itself, its name, as records before subfolders were kept."""
    rel = Path(os.path.relpath(output, out))
    return rel.as_posix() if ".." not in rel.parts else os.path.basename(output)


def outcome_from(record: dict, source: str, target: str, status: str) -> Outcome | None:
    row = record.get("row")
    if not isinstance(row, dict):
        return None
    known = {f.name for f in fields(Outcome)}
    try:
        values = {k: (tuple(tuple(x) for x in v) if k in _TUPLE_FIELDS else v) for k, v in row.items() if k in known}
        values["output_id"] = tuple(values.get("output_id", ()))
        return Outcome(source=source, output=target, status=status, **values)
    except (TypeError, ValueError):
        return None


def file_identity(path: str) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


def file_sha256(path: str) -> str:
    from ..digest import sha256

    h = sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
