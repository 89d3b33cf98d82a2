"""OPC plumbing shared by the reader and the writer: part names, relationships and content types."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
STRICT_MARK = "purl.oclc.org/ooxml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
R_NS_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"


def key(name: str) -> str:
    """Lookup key for a part name: OPC names are case-insensitive and some writers use backslashes."""
    return name.replace("\\", "/").lstrip("/").lower()


_LOCAL: dict[str, str] = {}


def local(tag: object) -> str:
    """Local name of an element tag ("" for comments and processing instructions)."""
    if type(tag) is not str:  # comments and PIs have a function as their tag
        return ""
    name = _LOCAL.get(tag)
    if name is None:
        # Remembered: a workbook has few distinct tags, and readers ask for them thousands of times.
        name = tag.rpartition("}")[2]
        if len(_LOCAL) < 4096:
            _LOCAL[tag] = name
    return name


def namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def rel_kind(rel_type: str) -> str:
    """The last segment of a relationship type, so transitional and Microsoft variants compare equal."""
    return rel_type.rstrip("/").rpartition("/")[2]


def rels_part_for(part: str) -> str:
    head, _, base = part.replace("\\", "/").lstrip("/").rpartition("/")
    return f"{head}/_rels/{base}.rels" if head else f"_rels/{base}.rels"


def source_of_rels(rels_part: str) -> str | None:
    """Inverse of rels_part_for; None when the name is not in a _rels folder."""
    head, _, base = rels_part.replace("\\", "/").lstrip("/").rpartition("/")
    parent, _, folder = head.rpartition("/")
    if folder.lower() != "_rels" or not base.lower().endswith(".rels"):
        return None
    name = base[: -len(".rels")]
    return f"{parent}/{name}" if parent else name


def resolve(source_part: str, target: str) -> str | None:
    """Part name a relationship target points at; None if it escapes the package."""
    target = target.replace("\\", "/").split("#", 1)[0].strip()
    if not target:
        return None
    if target.startswith("/"):
        path = posixpath.normpath(target.lstrip("/"))
    else:
        base = posixpath.dirname(source_part.replace("\\", "/").lstrip("/"))
        path = posixpath.normpath(posixpath.join(base, target))
    if path in (".", "") or path.startswith("../") or path == "..":
        return None
    return path


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str | None  # resolved part name; None when external or unresolvable
    raw_target: str
    external: bool

    @property
    def kind(self) -> str:
        return rel_kind(self.type)


def parse_rels(root: etree._Element, source_part: str) -> list[Rel]:
    rels = []
    for el in root.iter():
        if local(el.tag) != "Relationship":
            continue
        raw = el.get("Target", "")
        external = el.get("TargetMode", "").lower() == "external"
        rels.append(
            Rel(
                id=el.get("Id", ""),
                type=el.get("Type", ""),
                target=None if external else resolve(source_part, raw),
                raw_target=raw,
                external=external,
            )
        )
    return rels


def target_candidates(target: str) -> list[str]:
    """A target as written and percent-decoded: writers disagree about escaping."""
    decoded = unquote(target)
    return [target] if decoded == target else [target, decoded]


@dataclass(frozen=True)
class ContentTypes:
    defaults: dict[str, str]  # lower-case extension -> type
    overrides: dict[str, str]  # key(part) -> type

    @classmethod
    def parse(cls, root: etree._Element) -> "ContentTypes":
        defaults, overrides = {}, {}
        for el in root.iter():
            name = local(el.tag)
            if name == "Default":
                defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
            elif name == "Override":
                overrides[key(el.get("PartName", ""))] = el.get("ContentType", "")
        return cls(defaults, overrides)

    def of(self, part: str) -> str | None:
        found = self.overrides.get(key(part))
        if found is not None:
            return found
        base = part.replace("\\", "/").rpartition("/")[2]
        if "." not in base:
            return None
        return self.defaults.get(base.rpartition(".")[2].lower())
