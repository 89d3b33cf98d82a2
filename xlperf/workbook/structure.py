"""The structure check: content types, parseable XML and relationships that resolve, one line per problem."""

from __future__ import annotations

import os

from xlperf.errors import WorkbookError
from xlperf.workbook import opc
from xlperf.workbook.package import Package
from xlperf.workbook.problems import MESSAGES, shown
from xlperf.workbook.writer import is_xml_name
from xlperf.workbook.xmlsafe import parse_xml


def check_structure(path: str | os.PathLike) -> list[str]:
    """Structural problems of a package, one readable line each; [] means it looks sound."""
    try:
        pkg = Package.open(path)
    except WorkbookError as exc:
        return [p.message for p in exc.problems]
    problems: list[str] = []
    members = [i.orig_filename for i in pkg.infos() if not i.is_dir()]
    try:
        types = pkg.content_types()
    except WorkbookError as exc:
        return [p.message for p in exc.problems]
    if types is None:
        problems.append(MESSAGES["CHECK_NO_CONTENT_TYPES"])
    for name in members:
        if opc.key(name) == opc.key(opc.CONTENT_TYPES):
            continue
        content_type = types.of(name) if types else None
        if types is not None and not content_type:
            problems.append(MESSAGES["CHECK_NO_CONTENT_TYPE"].format(part=shown(name)))
        xml_like = is_xml_name(name) or (content_type or "").endswith("xml")
        if not xml_like or name.lower().endswith(".vml"):
            continue
        try:
            root = parse_xml(pkg.read(name), name)
        except WorkbookError as exc:
            problems.extend(p.message for p in exc.problems)
            continue
        source = opc.source_of_rels(name)
        if source is None:
            continue
        for rel in opc.parse_rels(root, source):
            if rel.external:
                continue
            if rel.target is None or pkg.member(rel.target) is None:
                problems.append(
                    MESSAGES["CHECK_DANGLING"].format(
                        part=shown(name), rel=shown(rel.id), target=shown(rel.raw_target)
                    )
                )
    return problems
