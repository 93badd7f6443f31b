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
    def cell(name: str) -> str:
        return row[index[name]] if name in index else ""

    offsets: list[int] = []
    for name in ("start", "end"):
        value = cell(name).strip()
        if not value.isdigit():
            raise InputError(
                source, f"{name} must be a whole number of code points, got {value!r}", line=line
            )
        offsets.append(int(value))
    for name in ("transcript", "code", "coder"):
        if not cell(name).strip():
            raise InputError(source, f"empty {name}", line=line)
    return CodingRequest(
        transcript=cell("transcript").strip(),
        code_path=cell("code").strip(),
        coder=cell("coder").strip(),
        start=offsets[0],
        end=offsets[1],
        memo=cell("memo") or None,
        line=line,
        expected_text=cell("text") if "text" in index else None,
    )
