"""An agreement report as JSON text, streamed code by code.

A large project's report is tens of megabytes of JSON. Compact output (the default) is
written one code at a time with the standard library's C encoder, so neither the whole
document as a dict nor as one string is ever held; ``pretty`` indents it for people
(Python's indenting encoder is pure Python and several times slower). Both are the same
document: :func:`qualcode.exporters.agreement.report_dict` dumped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from qualcode.domain.agreement_report import AgreementReport, CodeAgreement
from qualcode.exporters.agreement import code_dict, report_dict

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
PER_CODE = "per_code"


def report_json(report: AgreementReport, *, pretty: bool = False) -> Iterator[str]:
    """The report's JSON text in pieces (ending with a newline)."""
    if pretty:
        yield json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"
        return
    # the document without its codes, split where the codes go
    head = report_dict(report, codes=False)
    marker = _COMPACT.encode(PER_CODE) + ":{}"
    text = _COMPACT.encode(head)
    before, found, after = text.partition(marker)
    assert found, "the report dict names its codes under per_code"
    yield before + _COMPACT.encode(PER_CODE) + ":{"
    for index, code in enumerate(report.codes):
        yield _code_text(report, code, first=index == 0)
    yield "}" + after + "\n"


def _code_text(report: AgreementReport, code: CodeAgreement, *, first: bool) -> str:
    entry = _COMPACT.encode(code_dict(report, code))
    return ("" if first else ",") + _COMPACT.encode(code.code) + ":" + entry
