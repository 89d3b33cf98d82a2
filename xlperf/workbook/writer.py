"""Writing a package: some members replaced, every other one copied as raw compressed bytes, atomically.

Replaced XML is checked before it is written; a stale calcChain goes with its relationship and
content-type override; the output is a temp file beside the target, fsynced and renamed over it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from lxml import etree

from xlperf.workbook import opc
from xlperf.workbook.atomic import open_temp, renamed_into, target_problem
from xlperf.workbook.problems import workbook_error, write_error
from xlperf.workbook.xmlsafe import parse_xml
from xlperf.workbook.zipraw import RawZipError, RawZipWriter

if TYPE_CHECKING:
    from xlperf.workbook.package import Package

_XML_SUFFIXES = (".xml", ".rels")

# A batch worker sets this to hand each write's last step (fsync, then the rename) to the batch process,
# which calls finish_write once the worker reports the file, so the worker fills the next file while the
# disk catches up. None: every write is whole in place before write_package returns.
FINISH_LATER: Callable[[Path, Path], None] | None = None


def is_xml_name(name: str) -> bool:
    return name.lower().endswith(_XML_SUFFIXES)


def _serialize(root: etree._Element) -> bytes:
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body


def _without_relationship(data: bytes, member: str, source: str, target: str) -> bytes | None:
    """The .rels without relationships to target; None if there were none."""
    root = parse_xml(data, member)
    doomed = [
        el for el in root
        if opc.local(el.tag) == "Relationship" and el.get("TargetMode", "").lower() != "external"
        and opc.key(opc.resolve(source, el.get("Target", "")) or "") == opc.key(target)
    ]
    for el in doomed:
        root.remove(el)
    return _serialize(root) if doomed else None


def _without_override(data: bytes, target: str) -> bytes | None:
    """[Content_Types].xml without target's Override; None if it had none."""
    root = parse_xml(data, opc.CONTENT_TYPES)
    doomed = [
        el for el in root
        if opc.local(el.tag) == "Override" and opc.key(el.get("PartName", "")) == opc.key(target)
    ]
    for el in doomed:
        root.remove(el)
    return _serialize(root) if doomed else None


def _plan(src: Package, replaced: dict[str, bytes], drop_calc_chain: bool) -> tuple[dict[str, bytes], set[str]]:
    """Final member contents keyed by member name, and the members to leave out."""
    plan = {src.info(name).orig_filename: bytes(data) for name, data in replaced.items()}
    chain = src.calc_chain()
    if chain is None:
        return plan, set()
    if not drop_calc_chain:
        sheets = {opc.key(s.part) for s in src.sheets() if s.kind == "worksheet"}
        drop_calc_chain = any(
            src.lost_formulas(m, data) for m, data in plan.items() if opc.key(m) in sheets and m != chain
        )
    if not drop_calc_chain:
        return plan, set()
    # Excel rebuilds a missing calcChain silently, but "repairs" a file whose chain names a non-formula cell.
    rels = src.member(opc.rels_part_for(src.workbook_part))
    if rels is not None:
        edited = _without_relationship(plan.get(rels) or src.read(rels), rels, src.workbook_part, chain)
        if edited is not None:
            plan[rels] = edited
    types = src.member(opc.CONTENT_TYPES)
    if types is not None:
        edited = _without_override(plan.get(types) or src.read(types), chain)
        if edited is not None:
            plan[types] = edited
    plan.pop(chain, None)
    return plan, {chain}


def write_package(
    src: Package, out_path: str | os.PathLike, replaced: dict[str, bytes], *, drop_calc_chain: bool = False,
    verify: bool = True, check_xml: bool = True,
) -> None:
    """Write src to out_path with some members replaced; everything else is copied as stored.

    Replaced XML is parsed before it is written (unless check_xml is False, for parts the caller just
    serialised with lxml itself), so a broken part never reaches the user. With
    verify (the default) every copied member is inflated once to check its CRC, so a damaged source
    is reported instead of being passed on. If a replaced worksheet lost a formula, or on request,
    xl/calcChain.xml goes together with its relationship and content-type override. The output
    appears atomically: a temp file beside the target is fsynced and renamed over it.
    """
    out = Path(out_path)
    refused = target_problem(out)
    if refused:
        raise workbook_error(refused, path=out)
    plan, skip = _plan(src, replaced, drop_calc_chain)
    try:
        tmp, fd = open_temp(out)
    except OSError as exc:
        raise write_error(exc, out) from None
    try:
        with os.fdopen(fd, "wb") as fp:
            writer = RawZipWriter(fp)
            for info in src.infos():
                name = info.orig_filename
                if name in skip:
                    continue
                data, local_extra = src.raw(info)
                if name in plan:
                    if check_xml and is_xml_name(name):
                        parse_xml(plan[name], name)
                    writer.replace(info, plan[name], local_extra)
                else:
                    if verify and not src.was_inflated(name):  # a member read in full had its CRC checked then
                        src.check_crc(info, data)
                    writer.copy(info, data, local_extra)
            writer.finish(src.comment)
            fp.flush()
            if FINISH_LATER is None:
                os.fsync(fp.fileno())
        if FINISH_LATER is not None:
            FINISH_LATER(tmp, out)
            return
        _rename(tmp, out)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, RawZipError):
            raise workbook_error("CORRUPT_ZIP", part=str(exc)) from None
        if isinstance(exc, OverflowError):
            raise workbook_error("TOO_LARGE", path=out) from None
        if isinstance(exc, OSError):
            raise write_error(exc, out) from None
        raise
    renamed_into(out.parent)


def finish_write(tmp: Path, out: Path) -> None:
    """A deferred write's last step (see FINISH_LATER): the temp file made durable, then renamed over its
    target. The folder's own fsync is the caller's (a batch makes each folder durable once, at its end).
    OSError as raised; the caller removes the temp file and reports the output as not written."""
    fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)  # a read-only descriptor flushes the file's data all the same
    finally:
        os.close(fd)
    _rename(tmp, out)


def _rename(tmp: Path, out: Path) -> None:
    if out.exists():
        try:
            os.chmod(tmp, stat.S_IMODE(out.stat().st_mode))  # a replaced output keeps who may read it
        except OSError:  # a disk that keeps no modes (a FAT USB stick, some network shares): not a reason to fail
            pass
    os.replace(tmp, out)
