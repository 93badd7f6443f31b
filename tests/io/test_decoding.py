"""Decoding transcript files: encodings, BOMs, normalisation and one-line refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.domain.errors import FileAccessError, InputError
from qualcode.importers.decoding import DEFAULT_MAX_BYTES, read_text_file

DANISH = "Interviewer: Hvordan gik mødet?\nMette: Godt – vi fik “ro på” og så så vi æøå ÆØÅ.\n"


def write(tmp_path: Path, data: bytes, name: str = "t.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refusal(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> InputError:
    with pytest.raises(InputError) as caught:
        read_text_file(path, max_bytes=max_bytes)
    error = caught.value
    assert error.source == str(path)
    assert "\n" not in str(error)
    return error


@pytest.mark.parametrize(
    ("data", "encoding", "bom_note"),
    [
        (DANISH.encode("utf-8"), "utf-8", False),  # plain UTF-8
        (b"\xef\xbb\xbf" + DANISH.encode("utf-8"), "utf-8-sig", True),  # UTF-8 with BOM
        (b"\xff\xfe" + DANISH.encode("utf-16-le"), "utf-16", True),  # UTF-16 little-endian
        (b"\xfe\xff" + DANISH.encode("utf-16-be"), "utf-16", True),  # UTF-16 big-endian
        (b"\xff\xfe\x00\x00" + DANISH.encode("utf-32-le"), "utf-32", True),  # UTF-32 LE
    ],
)
def test_unicode_encodings(tmp_path: Path, data: bytes, encoding: str, bom_note: bool) -> None:
    decoded = read_text_file(write(tmp_path, data))
    assert decoded.text == DANISH
    assert decoded.encoding == encoding
    assert decoded.notes[0] == f"encoding: {encoding}"
    assert ("BOM stripped" in decoded.notes) is bom_note


def test_windows_1252_danish_with_crlf(tmp_path: Path) -> None:
    data = DANISH.replace("\n", "\r\n").encode("cp1252")
    decoded = read_text_file(write(tmp_path, data))
    assert decoded.text == DANISH
    assert decoded.encoding == "windows-1252"
    assert decoded.notes == ("encoding: windows-1252", "2 CRLF line ends -> LF")


def test_lone_cr_line_ends_become_lf(tmp_path: Path) -> None:
    # Classic Mac OS ended lines with CR alone.
    decoded = read_text_file(write(tmp_path, DANISH.replace("\n", "\r").encode("utf-8")))
    assert decoded.text == DANISH
    assert "\r" not in decoded.text
    assert decoded.notes == ("encoding: utf-8", "2 CR line ends -> LF")


def test_mixed_crlf_and_cr_line_ends(tmp_path: Path) -> None:
    decoded = read_text_file(write(tmp_path, b"I: one\r\nR: two\rI: three\r\rR: four\r\n"))
    assert decoded.text == "I: one\nR: two\nI: three\n\nR: four\n"
    assert decoded.notes == ("encoding: utf-8", "2 CRLF line ends -> LF", "3 CR line ends -> LF")


def test_nfd_becomes_nfc(tmp_path: Path) -> None:
    decoded = read_text_file(write(tmp_path, "Se\u0301verine: a\u030a\n".encode()))
    assert decoded.text == "Séverine: å\n"
    assert "Unicode normalised to NFC" in decoded.notes


def test_typographic_characters_survive_exactly(tmp_path: Path) -> None:
    text = "R: “Quoted” ‘single’ – en — em … don’t «guillemets» \u00a0nbsp\u2009thin\n"
    decoded = read_text_file(write(tmp_path, text.encode("utf-8")))
    assert decoded.text == text
    assert decoded.notes == ("encoding: utf-8",)


def test_form_feed_becomes_line_break(tmp_path: Path) -> None:
    decoded = read_text_file(write(tmp_path, b"page one\x0cpage two\x0c\nthree\n"))
    assert decoded.text == "page one\npage two\nthree\n"
    assert "2 form feeds -> line break" in decoded.notes


@pytest.mark.parametrize(
    "data",
    [
        b"",  # zero bytes
        b"  \n\t\r\n",  # whitespace only
        b"\xef\xbb\xbf",  # a UTF-8 BOM and nothing else
        b"\xff\xfe \x00\n\x00",  # UTF-16 whitespace
    ],
)
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    assert refusal(write(tmp_path, data)).reason == "file is empty"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a PNG image, not a transcript"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "looks like a JPEG image, not a transcript"),
        (b"GIF89a\x01\x00", "looks like a GIF image, not a transcript"),
        (b"%PDF-1.7\n%\xe2\xe3", "looks like a PDF document, not a transcript"),
        (b"\x7fELF\x02\x01\x01", "looks like an ELF executable, not a transcript"),
        (b"SQLite format 3\x00\x10\x00", "looks like an SQLite database, not a transcript"),
    ],
)
def test_binary_signatures(tmp_path: Path, data: bytes, reason: str) -> None:
    assert refusal(write(tmp_path, data)).reason == reason


def test_zip_archive_is_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, b"PK\x03\x04\x14\x00\x00\x00"))
    assert error.reason.startswith("looks like a ZIP archive")


def test_nul_byte_offset(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, b"R: hello\x00world"))
    assert error.reason == "binary file (NUL byte at byte offset 8)"


def test_utf16_without_bom_gets_a_hint(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, DANISH.encode("utf-16-le")))
    assert error.reason.startswith("binary file (NUL byte at byte offset 1)")
    assert "UTF-16 without a byte-order mark" in error.reason


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_byte_undefined_in_utf8_and_cp1252(tmp_path: Path, byte: int) -> None:
    prefix = "R: Søren siger ".encode("cp1252")  # 'ø' makes it invalid UTF-8 first
    error = refusal(write(tmp_path, prefix + bytes([byte]) + b" mere\n"))
    assert error.reason == f"undecodable byte 0x{byte:02X} (not UTF-8 and not Windows-1252)"
    assert error.offset == len(prefix)
    assert str(error).endswith(f": byte offset {len(prefix)}: {error.reason}")


def test_stray_byte_in_utf8_names_its_offset(tmp_path: Path) -> None:
    prefix = "R: “æøå” ".encode()
    error = refusal(write(tmp_path, prefix + b"\x81\n"))
    assert error.offset == len(prefix)
    assert "0x81" in error.reason


def test_mixed_utf8_and_cp1252_is_refused(tmp_path: Path) -> None:
    utf8_part = "R: blåbær\n".encode()
    error = refusal(write(tmp_path, utf8_part + "I: rødgrød\n".encode("cp1252")))
    assert error.reason.startswith("mixed encodings: byte 0xF8 is not UTF-8")
    assert error.offset == len(utf8_part) + len("I: r")


def test_invalid_utf16_after_bom(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, b"\xff\xfeR\x00:\x00\x00\xd8 \x00"))  # lone surrogate
    assert error.reason.startswith("not valid UTF-16 despite its byte-order mark")
    assert error.offset == 6


def test_control_character_names_line_and_column(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "I: hej\nR: æø\x07\n".encode()))
    assert error.reason == "control character U+0007; is this a text file?"
    assert (error.line, error.column) == (2, 6)
    assert str(error) == f"{tmp_path / 't.txt'}:2:6: {error.reason}"


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: no disk or memory used
    error = refusal(path)
    assert error.reason == (
        "file is 200.0 MB; the limit is 50 MB per transcript "
        "(split it, or raise the limit with --max-size)"
    )
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024


def test_raised_limit_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, b"R: " + b"x" * 2000)
    assert refusal(path, max_bytes=1024).reason.startswith("file is 2.0 KB; the limit is 1 KB")
    assert read_text_file(path, max_bytes=4096).text.startswith("R: xx")


def test_missing_file(tmp_path: Path) -> None:
    # Opening is the file reader's (qualcode.files.reading): a FileAccessError, one line.
    with pytest.raises(FileAccessError) as caught:
        read_text_file(tmp_path / "nowhere.txt")
    assert str(caught.value) == f"{tmp_path / 'nowhere.txt'}: no such file"
