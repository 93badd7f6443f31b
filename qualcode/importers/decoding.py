"""Read a text file of unknown encoding into normalised text, or refuse it in one line.

Detection order: a regular file within the size limit (checked before reading, see
:mod:`qualcode.files.reading`), empty file, binary
signatures, byte-order marks, NUL bytes, strict UTF-8, then Windows-1252. The decoded
text is normalised (no BOM, ``\\n`` line ends, NFC) and checked for control characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.errors import InputError
from qualcode.domain.transcripts import normalise_text
from qualcode.files.reading import MIB, read_bytes

DEFAULT_MAX_BYTES = 50 * MIB
"""Largest transcript file read by default (50 MiB)."""

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (a .docx or .xlsx saved under another name?)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old binary Office file (.doc or .xls)"),
)

# Longest BOM first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)

# Controls other than \t and \n (\r is gone after normalisation; \x0c is handled first).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Bytes Windows-1252 leaves undefined.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")

# UTF-8 encodings of Latin-1 letters (Ã¦ Ã¸ Ã¥ ...) and of typographic punctuation
# (â€™ â€“ ...). A file that is not valid UTF-8 but holds these is a mix of encodings;
# reading it as Windows-1252 would silently turn the UTF-8 parts into mojibake.
_UTF8_MOJIBAKE_SOURCE = re.compile(rb"[\xc2\xc3][\x80-\xbf]|\xe2\x80[\x80-\xbf]")


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Normalised text of a file, the encoding it was read with, and what was changed."""

    text: str
    encoding: str
    notes: tuple[str, ...]


TRANSCRIPT_ADVICE = "per transcript (split it, or raise the limit with --max-size)"


def read_input_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a transcript file: a regular file (never a pipe, device or folder)
    no bigger than ``max_bytes``, read through :mod:`qualcode.files.reading`.

    An oversized file is refused from its size before anything is read."""
    return read_bytes(path, limit=max_bytes, advice=TRANSCRIPT_ADVICE)


def read_text_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> DecodedText:
    """Read, decode and normalise a text file.

    Raises :class:`InputError` (one line, source ``str(path)``) for a missing, oversized,
    empty, binary or undecodable file, or one holding control characters. Byte offsets in
    errors are 0-based into the file; lines and columns (code points) are 1-based.
    """
    source = str(path)
    raw, encoding = _decode(_read_bytes(path, max_bytes), source)  # the bytes are freed here
    text, changes = normalise_text(raw)
    del raw  # normalising may have made a copy; keep one text in memory
    notes = [f"encoding: {encoding}", *changes]
    if "\x0c" in text:
        # A form feed is a page break from a word processor: keep it as a line break.
        feeds = text.count("\x0c")
        text = text.replace("\x0c\n", "\n").replace("\x0c", "\n")
        notes.append(f"{feeds:,} form feed{'s' if feeds != 1 else ''} -> line break")
    if not text or text.isspace():  # not text.strip(): that copies the text
        raise InputError(source, "file is empty")
    check_control_characters(text, source)
    return DecodedText(text, encoding, tuple(notes))


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes: a regular file within the limit, not empty."""
    data = read_input_bytes(path, max_bytes)
    if not data:
        raise InputError(str(path), "file is empty")
    return data


def check_control_characters(text: str, source: str) -> None:
    """Refuse text holding control characters other than tab and newline, naming the
    first one's 1-based line and column (column in code points)."""
    match = _CONTROL.search(text)
    if match is None:
        return
    position = match.start()
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    raise InputError(
        source,
        f"control character U+{ord(match.group()):04X}; is this a text file?",
        line=line,
        column=column,
    )


def _decode(data: bytes, source: str) -> tuple[str, str]:
    """Decode ``data`` and name the encoding used; the BOM, if any, is kept in the text
    (``normalise_text`` strips it and says so)."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise InputError(source, f"looks like {kind}, not a transcript")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data, codec, label, source), label
    nul = data.find(b"\x00")
    if nul >= 0:
        reason = f"binary file (NUL byte at byte offset {nul})"
        if _looks_like_bomless_utf16(data):
            reason += "; it looks like UTF-16 without a byte-order mark: save it as UTF-8"
        raise InputError(source, reason)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    if data[utf8_error] in _CP1252_UNDEFINED:
        raise _undecodable(source, data, utf8_error)
    mixed = _UTF8_MOJIBAKE_SOURCE.search(data)
    if mixed is not None:
        raise InputError(
            source,
            f"mixed encodings: byte 0x{data[utf8_error]:02X} is not UTF-8, yet the file "
            f"holds UTF-8 text (e.g. at byte offset {mixed.start()}); save it as UTF-8",
            offset=utf8_error,
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _undecodable(source, data, exc.start) from None
    return text, "windows-1252"


def _undecodable(source: str, data: bytes, offset: int) -> InputError:
    return InputError(
        source,
        f"undecodable byte 0x{data[offset]:02X} (not UTF-8 and not Windows-1252)",
        offset=offset,
    )


def _decode_strict(data: bytes, codec: str, label: str, source: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        name = label.removesuffix("-sig").upper()
        raise InputError(
            source,
            f"not valid {name} despite its byte-order mark ({exc.reason})",
            offset=exc.start,
        ) from None


def _looks_like_bomless_utf16(data: bytes) -> bool:
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    # Latin-script UTF-16 has a zero high byte in almost every code unit, and few
    # zero low bytes.
    return max(even, odd) >= 0.6 * half and min(even, odd) <= 0.05 * half
