"""The matrix domain and exporters load no framework; openpyxl and python-docx load only
when an XLSX or DOCX is written."""

from __future__ import annotations

import subprocess
import sys

MODULES = (
    "qualcode.domain.matrices, qualcode.domain.matrix_rows, qualcode.domain.matrix_cooccurrence, "
    "qualcode.domain.matrix_counting, qualcode.domain.matrix_intervals, "
    "qualcode.domain.matrix_report, qualcode.exporters.matrix_csv, qualcode.exporters.matrix_json, "
    "qualcode.exporters.matrix_markdown, qualcode.exporters.matrix_html, "
    "qualcode.exporters.matrix_xlsx, qualcode.exporters.matrix_cooccurrence, "
    "qualcode.exporters.report_markdown, qualcode.exporters.report_html, "
    "qualcode.exporters.report_docx"
)


def test_matrix_modules_load_no_framework() -> None:
    code = f"import {MODULES}\nimport sys\nprint(' '.join(sys.modules))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = {name.split(".")[0] for name in output.split()}
    assert not loaded & {"sqlalchemy", "textual", "openpyxl", "docx", "click"}
