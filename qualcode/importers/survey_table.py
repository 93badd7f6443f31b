"""A survey export file (.csv, .tsv, .txt or .xlsx) -> :class:`RawTable` of text cells.

CSV text is read like a transcript (:mod:`qualcode.importers.decoding`: UTF-8 with or
without a BOM, UTF-16 with a BOM, else Windows-1252; LF line ends; NFC) and its delimiter
(comma, semicolon or tab) is the one an Excel ``sep=;`` first line names, else the one that
splits the first records into the same, largest number of columns; quoted cells keep their
line breaks. An XLSX workbook is checked as a
zip archive (:mod:`qualcode.files.archives`) before openpyxl reads its first sheet (or the
one named); numbers and dates become text as a person would type them (``3.5``,
``2024-03-05``). The first non-blank row is the header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from qualcode.domain.errors import InputError
from qualcode.domain.survey import RawRow, RawTable
from qualcode.files.archives import ArchiveLimits, ZipArchive
from qualcode.files.reading import MIB, read_bytes
from qualcode.importers.csv_records import csv_records
from qualcode.importers.decoding import DEFAULT_MAX_BYTES, read_text_file

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t")
_SNIFF_RECORDS = 50
_SEP_LINE = re.compile(r"sep=(?P<delimiter>[,;\t])[ \t]*(?:\n|\Z)")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
XLSX_LIMITS = ArchiveLimits(
    max_entries=10_000,
    max_entry_bytes=256 * MIB,
    max_total_bytes=512 * MIB,
    max_ratio=100.0,
    max_read_bytes=64 * MIB,
)
"""A workbook's zip, checked before openpyxl opens it (it streams the sheet in read-only
mode, so the sheet may be larger than what is read whole)."""
_SURVEY_ADVICE = "per survey file (split it, or raise the limit with --max-size)"


def read_survey_table(
    path: Path, *, sheet: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> RawTable:
    """Read a survey file by suffix. ``sheet`` (XLSX only) names the sheet; default the
    first. Raises :class:`InputError` (one line naming the file, and the line where
    known) for a file that cannot be read as a table."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet, max_bytes)
    if sheet is not None:
        raise InputError(source, "--sheet is only for .xlsx workbooks")
    if suffix not in CSV_SUFFIXES:
        shown = f"'{path.suffix}'" if path.suffix else "(no suffix)"
        allowed = ", ".join((*CSV_SUFFIXES, *XLSX_SUFFIXES))
        raise InputError(source, f"unsupported survey file type {shown}; use one of {allowed}")
    decoded = read_text_file(path, max_bytes=max_bytes)
    text = decoded.text
    declared = _SEP_LINE.match(text)
    if declared:  # Excel's "sep=;" first line names the delimiter
        delimiter = declared["delimiter"]
        # the line becomes blank, so every record keeps its line number
        text = "\n" * declared.group().count("\n") + text[declared.end() :]
    else:
        delimiter = sniff_delimiter(text)
    records = csv_records(text, delimiter, source)
    notes = (*decoded.notes, f"delimiter: {_NAMES[delimiter]}")
    return _table(source, records, decoded.encoding, notes)


def sniff_delimiter(text: str) -> str:
    """The delimiter among comma, semicolon and tab that splits the first records into
    the most columns, all alike (quotes respected); comma when none splits anything."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        widths: list[int] = []
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    widths.append(len(cells))
                if len(widths) >= _SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        agreeing = sum(1 for width in widths if width == widths[0])
        score = (agreeing, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _table(
    source: str, records: Iterable[tuple[int, list[str]]], encoding: str, notes: tuple[str, ...]
) -> RawTable:
    """The first non-blank record is the header; the rest are rows."""
    header: tuple[str, ...] | None = None
    header_row = 1
    rows: list[RawRow] = []
    for number, cells in records:
        if header is None:
            if any(cell.strip() for cell in cells):
                header, header_row = tuple(cells), number
            continue
        rows.append(RawRow(number, tuple(cells)))
    if header is None:
        raise InputError(source, "the file has no header row (it is empty)")
    # Empty trailing header cells over empty columns are a spreadsheet's leftovers.
    return RawTable(source, header, tuple(rows), encoding, notes, header_row)


# --- XLSX --------------------------------------------------------------------------------


def _read_xlsx(path: Path, sheet: str | None, max_bytes: int) -> RawTable:
    source = str(path)
    data = read_bytes(path, limit=max_bytes, advice=_SURVEY_ADVICE)
    if not data.startswith(b"PK"):
        raise InputError(source, "not a valid .xlsx file (not a ZIP package)")
    handle = io.BytesIO(data)
    # Entries, sizes and ratios are checked before openpyxl decompresses anything.
    ZipArchive(handle, source, XLSX_LIMITS, "valid .xlsx file").close()
    handle.seek(0)
    from openpyxl import load_workbook  # deferred: openpyxl costs start-up time

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, OSError, SyntaxError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(source, f"not a valid .xlsx file ({detail})") from None
    try:
        names = workbook.sheetnames
        if sheet is None:
            chosen = names[0]
        elif sheet in names:
            chosen = sheet
        else:
            shown = ", ".join(repr(name) for name in names)
            raise InputError(source, f"no sheet named {sheet!r} (sheets: {shown})")
        try:
            records = [
                (number, [_cell_text(value) for value in values])
                for number, values in enumerate(
                    workbook[chosen].iter_rows(values_only=True), start=1
                )
            ]
        except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, SyntaxError) as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise InputError(source, f"sheet {chosen!r} cannot be read ({detail})") from None
    finally:
        workbook.close()
    return _table(source, records, "xlsx", (f"sheet: {chosen}",))


def _cell_text(value: object) -> str:
    """A cell's value as the text a person would type: whole numbers without ``.0``,
    dates as ``YYYY-MM-DD`` (with the time when it is not midnight), TRUE/FALSE."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
