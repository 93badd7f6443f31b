"""Reading a codings CSV (columns transcript, code, coder, start, end, optional memo,
text and id) into coding requests. Offsets are half-open code points.

Problems with the file as a whole (unreadable, not UTF-8, empty, header without the
required columns) raise at once. Problems with a row are collected for every row, so
the importer can name them all in one message rather than one per run.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from qualcode.domain.codings import CodingRequest
from qualcode.domain.errors import InputError, LimitError
from qualcode.domain.text_entry import MAX_INTEGER, enter_name, enter_text, lookup_name
from qualcode.files.reading import DEFAULT_LIMIT, read_bytes

REQUIRED_COLUMNS = ("transcript", "code", "coder", "start", "end")
OPTIONAL_COLUMNS = ("memo", "text", "id", "created_at")


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row whose cells are invalid on their own. ``line`` is the file line (1-based) the
    row starts on; ``transcript`` and ``code_path`` are the names given (``""`` when
    empty or not readable), so they can still be checked against the project."""

    line: int
    problems: tuple[str, ...]
    transcript: str = ""
    code_path: str = ""


@dataclass(frozen=True, slots=True)
class CodingsCsv:
    """Every data row of a codings CSV: well-formed ones as ``requests`` (each with its
    ``line``), the others as ``rejected``. Blank rows are skipped."""

    requests: list[CodingRequest]
    rejected: list[RejectedRow]


MAX_ROWS = 500_000
"""Most codings one file may hold: each costs about 1 KB until it is stored, so the limit
keeps an import under 1 GB of memory however short the rows are."""


def read_codings_csv(path: Path) -> CodingsCsv:
    """Parse every row; raises :class:`InputError` only for problems of the whole file.

    A ``text`` column, when present, is the expected passage: the import checks it against
    the transcript so codings made on another version of a text are caught. A CSV syntax
    error ends the reading: that row is rejected and the rows after it are not read.
    """
    source = str(path)
    raw = read_bytes(path, limit=DEFAULT_LIMIT)
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(source, "not UTF-8 text", offset=error.start) from None
    if not content.strip():
        raise InputError(source, "file is empty")
    # A coded passage or memo may be longer than the csv module's default cell limit
    # (128 KiB); no cell can be longer than the file. (The limit is process-wide.)
    if csv.field_size_limit() < len(content):
        csv.field_size_limit(len(content))
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except csv.Error as error:
        raise InputError(source, f"not a CSV file: {error}", line=1) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(source, f"missing column(s): {', '.join(missing)}", line=1)
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        allowed = ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
        raise InputError(
            source, f"unknown column(s) {', '.join(unknown)} (allowed: {allowed})", line=1
        )
    index = {name: header.index(name) for name in header}
    columns = _Columns(
        index["transcript"],
        index["code"],
        index["coder"],
        index["start"],
        index["end"],
        index.get("memo"),
        index.get("text"),
    )
    parsed = CodingsCsv([], [])
    line = reader.line_num + 1  # where the next row starts
    try:
        for row in reader:
            if len(parsed.requests) + len(parsed.rejected) >= MAX_ROWS:
                raise LimitError(
                    source,
                    f"more than {MAX_ROWS:,} codings in one file (the limit); split it",
                    line=line,
                )
            if any(map(str.strip, row)):
                if len(row) != len(header):
                    problem = f"expected {len(header)} cells, found {len(row)}"
                    parsed.rejected.append(RejectedRow(line, (problem,)))
                else:
                    _read_row(row, columns, index, line, parsed)
            line = reader.line_num + 1
    except csv.Error as error:
        parsed.rejected.append(RejectedRow(line, (f"malformed CSV: {error}",)))
    return parsed


class _Columns(NamedTuple):
    """Where each column is in a row (``None``: the file has no such column)."""

    transcript: int
    code: int
    coder: int
    start: int
    end: int
    memo: int | None
    text: int | None


def _read_row(
    row: list[str], columns: _Columns, index: dict[str, int], line: int, parsed: CodingsCsv
) -> None:
    """Append the row to ``parsed`` as a request, or as a rejected row with all its
    problems. Names are read as NFC (text pasted in NFD finds its transcript and code),
    the coder by the identifier rule, the memo by the long-text rule."""
    transcript = lookup_name(row[columns.transcript].strip()) or ""
    code = lookup_name(row[columns.code].strip()) or ""
    coder = row[columns.coder].strip()
    start_text = row[columns.start].strip()
    end_text = row[columns.end].strip()
    problems = _problems(row, index)
    if problems:
        parsed.rejected.append(RejectedRow(line, problems, transcript, code))
        return
    memo_at = columns.memo
    text_at = columns.text
    try:
        coder = enter_name(coder, "coder")
        memo = enter_text(row[memo_at], "memo") if memo_at is not None else ""
    except InputError as error:
        parsed.rejected.append(RejectedRow(line, (str(error),), transcript, code))
        return
    expected = row[text_at] if text_at is not None else None
    parsed.requests.append(
        CodingRequest(
            transcript=transcript,
            code_path=code,
            coder=coder,
            start=int(start_text),
            end=int(end_text),
            memo=memo or None,
            line=line,
            expected_text=None if expected is None else enter_text(expected, "text"),
        )
    )


def _problems(row: list[str], index: dict[str, int]) -> tuple[str, ...]:
    """Everything wrong with a row's own cells, in column order."""
    problems = [
        f"empty {name}" for name in ("transcript", "code", "coder") if not row[index[name]].strip()
    ]
    for name in ("start", "end"):
        value = row[index[name]].strip()
        if not (value.isascii() and value.isdigit()):
            problems.append(f"{name} must be a whole number of code points, got {value!r}")
        elif len(value) > 19 or int(value) > MAX_INTEGER:
            problems.append(f"{name} {_cut(value)} is out of range (0 to {MAX_INTEGER})")
    return tuple(problems)


def _cut(value: str) -> str:
    return value if len(value) <= 24 else f"({len(value)} digits)"
