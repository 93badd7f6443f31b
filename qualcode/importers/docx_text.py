"""Word documents (.docx) -> normalised text and speaker turns.

The body is read in order: each non-empty paragraph is a block of text; "Name:" labels
in it start turns as in plain text. Footnotes and endnotes are kept: their reference in
the text becomes ``[1]`` (footnotes) or ``[i]`` (endnotes), numbered in order of first
reference as Word shows them, and each note's text follows the block that refers to it
as its own paragraph (``[1] The note.``), inside that speaker's turn. A table is read as
turns only when it looks like a transcript: a first column of short speaker names (see
:func:`qualcode.domain.turns.is_speaker_name`) with at least one name on two or more
rows, one row per turn (a header row above may differ). Any other table is kept as text,
one tab-separated line per row that is no one's turn, and the import says so in a
warning.
"""

from __future__ import annotations

import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.domain.errors import InputError
from qualcode.domain.text_entry import name_key
from qualcode.domain.transcripts import Turn, normalise_text
from qualcode.domain.turns import is_speaker_name, parse_speaker_turns
from qualcode.files.archives import ArchiveLimits, ZipArchive
from qualcode.files.reading import MIB, open_regular
from qualcode.importers.decoding import TRANSCRIPT_ADVICE, check_control_characters

DOCX_LIMITS = ArchiveLimits(
    max_entries=5_000,
    max_entry_bytes=64 * MIB,
    max_total_bytes=256 * MIB,
    max_ratio=100.0,
    max_read_bytes=64 * MIB,
    max_xml_bytes=64 * MIB,
)
"""A Word document's zip: python-docx reads every part into memory and parses the XML
(some 10 times its size: a 60 MB document.xml peaks at 700 MB), so what it may decompress
is bounded before it is given the file."""

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
# Word's own separator "notes" (the line above the notes) hold no text of the author's.
_NOT_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})
_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DocxText:
    """A Word document's text and turns, what normalising changed (``notes``) and what
    the reader could not keep as the author laid it out (``warnings``)."""

    text: str
    turns: tuple[Turn, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Block:
    """One paragraph of the text; ``plain`` blocks (tables kept as text) are no turn."""

    text: str
    plain: bool = False


def read_docx(path: Path, max_bytes: int) -> DocxText:
    """Read a .docx within ``max_bytes`` (file) and :data:`DOCX_LIMITS` (its zip).
    Raises :class:`InputError` naming the file for anything that is not a readable Word
    document, or an empty one."""
    source = str(path)
    with open_regular(path, limit=max_bytes, advice=TRANSCRIPT_ADVICE) as handle:
        try:
            head = handle.read(8)
        except OSError as exc:
            raise InputError(source, f"cannot read file ({exc.strerror or exc})") from None
        if head == _OLE_SIGNATURE:
            raise InputError(
                source, "not a valid .docx file (an old binary .doc; save it as .docx)"
            )
        if not head.startswith(b"PK"):
            raise InputError(source, "not a valid .docx file (not a ZIP package)")
        handle.seek(0)
        # The archive's entries, sizes and ratios are checked before python-docx sees the
        # file; zipfile never gives an entry more than its (checked) declared size.
        ZipArchive(handle, source, DOCX_LIMITS, "valid .docx file").close()
        handle.seek(0)
        reader = _read_document(handle, source)
    return _assemble(reader, source)


def _read_document(handle: Any, source: str) -> _Reader:
    import docx  # deferred: python-docx and lxml cost start-up time for every command
    from docx.opc.exceptions import OpcError

    try:
        document = docx.Document(handle)
        reader = _Reader(_Notes(document))
        reader.read_body(document)
    # lxml's XMLSyntaxError subclasses SyntaxError; zlib.error means damaged deflate data.
    except (OpcError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, SyntaxError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(source, f"not a valid .docx file ({detail})") from None
    return reader


def _assemble(reader: _Reader, source: str) -> DocxText:
    """The blocks as one text ("\\n\\n" between blocks), each normalised on its own so
    that its place in the text is known; turns from each run of non-plain blocks."""
    raw = "\n\n".join(block.text for block in reader.blocks)
    text, changes = normalise_text(raw)  # for the notes; the text is rebuilt below
    if not text.strip():
        raise InputError(source, "file is empty")
    pieces: list[str] = []
    turns: list[Turn] = []
    offset = 0
    run: list[str] = []  # the current stretch of non-plain blocks
    run_start = 0

    def close_run() -> None:
        segment = "\n\n".join(run)
        turns.extend(
            Turn(t.start + run_start, t.end + run_start, t.speaker, t.timestamp)
            for t in parse_speaker_turns(segment)
        )
        run.clear()

    for block in reader.blocks:
        piece = _normalised(block.text)
        if not pieces:
            piece = piece.removeprefix("\ufeff")  # as normalise_text does (and notes)
        if block.plain:
            close_run()
        else:
            if not run:
                run_start = offset
            run.append(piece)
        pieces.append(piece)
        offset += len(piece) + 2
    close_run()
    text = "\n\n".join(pieces)
    check_control_characters(text, source)
    notes = ["encoding: docx", *changes, *reader.notes.summary()]
    return DocxText(text, tuple(turns), tuple(notes), tuple(reader.warnings))


def _normalised(text: str) -> str:
    """CR and CRLF as LF, NFC (a BOM is the text's, stripped only from the first block)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


class _Notes:
    """The document's footnotes and endnotes by id, numbered as they are first referred
    to; those referred to since the last :meth:`take` wait to follow their block."""

    def __init__(self, document: Any) -> None:
        self.texts = {
            "footnote": _note_texts(document, "footnote"),
            "endnote": _note_texts(document, "endnote"),
        }
        self.numbers: dict[tuple[str, str], str] = {}
        self.counts = {"footnote": 0, "endnote": 0}
        self.pending: list[str] = []

    def marker(self, kind: str, note_id: str | None) -> str:
        """The mark shown where the note is referred to ("[1]", "[ii]")."""
        key = (kind, note_id or "")
        if key not in self.numbers:
            if note_id not in self.texts[kind]:
                return ""  # a reference to a note the document does not hold
            self.counts[kind] += 1
            number = self.counts[kind]
            self.numbers[key] = str(number) if kind == "footnote" else _roman(number)
            text = self.texts[kind][note_id]
            self.pending.append(f"[{self.numbers[key]}] {text}".rstrip())
        return f"[{self.numbers[key]}]"

    def take(self) -> list[str]:
        taken, self.pending = self.pending, []
        return taken

    def summary(self) -> list[str]:
        footnotes, endnotes = self.counts["footnote"], self.counts["endnote"]
        kept = [
            f"{count} {kind}{'s' if count != 1 else ''}"
            for count, kind in ((footnotes, "footnote"), (endnotes, "endnote"))
            if count
        ]
        return [f"{' and '.join(kept)} kept as text after their paragraph"] if kept else []


def _note_texts(document: Any, kind: str) -> dict[str, str]:
    """Note id -> the note's paragraphs joined by spaces, from the footnotes or endnotes
    part (none when the document has no such part)."""
    from docx.oxml.parser import parse_xml  # entities are not resolved
    from docx.text.paragraph import Paragraph

    texts: dict[str, str] = {}
    for relationship in document.part.rels.values():
        if relationship.is_external or relationship.reltype != f"{_RELATIONSHIPS}{kind}s":
            continue
        root = parse_xml(relationship.target_part.blob)
        for note in root.iterchildren(f"{_W}{kind}"):
            if note.get(f"{_W}type") in _NOT_NOTES:
                continue
            paragraphs = (Paragraph(p, document).text.strip() for p in note.iter(f"{_W}p"))
            texts[note.get(f"{_W}id") or ""] = " ".join(p for p in paragraphs if p)
    return texts


def _roman(number: int) -> str:
    """Lower-case Roman numerals, as Word numbers endnotes."""
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


class _Reader:
    """The body as blocks, in order, with the notes following the block referring to
    them."""

    def __init__(self, notes: _Notes) -> None:
        self.notes = notes
        self.blocks: list[_Block] = []
        self.warnings: list[str] = []
        self.tables = 0

    def add(self, text: str, plain: bool = False) -> None:
        self.blocks.append(_Block(text, plain))
        self.blocks.extend(_Block(note, plain) for note in self.notes.take())

    def read_body(self, document: Any) -> None:
        from docx.table import Table

        for block in document.iter_inner_content():
            if isinstance(block, Table):
                self.tables += 1
                self.read_table(block)
            else:
                text = self.paragraph_text(block)
                if text.strip():
                    self.add(text)
                else:
                    self.blocks.extend(_Block(note) for note in self.notes.take())

    def paragraph_text(self, paragraph: Any) -> str:
        """The paragraph's text (as python-docx gives it) with note marks in place."""
        from docx.text.run import Run

        parts: list[str] = []
        for item in paragraph.iter_inner_content():
            for run in [item] if isinstance(item, Run) else item.runs:
                parts.append(run.text)
                for reference in run._r.iter(f"{_W}footnoteReference", f"{_W}endnoteReference"):
                    kind = "footnote" if reference.tag.endswith("footnoteReference") else "endnote"
                    parts.append(self.notes.marker(kind, reference.get(f"{_W}id")))
        return "".join(parts)

    def read_table(self, table: Any) -> None:
        rows = [(cells, self.notes.take()) for cells in self.row_cells(table)]
        rows = [(cells, notes) for cells, notes in rows if cells or notes]
        marked = bool(table.rows) and bool(table.rows[0]._tr.xpath("./w:trPr/w:tblHeader"))
        header = transcript_header((cells for cells, _ in rows), marked_header=marked)
        if header is None:
            if rows:
                self.warnings.append(
                    f"table {self.tables} ({len(rows)} row{'s' if len(rows) != 1 else ''}) "
                    "kept as text, not as turns: its first column is not speaker names "
                    "repeated over its rows"
                )
            for cells, notes in rows:
                self.blocks.append(_Block("\t".join(cells), plain=True))
                self.blocks.extend(_Block(note, plain=True) for note in notes)
            return
        for index, (cells, notes) in enumerate(rows):
            if index == 0 and header:
                self.blocks.append(_Block("\t".join(cells), plain=True))
            else:
                self.blocks.append(_Block(f"{cells[0]}: {' '.join(cells[1:])}"))
            self.blocks.extend(_Block(note, plain=index == 0 and header) for note in notes)

    def row_cells(self, table: Any) -> Iterator[list[str]]:
        """Each row's non-empty cell texts (with note marks), merged cells once."""
        for row in table.rows:
            texts: list[str] = []
            previous = None
            for cell in row.cells:
                # Horizontally merged cells come back once per grid column.
                if cell._tc is not previous:
                    text = "\n".join(self.paragraph_text(p) for p in cell.paragraphs).strip()
                    if text:
                        texts.append(text)
                previous = cell._tc
            yield texts


def transcript_header(rows: Iterable[list[str]], *, marked_header: bool = False) -> bool | None:
    """Whether a table's rows (non-empty cell texts) look like a transcript: ``False``
    when every row is a turn, ``True`` when the first row is a header above turns, ``None``
    when the table is not a transcript. A transcript has two or more cells in every turn
    row, a speaker name (:func:`is_speaker_name`) in the first, and at least one speaker
    on two or more rows. The first row is a header when Word marks it as one
    (``marked_header``) or when its cells are all short labels (no sentence ending) and
    its first cell is no one who speaks below."""
    listed = list(rows)

    def turns(candidates: list[list[str]]) -> bool:
        if len(candidates) < 2:
            return False
        if not all(len(cells) >= 2 and is_speaker_name(cells[0]) for cells in candidates):
            return False
        return max(Counter(name_key(cells[0]) for cells in candidates).values()) >= 2

    if len(listed) > 2 and turns(listed[1:]):
        speakers = {name_key(cells[0]) for cells in listed[1:]}
        first = listed[0]
        labels = all(_label(cell) for cell in first) and name_key(first[0]) not in speakers
        if marked_header or labels:
            return True
    return False if turns(listed) else None


def _label(cell: str) -> bool:
    """A column heading: a short name, not a sentence ("Udsagn", not "Jeg starter.")."""
    return is_speaker_name(cell) and not cell.endswith((".", "?", "!", "…"))
