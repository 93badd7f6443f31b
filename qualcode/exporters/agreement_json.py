"""An agreement report as JSON text, streamed code by code.

A large project's report is tens of megabytes of JSON. Compact output (the default) is
written one code at a time, so neither the whole document as a dict nor as one string is
ever held; ``pretty`` indents it for people (Python's indenting encoder is pure Python and
several times slower). Both are the same document: :func:`qualcode.exporters.agreement.
report_dict` dumped.

The per-transcript entries — all but a few hundred bytes of a large report — do not go
through dicts at all: each code's entries share one shape (the same pairs and statistics),
so that shape is written once as a template with a slot per number, every number of one
slot across the code's transcripts is one flat list encoded by the standard library's C
encoder in one call (the same text ``json.dumps`` gives each number), and each entry is
the template filled with its row. The pooled and mean entries, one per code, are dumped
from their dicts.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator, Sequence
from itertools import chain
from math import isfinite

from qualcode.domain.agreement import Comparison
from qualcode.domain.agreement_cells import CellComparisons
from qualcode.domain.agreement_report import AgreementReport, CodeAgreement, statistic_column
from qualcode.domain.statistics import Statistic
from qualcode.exporters.agreement import (
    Plan,
    comparison_dict,
    mean_dict,
    plan,
    report_dict,
    statistic_fields,
    with_intervals,
)

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
PER_CODE = "per_code"

Slot = Sequence[object]
"""One slot's value in each of a code's comparisons: numbers, booleans or ``None``."""


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
    chosen = plan(report.statistics, len(report.coders))
    names: dict[str, str] = {}  # transcript name -> its JSON key text, encoded once
    for index, code in enumerate(report.codes):
        yield _code_text(report, code, chosen, names, first=index == 0)
    yield "}" + after + "\n"


def _code_text(
    report: AgreementReport,
    code: CodeAgreement,
    chosen: Plan,
    names: dict[str, str],
    *,
    first: bool,
) -> str:
    statistics = report.statistics
    pooled = comparison_dict(code.pooled, statistics, chosen)
    pooled = with_intervals(pooled, code.code, statistics, report.intervals)
    mean = mean_dict(code.mean, statistics)
    return (
        ("" if first else ",")
        + _COMPACT.encode(code.code)
        + ':{"pooled":'
        + _COMPACT.encode(pooled)
        + ',"mean":'
        + _COMPACT.encode(mean)
        + ',"per_transcript":{'
        + _per_transcript_text(code, chosen, names)
        + "}}"
    )


class _Template:
    """A comparison's JSON as literal text with a ``%`` slot per number, and each slot's
    column of values across the comparisons.

    A slot's values are formatted by ``%`` itself where that gives the JSON text: ``%d``
    for integers, ``%r`` for finite doubles (the shortest repr, which is what the JSON
    encoder writes), ``%s`` for text already encoded; other columns (booleans, numbers
    of unknown kind) go through the encoder first."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.columns: list[Slot] = []

    def text(self, literal: str) -> None:
        self.pieces.append(literal.replace("%", "%%"))

    def key(self, name: str) -> None:
        self.text(_COMPACT.encode(name) + ":")

    def slot(self, column: Slot) -> None:
        """Any JSON values."""
        self.pieces.append("%s")
        self.columns.append(_encoded(column))

    def encoded(self, column: Sequence[str]) -> None:
        """Values already JSON text."""
        self.pieces.append("%s")
        self.columns.append(column)

    def integers(self, column: array[int]) -> None:
        self.pieces.append("%d")
        self.columns.append(column.tolist())

    def doubles(self, column: array[float]) -> None:
        if not isfinite(sum(column)):  # NaN or infinity: the encoder's spelling
            self.slot(column.tolist())
            return
        self.pieces.append("%r")
        self.columns.append(column.tolist())

    def constant(self, fields: dict[str, object]) -> None:
        """Fields that are the same in every comparison (a statistic that does not
        apply: ``null``), written into the template."""
        self.text(_COMPACT.encode(fields)[1:-1])

    def filled(self) -> str:
        """Every comparison's text, comma-separated: the template repeated once per
        comparison and filled in one ``%`` with the slots' values row by row."""
        rows = len(self.columns[0])
        shape = "".join(self.pieces)
        values = tuple(chain.from_iterable(zip(*self.columns, strict=True)))
        return ",".join([shape] * rows) % values


