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
from collections.abc import Iterator, Sequence

from qualcode.domain.agreement import Comparison
from qualcode.domain.agreement_report import AgreementReport, CodeAgreement
from qualcode.domain.statistics import Measure, Statistic
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

Column = list[object]
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
    """A comparison's JSON as literal text with a ``%s`` slot per number, and each
    slot's column of values across the comparisons."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.columns: list[Column] = []

    def text(self, literal: str) -> None:
        self.pieces.append(literal.replace("%", "%%"))

    def key(self, name: str) -> None:
        self.text(_COMPACT.encode(name) + ":")

    def slot(self, column: Column) -> None:
        self.pieces.append("%s")
        self.columns.append(column)

    def constant(self, fields: dict[str, object]) -> None:
        """Fields that are the same in every comparison (a statistic that does not
        apply: ``null``), written into the template."""
        self.text(_COMPACT.encode(fields)[1:-1])


def _per_transcript_text(code: CodeAgreement, chosen: Plan, names: dict[str, str]) -> str:
    """The body of a code's ``per_transcript`` object (without its braces), identical to
    dumping :func:`comparison_dict` of each transcript's comparison."""
    if not code.per_transcript:
        return ""
    comparisons = [comparison for _, comparison in code.per_transcript]
    template = _Template()
    template.slot([_name(names, name) for name, _ in code.per_transcript])
    template.text(':{"pairs":[')
    for index in range(len(comparisons[0].pairs)):
        template.text("," if index else "")
        _pair_fields(template, comparisons, index, chosen)
    template.text("]")
    _coverage_fields(template, comparisons, chosen)
    template.text(',"units":')
    template.slot([comparison.coverage.units for comparison in comparisons])
    template.text("}")
    # the name column is already JSON text; every other column is encoded in one call
    encoded = [template.columns[0]] + [_encoded(column) for column in template.columns[1:]]
    shape = "".join(template.pieces)
    return ",".join([shape % row for row in zip(*encoded, strict=True)])


def _name(names: dict[str, str], name: str) -> str:
    found = names.get(name)
    if found is None:
        found = names[name] = _COMPACT.encode(name)
    return found


def _encoded(column: Column) -> list[str]:
    """Each value's JSON text (numbers and literals never contain a comma)."""
    return _COMPACT.encode(column)[1:-1].split(",")


def _pair_fields(
    template: _Template, comparisons: Sequence[Comparison], index: int, chosen: Plan
) -> None:
    """As :func:`~qualcode.exporters.agreement.pair_dict`, key by key."""
    pairs = [comparison.pairs[index] for comparison in comparisons]
    first = pairs[0]
    template.text("{" + _COMPACT.encode({"a": first.a, "b": first.b})[1:-1] + ",")
    tables = [(c.both, c.a_only, c.b_only, c.neither) for c in (p.counts for p in pairs)]
    template.key("units")
    template.slot([sum(table) for table in tables])
    for position, name in enumerate(("both", "a_only", "b_only", "neither")):
        template.text(",")
        template.key(name)
        template.slot([table[position] for table in tables])
    for statistic, applies in chosen[0]:
        fraction = statistic.pair_fraction
        template.text(",")
        if applies and fraction is not None and statistic.undefined_key is not None:
            _fraction_fields(template, statistic.key, statistic.undefined_key,
                             [fraction(*table) for table in tables])  # fmt: skip
            continue
        if not applies:
            template.constant(statistic_fields(statistic, None))
            continue
        assert statistic.of_pair is not None
        of_pair = statistic.of_pair
        _measure_fields(template, statistic, [of_pair(pair) for pair in pairs])
    template.text("}")


def _coverage_fields(template: _Template, comparisons: Sequence[Comparison], chosen: Plan) -> None:
    """As the all-coder part of :func:`~qualcode.exporters.agreement.comparison_dict`."""
    coverages = [comparison.coverage for comparison in comparisons]
    for statistic, applies in chosen[1]:
        fraction = statistic.coverage_fraction
        template.text(",")
        if applies and fraction is not None and statistic.undefined_key is not None:
            _fraction_fields(template, statistic.key, statistic.undefined_key,
                             [fraction(coverage.counts) for coverage in coverages])  # fmt: skip
            continue
        if not applies:
            template.constant(statistic_fields(statistic, None))
            continue
        assert statistic.of_coders is not None
        of_coders = statistic.of_coders
        _measure_fields(template, statistic, [of_coders(coverage) for coverage in coverages])


def _fraction_fields(
    template: _Template, key: str, undefined_key: str, fractions: list[tuple[int, int]]
) -> None:
    """A statistic's value as its fraction divided, as ``ratio()`` does, and its 0/0
    flag."""
    template.key(key)
    template.slot([n / d if d else 1.0 for n, d in fractions])
    template.text(",")
    template.key(undefined_key)
    template.slot([d == 0 for _, d in fractions])


def _measure_fields(template: _Template, statistic: Statistic, measures: list[Measure]) -> None:
    """A statistic's value (nested with its parts if it has them) and its 0/0 flag."""
    template.key(statistic.key)
    if statistic.parts:
        template.text("{")
        for position, part in enumerate(statistic.parts):
            template.key(part)
            template.slot([measure.parts[position] for measure in measures])
            template.text(",")
        template.key(statistic.value_name)
        template.slot([measure.value for measure in measures])
        template.text("}")
        return
    template.slot([measure.value for measure in measures])
    if statistic.undefined_key is not None:
        template.text(",")
        template.key(statistic.undefined_key)
        template.slot([measure.undefined for measure in measures])
