"""The opening of every exported HTML page: its language and a title that says what
the page is and which project it comes from."""

from __future__ import annotations

import html

from qualcode.domain.document_info import DocumentInfo


def brief(described: str) -> str:
    """A setting's words without their explanation or the option's syntax:
    ``"themes (top-level codes, …)"`` → ``"themes"``, ``"attribute:age"`` → ``"age"``."""
    return described.split(" (", 1)[0].replace("attribute:", "")


def page_title(subject: str, document: DocumentInfo) -> str:
    """``"Matrix: cases × themes — demo.qualcode"``; without the project when unknown."""
    return f"{subject} — {document.project}" if document.project else subject


def page_start(subject: str, document: DocumentInfo, style: str) -> list[str]:
    """The doctype, ``<html lang>`` (the project's main language), charset, title and
    style, up to and including ``<body>``."""
    e = html.escape
    return [
        "<!DOCTYPE html>",
        f'<html lang="{e(document.language, quote=True)}"><head><meta charset="utf-8">',
        f"<title>{e(page_title(subject, document))}</title>",
        f"<style>{style}</style>",
        "</head><body>",
    ]
