"""CSV text -> records with the line each starts on: the one CSV record reader of the
importers (cases files, survey exports)."""

from __future__ import annotations

import csv
import io

from qualcode.domain.errors import InputError


def csv_records(text: str, delimiter: str, source: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records with the 1-based line each starts on (a quoted cell may span
    lines, and keeps its line breaks). A malformed record (a quote never closed) is an
    :class:`InputError` naming the line where the record starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            hint = " (a quote is never closed)" if "end of data" in str(exc) else ""
            raise InputError(source, f"bad CSV: {exc}{hint}", line=previous_end + 1) from None
        start, previous_end = previous_end + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            records.append((start, cells))