def _per_transcript_text(code: CodeAgreement, chosen: Plan, names: dict[str, str]) -> str:
    """The body of a code's ``per_transcript`` object (without its braces), identical to
    dumping :func:`comparison_dict` of each transcript's comparison."""
    if not code.per_transcript:
        return ""
    per_transcript = code.per_transcript
    cells = per_transcript.cells if isinstance(per_transcript, CellComparisons) else None
    if isinstance(per_transcript, CellComparisons):
        comparisons: Sequence[Comparison] = per_transcript.comparisons
        transcripts: Sequence[str] = per_transcript.names
    else:
        comparisons = [comparison for _, comparison in per_transcript]
        transcripts = [name for name, _ in per_transcript]
    template = _Template()
    template.encoded([_name(names, name) for name in transcripts])
    template.text(':{"pairs":[')
    # each pair's coders are the same in every transcript as in the pooled comparison
    for index, (a, b) in enumerate((pair.a, pair.b) for pair in code.pooled.pairs):
        template.text("," if index else "")
        template.text("{" + _COMPACT.encode({"a": a, "b": b})[1:-1] + ",")
        template.key("units")
        if cells is None:
            tables = [comparison.pairs[index].counts for comparison in comparisons]
            template.slot([c.both + c.a_only + c.b_only + c.neither for c in tables])
            parts: list[Slot] = [[getattr(c, name) for c in tables] for name in _TABLE]
            for name, part in zip(_TABLE, parts, strict=True):
                template.text(",")
                template.key(name)
                template.slot(part)
        else:  # the four counts add up to the transcript's units
            template.integers(cells.units)
            for name, column in zip(_TABLE, cells.tables[index], strict=True):
                template.text(",")
                template.key(name)
                template.integers(column)
        _statistics_fields(template, code, comparisons, index, chosen[0])
        template.text("}")
    template.text("]")
    _statistics_fields(template, code, comparisons, 0, chosen[1])
    template.text(',"units":')
    if cells is None:
        template.slot([comparison.coverage.units for comparison in comparisons])
    else:
        template.integers(cells.units)
    template.text("}")
    return template.filled()


def _name(names: dict[str, str], name: str) -> str:
    found = names.get(name)
    if found is None:
        found = names[name] = _COMPACT.encode(name)
    return found


def _encoded(column: Slot) -> list[str]:
    """Each value's JSON text (numbers and literals never contain a comma)."""
    return _COMPACT.encode(column)[1:-1].split(",")


_TABLE = ("both", "a_only", "b_only", "neither")


def _statistics_fields(
    template: _Template,
    code: CodeAgreement,
    comparisons: Sequence[Comparison],
    index: int,
    chosen: Sequence[tuple[Statistic, bool]],
) -> None:
    """Each statistic's fields as :func:`~qualcode.exporters.agreement.pair_dict` and
    :func:`~qualcode.exporters.agreement.comparison_dict` write them: its value (nested
    with its parts, unless it is written from its fraction) and its 0/0 flag; ``null``
    where it does not apply. The values are the report's own columns."""
    for statistic, applies in chosen:
        template.text(",")
        if not applies:
            template.constant(statistic_fields(statistic, None))
            continue
        column = code.columns.get((statistic.key, index))
        if column is None:
            column = statistic_column(statistic, comparisons, index)
        template.key(statistic.key)
        if statistic.parts:  # nested with its parts, as statistic_fields nests it
            template.text("{")
            for name, part in zip(statistic.parts, column.parts, strict=True):
                template.key(name)
                template.slot(part)
                template.text(",")
            template.key(statistic.value_name)
            template.doubles(column.values)
            template.text("}")
            continue
        template.doubles(column.values)
        if statistic.undefined_key is not None:
            template.text(",")
            template.key(statistic.undefined_key)
            template.slot(column.undefined)
