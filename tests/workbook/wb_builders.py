"""Builders for test packages: minimal hand-written workbooks, raw zips with lying headers, zip bombs."""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path

from lxml import etree

# /work/shared/corpus beside the checkout; XLPERF_CORPUS points elsewhere (a worktree sits one level deeper).
CORPUS = Path(os.environ.get("XLPERF_CORPUS") or Path(__file__).parents[2].parent / "shared" / "corpus")
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def corpus_missing() -> None:
    """In CI a missing corpus fails the run; on a developer's machine it is a skip saying where it was looked for."""
    import pytest

    reason = f"no corpus at {CORPUS} (set XLPERF_CORPUS to its folder)"
    if IN_CI:
        pytest.fail(f"CI=true but {reason}: the corpus tests would silently not run")
    pytest.skip(reason)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def sheet_xml(rows: str, *, prefix: str = "", head: str = "", tail: str = "") -> bytes:
    """A worksheet with the given <row> markup (written with the same prefix)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f'{DECL}<{p}worksheet {xmlns} xmlns:r="{R}">{head}<{p}sheetData>{rows}</{p}sheetData>{tail}</{p}worksheet>'
    ).encode()


def workbook_parts(
    sheets: list[dict],
    *,
    shared: list[str] | None = None,
    shared_xml: bytes | None = None,
    defined_names: str = "",
    workbook_part: str = "xl/workbook.xml",
    extra: dict[str, bytes] | None = None,
    extra_overrides: dict[str, str] | None = None,
    calc_chain: bytes | None = None,
    styles: bool = True,
) -> dict[str, bytes]:
    """Parts of a small workbook. Each sheet: name, xml, optional part, state, kind ("worksheet"/"chartsheet").

    Relationship ids run backwards so that nothing can get away with "sheetN is the Nth sheet".
    """
    folder = workbook_part.rpartition("/")[0]
    prefix = f"{folder}/" if folder else ""
    parts: dict[str, bytes] = {}
    rels, entries, overrides = [], [], []
    count = len(sheets)
    for i, sheet in enumerate(sheets):
        rid = f"rId{count - i}"
        kind = sheet.get("kind", "worksheet")
        part = sheet.get("part") or f"{prefix}worksheets/sheet{count - i}.xml"
        target = part[len(prefix):] if part.startswith(prefix) else "/" + part
        rels.append(f'<Relationship Id="{rid}" Type="{R}/{kind}" Target="{target}"/>')
        state = f' state="{sheet["state"]}"' if sheet.get("state") else ""
        entries.append(f'<sheet name="{sheet["name"]}" sheetId="{i + 1}"{state} r:id="{rid}"/>')
        overrides.append((part, f"{CT}.{kind}+xml"))
        parts[part] = sheet["xml"]
    if shared is not None or shared_xml is not None:
        if shared_xml is None:
            items = "".join(f"<si><t xml:space=\"preserve\">{s}</t></si>" for s in shared)
            shared_xml = f'{DECL}<sst xmlns="{MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">{items}</sst>'.encode()
        parts[f"{prefix}sharedStrings.xml"] = shared_xml
        rels.append(f'<Relationship Id="rId100" Type="{R}/sharedStrings" Target="sharedStrings.xml"/>')
        overrides.append((f"{prefix}sharedStrings.xml", f"{CT}.sharedStrings+xml"))
    if calc_chain is not None:
        parts[f"{prefix}calcChain.xml"] = calc_chain
        rels.append(f'<Relationship Id="rId101" Type="{R}/calcChain" Target="calcChain.xml"/>')
        overrides.append((f"{prefix}calcChain.xml", f"{CT}.calcChain+xml"))
    if styles:
        xfs = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * 12
        parts[f"{prefix}styles.xml"] = (
            f'{DECL}<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="12">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        ).encode()
        rels.append(f'<Relationship Id="rId102" Type="{R}/styles" Target="styles.xml"/>')
        overrides.append((f"{prefix}styles.xml", f"{CT}.styles+xml"))
    names = f"<definedNames>{defined_names}</definedNames>" if defined_names else ""
    parts[workbook_part] = (
        f'{DECL}<workbook xmlns="{MAIN}" xmlns:r="{R}"><sheets>{"".join(entries)}</sheets>{names}</workbook>'
    ).encode()
    overrides.append((workbook_part, f"{CT}.sheet.main+xml"))
    wb_rels = f"{prefix}_rels/{workbook_part.rpartition('/')[2]}.rels"
    parts[wb_rels] = f'{DECL}<Relationships xmlns="{PKG_RELS}">{"".join(rels)}</Relationships>'.encode()
    parts["_rels/.rels"] = (
        f'{DECL}<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" '
        f'Type="{R}/officeDocument" Target="{workbook_part}"/></Relationships>'
    ).encode()
    for name, data in (extra or {}).items():
        parts[name] = data
    for name, content_type in (extra_overrides or {}).items():
        overrides.append((name, content_type))
    body = "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in overrides)
    parts["[Content_Types].xml"] = (
        f'{DECL}<Types xmlns="{CT_NS}"><Default Extension="rels" '
        f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{body}</Types>'
    ).encode()
    # Content types first, as Excel writes them.
    return {"[Content_Types].xml": parts.pop("[Content_Types].xml"), **parts}


def write_zip(path: Path, parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def write_workbook(path: Path, sheets: list[dict], **kw) -> Path:
    return write_zip(path, workbook_parts(sheets, **kw))


def raw_zip(path: Path, entries: list[tuple[str, int, bytes, int, int]]) -> Path:
    """A zip written field by field: (name, method, stored bytes, crc, declared uncompressed size)."""
    out, central = bytearray(), bytearray()
    for name, method, data, crc, usize in entries:
        raw = name.encode()
        flags = 0x800 if any(ord(ch) > 127 for ch in name) else 0  # UTF-8 names flagged as such
        offset = len(out)
        out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, flags, method, 0, 0x21, crc, len(data), usize,
                           len(raw), 0)
        out += raw + data
        central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, flags, method, 0, 0x21, crc,
                               len(data), usize, len(raw), 0, 0, 0, 0, 0, offset) + raw
    start = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0)
    path.write_bytes(bytes(out))
    return path


def deflated_zeros(megabytes: int) -> bytes:
    """A raw deflate stream of megabytes MiB of zeros, built in milliseconds.

    After a full flush the compressor forgets its history, so compressing the same block again
    yields the same bytes and the blocks can simply be repeated.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(b"\0" * (1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes + packer.flush()


def entries_of(parts: dict[str, bytes]) -> list[tuple[str, int, bytes, int, int]]:
    """Stored (uncompressed) raw_zip entries for ordinary parts."""
    return [(name, 0, data, zlib.crc32(data), len(data)) for name, data in parts.items()]


# -- shared by the package tests ------------------------------------------------------------------

NS = {"m": MAIN}
VBA = CORPUS / "calamine" / "vba.xlsm"


def problem_code(excinfo) -> str:
    problems = excinfo.value.problems
    assert len(problems) == 1
    message = problems[0].message
    assert message and "\n" not in message and "Traceback" not in message
    return problems[0].code


def cell_el(xml: bytes, ref: str):
    root = etree.fromstring(xml)
    found = root.xpath(f"//m:c[@r='{ref}']", namespaces=NS)
    return found[0] if found else None


def simple_book(tmp_path: Path, rows: str, name: str = "b.xlsx", **kw) -> Path:
    return write_workbook(tmp_path / name, [{"name": "Data", "xml": sheet_xml(rows)}], **kw)


def formula_book(tmp_path: Path, *, calc_chain: bool = True) -> Path:
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1*2</f><v>2</v></c><c r="C1"><v>3</v></c></row>'
    chain = f'<calcChain xmlns="{MAIN}"><c r="B1" i="1"/></calcChain>'.encode() if calc_chain else None
    return write_workbook(tmp_path / "f.xlsx", [{"name": "F", "xml": sheet_xml(rows)}], calc_chain=chain)


def mutated(base: bytes, start: int, end: int, snippets: list[bytes], rng) -> bytes:
    """base with one to three random edits between start and end: a few bytes cut, a snippet put in, a
    byte overwritten (the scanners' fuzz tests: each copy must be read as lxml reads it, or declined)."""
    data = bytearray(base)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(start, end)
        op = rng.random()
        if op < 0.3:
            del data[at:at + rng.randint(1, 8)]
        elif op < 0.8:
            data[at:at] = rng.choice(snippets)
        else:
            data[at] = rng.randrange(256)
    return bytes(data)
