"""The REFI-QDA schema the export tests validate against is the published file, unmodified,
and it is the only thing those tests read from outside the project's own code."""

from __future__ import annotations

import hashlib
import re

from lxml import etree

from tests.refi.helpers import XSD_PATH, project_schema


def test_the_schema_is_the_published_file_unmodified() -> None:
    readme = (XSD_PATH.parent / "README.md").read_text(encoding="utf-8")
    (recorded,) = re.findall(r"\b[0-9a-f]{64}\b", readme)
    assert hashlib.sha256(XSD_PATH.read_bytes()).hexdigest() == recorded


def test_the_licence_header_is_kept() -> None:
    header = XSD_PATH.read_text(encoding="utf-8")[:3000]
    assert "This specification is licensed under the MIT license." in header
    assert "Permission is hereby granted, free of charge" in header


def test_the_schema_tells_a_project_from_a_document_that_is_not_one() -> None:
    schema = project_schema()
    ns = 'xmlns="urn:QDA-XML:project:1.0"'
    assert schema.validate(etree.fromstring(f'<Project {ns} name="study"/>'))
    assert not schema.validate(etree.fromstring(f"<Project {ns}/>"))  # name is required
    assert not schema.validate(etree.fromstring('<Project name="study"/>'))  # no namespace
