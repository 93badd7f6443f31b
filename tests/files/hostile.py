"""Hostile inputs made at test time, small on disk: zip bombs (.docx, .qdpx), archives of
many small entries, FIFOs, sockets and links to devices."""

from __future__ import annotations

import random
import socket
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from benchmarks.make_project import DANISH_WORDS as _WORDS

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_MIB = 1024 * 1024


def _paragraph(text: str) -> bytes:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()


def write_docx(path: Path, body: Iterable[bytes], extra: dict[str, bytes] | None = None) -> Path:
    """A minimal Word document whose ``word/document.xml`` body is the ``body`` chunks
    (streamed into the zip, so a huge body never sits in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        chunks = [f'<w:document xmlns:w="{W}"><w:body>'.encode(), *body]
        _write_chunks(archive, "word/document.xml", [*chunks, b"</w:body></w:document>"])
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return path


def good_docx(path: Path) -> Path:
    return write_docx(path, [_paragraph("Interviewer: How was it?"), _paragraph("Mette: Good.")])


def docx_bomb(path: Path, megabytes: int = 300) -> Path:
    """A .docx whose document.xml expands to ``megabytes`` MiB of one repeated paragraph
    (about 1,000:1, so 300 MiB is some 300 KB on disk)."""
    paragraph = _paragraph("Mette: " + "ja " * 20)
    block = paragraph * (_MIB // len(paragraph))
    return write_docx(path, [block] * megabytes)


def many_small_entries_docx(path: Path, entries: int = 6_000) -> Path:
    """A .docx padded with thousands of tiny entries (past any entry-count limit)."""
    extra = {f"word/media/pad{i}.xml": b"<x/>" for i in range(entries)}
    return write_docx(path, [_paragraph("Mette: hej")], extra)


def small_entries_bomb(path: Path, entries: int = 400, kib: int = 60) -> Path:
    """Each entry just under a per-entry ratio slack, together far past the ratio limit."""
    extra = {f"word/media/pad{i}.bin": bytes(kib * 1024) for i in range(entries)}
    return write_docx(path, [_paragraph("Mette: hej")], extra)


def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def bound_socket(path: Path) -> socket.socket:
    """A Unix socket file at ``path`` (keep the returned socket open while it is used)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    return server


def qdpx_with_selections(
    path: Path, selections: int, *, sources: int = 1, text_length: int = 200_000
) -> Path:
    """A .qdpx of ``sources`` sources coded ``selections`` times in all (one code, one
    coder), streamed into the zip: a million selections are about 12 MB on disk."""
    user, code = "aaaaaaaa-0000-4000-8000-000000000001", "cccccccc-0000-4000-8000-000000000001"
    words = random.Random(7).choices(_WORDS, k=text_length // 6)
    text = "Mette: " + " ".join(words) + "\n"
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="many">'
        f'<Users><User guid="{user}" name="anna"/></Users>'
        f'<CodeBook><Codes><Code guid="{code}" name="tone" isCodable="true"/></Codes></CodeBook>'
        "<Sources>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(sources):
            archive.writestr(f"sources/{_source_guid(index)}.txt", f"Source {index}\n{text}")
        with archive.open("project.qde", "w", force_zip64=True) as stream:
            stream.write(head.encode())
            number = 0
            for index in range(sources):
                guid = _source_guid(index)
                stream.write(
                    f'<TextSource guid="{guid}" name="Interview {index}" '
                    f'plainTextPath="internal://{guid}.txt">'.encode()
                )
                share = selections // sources + (index < selections % sources)
                for batch_start in range(0, share, 10_000):
                    batch = []
                    for _ in range(batch_start, min(share, batch_start + 10_000)):
                        start = number % (len(text) - 10)
                        batch.append(
                            f'<PlainTextSelection guid="dddddddd-0000-4000-8000-{number:012d}" '
                            f'startPosition="{start}" endPosition="{start + 5}">'
                            f'<Coding guid="eeeeeeee-0000-4000-8000-{number:012d}" '
                            f'creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
                            "</PlainTextSelection>"
                        )
                        number += 1
                    stream.write("".join(batch).encode())
                stream.write(b"</TextSource>")
            stream.write(b"</Sources></Project>")
    return path


def _source_guid(index: int) -> str:
    return f"11111111-2222-4333-8444-{index:012d}"


def add_zeros(path: Path, name: str, megabytes: int) -> Path:
    """Append an entry of ``megabytes`` MiB of zeros to the zip at ``path``, streamed (a
    gigabyte of zeros is about 1 MB in the zip and never in memory)."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        _write_chunks(archive, name, [bytes(_MIB)] * megabytes)
    return path


def _write_chunks(archive: zipfile.ZipFile, name: str, chunks: list[bytes]) -> None:
    """Entry ``name`` = the chunks one after another, deflated, streamed. A bomb repeats one
    chunk a thousand times: each distinct chunk is compressed once, ending in a full flush
    (after which a deflate stream starts afresh, so every copy compresses to the same
    bytes), and the copies are replayed — a gigabyte costs a CRC pass, not a compression
    pass. Where the zip writer's compressor is not the attribute this swaps (another
    Python), the chunks are compressed as they come: slower, an equally valid entry."""
    with archive.open(name, "w", force_zip64=True) as stream:
        if hasattr(stream, "_compressor"):
            setattr(stream, "_compressor", _Replay())  # noqa: B010 (a private attribute)
        for chunk in chunks:
            stream.write(chunk)


class _Replay:
    """A raw-deflate compressor that compresses each distinct chunk once."""

    def __init__(self) -> None:
        self.deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.known: dict[bytes, bytes] = {}

    def compress(self, data: bytes) -> bytes:
        if data not in self.known:
            self.known[data] = self.deflate.compress(data) + self.deflate.flush(zlib.Z_FULL_FLUSH)
        return self.known[data]

    def flush(self) -> bytes:
        return self.deflate.flush(zlib.Z_FINISH)
