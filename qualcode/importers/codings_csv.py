"""Reading a codings CSV (columns transcript, code, coder, start, end, optional memo,
text and id) into coding requests. Offsets are half-open code points."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from qualcode.domain.codings import CodingRequest
from qualcode.domain.errors import InputError

REQUIRED_COLUMNS = ("transcript", "code", "coder", "start", "end")
OPTIONAL_COLUMNS = ("memo", "text", "id", "created_at")


def read_codings_csv(path: Path) -> list[CodingRequest]:
    """Parse every row; raises :class:`InputError` with the line of the first bad row.

    A ``text`` column, when present, is the expected passage: the import checks it against
    the transcript so codings made on another version of a text are caught.
    """
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except IsADirectoryError:
        raise InputError(source, "is a folder, not a CSV file") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(source, "not UTF-8 text", offset=error.start) from None
    if not content.strip():
        raise InputError(source, "file is empty")
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
    requests: list[CodingRequest] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InputError(
                    source, f"expected {len(header)} cells, found {len(row)}", line=line
                )
            requests.append(_request(row, index, source, line))
    except csv.Error as error:
        raise InputError(source, f"malformed CSV: {error}", line=reader.line_num) from None
    return requests


def _request(row: list[str], index: dict[str, int], source: str, line: int) -> CodingRequest:
    start_text = row[index["start"]].strip()
    end_text = row[index["end"]].strip()
    for name, value in (("start", start_text), ("end", end_text)):
        if not (value.isascii() and value.isdigit()):
            raise InputError(
                source, f"{name} must be a whole number of code points, got {value!r}", line=line
            )
    transcript = row[index["transcript"]].strip()
    code = row[index["code"]].strip()
    coder = row[index["coder"]].strip()
    if not (transcript and code and coder):
        empty = next(
            n for n, v in (("transcript", transcript), ("code", code), ("coder", coder)) if not v
        )
        raise InputError(source, f"empty {empty}", line=line)
    memo_at = index.get("memo")
    text_at = index.get("text")
    return CodingRequest(
        transcript=transcript,
        code_path=code,
        coder=coder,
        start=int(start_text),
        end=int(end_text),
        memo=(row[memo_at] or None) if memo_at is not None else None,
        line=line,
        expected_text=row[text_at] if text_at is not None else None,
    )
