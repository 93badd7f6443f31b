"""Shared helpers for the REFI-QDA tests: the XSD (kept unmodified in schema/, see its
README), hand-built .qdpx files, and project contents compared without ids/times."""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lxml import etree

from qualcode.services.project import open_project

XSD_PATH = Path(__file__).resolve().parent / "schema" / "Project-mrt2019.xsd"
NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"


@functools.cache
def _schema_text() -> str:
    return XSD_PATH.read_text(encoding="utf-8")


@functools.cache
def project_schema() -> Any:
    return etree.XMLSchema(etree.fromstring(_schema_text().encode("utf-8")))


@functools.cache
def codebook_schema() -> Any:
    """The same types under the codebook namespace, with ``CodeBook`` as the root."""
    text = _schema_text().replace("urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0")
    text = text.replace(
        '<xsd:element name="Project" type="ProjectType">',
        '<xsd:element name="CodeBook" type="CodeBookType">',
    )
    return etree.XMLSchema(etree.fromstring(text.encode("utf-8")))


def assert_valid(schema: Any, document: bytes) -> Any:
    tree = etree.fromstring(document)
    if not schema.validate(tree):
        raise AssertionError(str(schema.error_log))
    return tree


def qde_bytes(qdpx: Path) -> bytes:
    with zipfile.ZipFile(qdpx) as archive:
        return archive.read("project.qde")


def comparable_qde(qdpx: Path) -> str:
    """project.qde without timestamps and the project name (a file name)."""
    text = qde_bytes(qdpx).decode("utf-8")
    text = re.sub(r' creationDateTime="[^"]*"', "", text)
    return re.sub(r'(<Project [^>]*?) name="[^"]*"', r"\1", text, count=1)


def source_files(qdpx: Path) -> dict[str, str]:
    with zipfile.ZipFile(qdpx) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("sources/")
        }


def write_qdpx(
    path: Path,
    qde: str | bytes,
    sources: Mapping[str, str | bytes] | None = None,
    *,
    qde_name: str = "project.qde",
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(qde_name, qde.encode("utf-8") if isinstance(qde, str) else qde)
        for name, content in (sources or {}).items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            archive.writestr(name, data)
    return path


def coding_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Sort key for coding tuples whose last field (the memo) may be None."""
    return (*row[:-1], row[-1] is not None, row[-1] or "")


def snapshot(location: Path) -> dict[str, Any]:
    """What a round trip must keep: coders, codebook, attributes, cases, texts, codings
    (ids and times left out)."""
    project = open_project(location)
    try:
        with project.reading() as uow:
            return {
                "coders": sorted(uow.coders.ids()),
                "codes": [(c.path, c.spec) for c in uow.codebook.codes()],
                "attributes": sorted(
                    (name, d.type.value, d.levels)
                    for name, (_, d) in uow.cases.attribute_defs().items()
                ),
                "cases": sorted(uow.cases.all(), key=lambda c: c.name),
                "texts": {name: text for name, (_, text) in uow.transcripts.texts().items()},
                "codings": sorted(
                    (
                        (c.transcript, c.code_path, c.coder, c.start, c.end, c.text, c.memo)
                        for c in uow.codings.find()
                    ),
                    key=coding_order,
                ),
            }
    finally:
        project.close()
