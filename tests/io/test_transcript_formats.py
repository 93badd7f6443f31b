"""Loading transcripts from .txt, .md, .docx, .vtt and .srt files written to disk."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from qualcode.domain.errors import FileAccessError, InputError
from qualcode.domain.transcripts import TranscriptDraft
from qualcode.domain.turns import speakers
from qualcode.importers.decoding import DEFAULT_MAX_BYTES
from qualcode.importers.transcripts import SUPPORTED_SUFFIXES, load_transcript


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def utterances(draft: TranscriptDraft) -> list[tuple[str | None, str]]:
    return [(t.speaker, draft.text[t.start : t.end]) for t in draft.turns]


def refusal(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> InputError:
    with pytest.raises(InputError) as caught:
        load_transcript(path, max_bytes=max_bytes)
    assert caught.value.source == str(path)
    assert "\n" not in str(caught.value)
    return caught.value


# --- plain text and Markdown ---------------------------------------------------------


def test_txt(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "parent-01.txt",
        "Interviewer: How did the first meeting go?\r\n\r\n"
        "Hannah: It was fine. We talked about the school and the plan.\r\n\r\n"
        "And then it was over, and I think that is all there is to say.\r\n",
    )
    draft = load_transcript(path)
    assert draft.name == "parent-01"
    assert draft.source_path == str(path)
    assert draft.encoding == "utf-8"
    assert draft.notes == ("encoding: utf-8", "5 CRLF line ends -> LF")
    assert draft.language == "en"
    assert utterances(draft) == [
        ("Interviewer", "How did the first meeting go?"),
        (
            "Hannah",
            "It was fine. We talked about the school and the plan.\n\n"
            "And then it was over, and I think that is all there is to say.",
        ),
    ]


def test_md_with_heading_and_bold_labels(tmp_path: Path) -> None:
    text = (
        "# Interview 6\n\n*Recorded 2024-03-01*\n\n"
        "**I:** Kan du fortælle om jer?\n\n**R:** Ja, vi er en familie på fire, og det er godt.\n"
    )
    draft = load_transcript(write(tmp_path, "parent-06.MD", text), name="Parent 6")
    assert draft.name == "Parent 6"
    assert draft.language == "da"
    assert utterances(draft) == [
        ("I", "Kan du fortælle om jer?"),
        ("R", "Ja, vi er en familie på fire, og det er godt."),
    ]


def test_txt_in_windows_1252(tmp_path: Path) -> None:
    path = write(tmp_path, "da.txt", "Mette: Det gik godt med mødet.\r\n".encode("cp1252"))
    draft = load_transcript(path)
    assert draft.encoding == "windows-1252"
    assert utterances(draft) == [("Mette", "Det gik godt med mødet.")]


def test_text_without_labels_has_no_turns(tmp_path: Path) -> None:
    draft = load_transcript(write(tmp_path, "notes.txt", "Just field notes.\n"))
    assert draft.turns == ()
    assert draft.notes[-1] == "no speaker labels found: the text has no turns"


# --- Word documents ------------------------------------------------------------------


def test_docx(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Interview with Martin")
    document.add_paragraph("")
    document.add_paragraph("I: Thanks for agreeing to do this.")
    document.add_paragraph("")
    document.add_paragraph("   ")
    document.add_paragraph("")
    document.add_paragraph("R: Sure. I’m Martin.")
    document.add_paragraph("My daughter is Ida – she is seven.")
    table = document.add_table(rows=3, cols=2)
    for row, (speaker, text) in enumerate([("I", "And school?"), ("R", "Fine."), ("I", "Good.")]):
        table.cell(row, 0).text = speaker
        table.cell(row, 1).text = text
    path = tmp_path / "parent-02.docx"
    document.save(str(path))

    draft = load_transcript(path)
    assert draft.encoding == "docx"
    assert draft.notes[0] == "encoding: docx"
    assert draft.text == (
        "Interview with Martin\n\nI: Thanks for agreeing to do this.\n\n"
        "R: Sure. I’m Martin.\n\nMy daughter is Ida – she is seven.\n\nI: And school?"
        "\n\nR: Fine.\n\nI: Good."
    )
    assert utterances(draft) == [
        ("I", "Thanks for agreeing to do this."),
        ("R", "Sure. I’m Martin.\n\nMy daughter is Ida – she is seven."),
        ("I", "And school?"),
        ("R", "Fine."),
        ("I", "Good."),
    ]


def test_docx_without_text_is_empty(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("")
    path = tmp_path / "blank.docx"
    document.save(str(path))
    assert refusal(path).reason == "file is empty"


def _zip_with(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"this is plain text", "not a ZIP package"),  # renamed text file
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "an old binary .doc"),  # Word 97
        (b"PK\x03\x04 truncated", "File is not a zip file"),  # a broken ZIP (the archive reader)
    ],
)
def test_corrupt_docx(tmp_path: Path, content: bytes, detail: str) -> None:
    error = refusal(write(tmp_path, "bad.docx", content))
    assert error.reason.startswith("not a valid .docx file (")
    assert detail in error.reason


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = _zip_with(tmp_path / "other.docx", {"hello.txt": "hi"})
    assert refusal(path).reason.startswith("not a valid .docx file (")


def test_docx_size_limit(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("R: " + "word " * 2000)
    path = tmp_path / "big.docx"
    document.save(str(path))
    assert refusal(path, max_bytes=1024).reason.startswith("file is ")


# --- WebVTT --------------------------------------------------------------------------

VTT = """WEBVTT - interview 4
Kind: captions

NOTE recorded on a phone,
two lines of note

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:03.500 align:start position:10%
<v Interviewer>How did it <i>start</i>?</v>

00:03.700 --> 00:06.000
<v.loud Jens>It was the school &amp; the
<b>teacher</b> &lt;Anne&gt;.</v>

00:06.000 --> 00:08.250
<v Jens>Then <00:07.000>it <c.yellow>grew</c>.

00:08.500 --> 00:09.000
(music)

00:09.000 --> 01:00:10.000
Interviewer: And&nbsp;then?

00:10.000 --> 00:12.000
<v Jens>Well.</v> <v Interviewer>Go on.</v>
"""


def test_vtt_voices_merging_and_markup(tmp_path: Path) -> None:
    draft = load_transcript(write(tmp_path, "parent-04.vtt", VTT))
    assert draft.text == (
        "Interviewer: How did it start?\n\n"
        "Jens: It was the school & the teacher <Anne>. Then it grew.\n\n"
        "(music)\n\n"
        "Interviewer: And then?\n\n"
        "Jens: Well.\n\n"
        "Interviewer: Go on."
    )
    assert utterances(draft) == [
        ("Interviewer", "How did it start?"),
        ("Jens", "It was the school & the teacher <Anne>. Then it grew."),
        (None, "(music)"),
        ("Interviewer", "And then?"),
        ("Jens", "Well."),
        ("Interviewer", "Go on."),
    ]
    assert [t.timestamp for t in draft.turns] == [1.0, 3.7, 8.5, 9.0, 10.0, 10.0]
    assert speakers(draft.turns) == ["Interviewer", "Jens"]
    assert draft.notes == ("encoding: utf-8", "7 cues -> 6 turns")


def test_counts_in_notes_have_thousands_separators(tmp_path: Path) -> None:
    cues = "".join(
        f"\n00:{n // 60:02d}:{n % 60:02d}.000 --> 00:{n // 60:02d}:{n % 60:02d}.500\n"
        f"<v {'Interviewer' if n % 2 else 'Mette'}>Ja.\n"
        for n in range(1200)
    )
    draft = load_transcript(write(tmp_path, "long.vtt", "WEBVTT\n" + cues.replace("\n", "\r\n")))
    assert len(draft.turns) == 1200
    assert draft.notes == (
        "encoding: utf-8",
        "3,600 CRLF line ends -> LF",  # three per cue
        "1,200 cues -> 1,200 turns",
    )


def test_vtt_with_bom_and_crlf(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nSøren: Hej.\r\n".encode()
    draft = load_transcript(write(tmp_path, "crlf.vtt", data))
    assert draft.encoding == "utf-8-sig"
    assert draft.text == "Søren: Hej."
    assert utterances(draft) == [("Søren", "Hej.")]


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        # no header at all
        ("00:01.000 --> 00:02.000\nHi\n", 1, "missing WEBVTT header"),
        # comma instead of dot in the timing
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n\n00:03,000 --> 00:04,000\nHo\n", 6, "malformed"),
        # a cue identifier, then a timing line with a single-dash arrow
        ("WEBVTT\n\nfirst\n00:01.000 -> 00:02.000\nHi\n", 4, "malformed cue timing"),
        # seconds out of range
        ("WEBVTT\n\n00:01.000 --> 00:72.000\nHi\n", 3, "malformed cue timing"),
        # a cue that ends before it starts
        ("WEBVTT\n\n00:05.000 --> 00:02.000\nHi\n", 3, "cue ends before it starts"),
        # text where the first cue should be
        ("WEBVTT\n\njust text\n", 3, "expected a cue timing line"),
    ],
)
def test_malformed_vtt(tmp_path: Path, content: str, line: int, reason: str) -> None:
    error = refusal(write(tmp_path, "bad.vtt", content))
    assert error.line == line
    assert error.reason.startswith(reason)


# --- SubRip --------------------------------------------------------------------------

SRT = """1
00:00:01,000 --> 00:00:04,000
Interviewer: Hello, is that Sarah?

2
00:00:04,500 --> 00:00:06,000
Sarah: Yes, hi.

3
00:00:06,000 --> 00:00:09,120
{\\an8}<i>Sorry</i>, just a
second.

4
00:00:09,500 --> 00:00:10,000
Sarah: Okay.

5
00:00:10,000 --> 00:00:11,000
<v Interviewer>Thanks.

"""


def test_srt(tmp_path: Path) -> None:
    draft = load_transcript(write(tmp_path, "parent-05.srt", SRT.replace("\n", "\r\n")))
    assert draft.text == (
        "Interviewer: Hello, is that Sarah?\n\n"
        "Sarah: Yes, hi.\n\n"
        "Sorry, just a second.\n\n"
        "Sarah: Okay.\n\n"
        "Interviewer: Thanks."
    )
    assert utterances(draft) == [
        ("Interviewer", "Hello, is that Sarah?"),
        ("Sarah", "Yes, hi."),
        (None, "Sorry, just a second."),
        ("Sarah", "Okay."),
        ("Interviewer", "Thanks."),
    ]
    assert [t.timestamp for t in draft.turns] == [1.0, 4.5, 6.0, 9.5, 10.0]


def test_srt_cue_with_two_speakers(tmp_path: Path) -> None:
    content = "1\n00:00:01,000 --> 00:00:03,000\nSarah: Hi there,\nhow are you?\nTom: Fine.\n"
    draft = load_transcript(write(tmp_path, "two.srt", content))
    assert utterances(draft) == [("Sarah", "Hi there, how are you?"), ("Tom", "Fine.")]
    assert [t.timestamp for t in draft.turns] == [1.0, 1.0]


def test_srt_merges_consecutive_cues_of_one_speaker(tmp_path: Path) -> None:
    content = (
        "1\n00:00:01,000 --> 00:00:02,000\nSarah: One.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nSarah: Two.\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nSarah: Three,\n\nwith a blank line inside.\n"
    )
    draft = load_transcript(write(tmp_path, "merge.srt", content))
    assert utterances(draft) == [("Sarah", "One. Two. Three, with a blank line inside.")]
    assert draft.turns[0].timestamp == 1.0
    assert draft.text == "Sarah: One. Two. Three, with a blank line inside."


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        # a dot-less timing
        ("1\n00:00:01 --> 00:00:02,000\nHi\n", 2, "malformed cue timing"),
        # minutes out of range in the second cue
        (
            "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:61:00,000 --> 00:62:00,000\nHo\n",
            6,
            "malformed",
        ),
        # the cue number is not a number
        ("one\n00:00:01,000 --> 00:00:02,000\nHi\n", 1, "expected a cue number"),
        # a cue number with nothing after it
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n", 5, "cue 2 has no timing line"),
        # a cue number followed by text, not a timing line
        ("1\nHello there\n", 2, "malformed cue timing"),
        # prose instead of cues
        ("Some notes\nabout the call\n", 1, "expected a cue number"),
    ],
)
def test_malformed_srt(tmp_path: Path, content: str, line: int, reason: str) -> None:
    error = refusal(write(tmp_path, "bad.srt", content))
    assert error.line == line
    assert error.reason.startswith(reason)


def test_srt_without_cue_text(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "silent.srt", "1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n"))
    assert error.reason == "no cues with text"


# --- dispatch ------------------------------------------------------------------------


def test_unsupported_suffix_lists_supported_ones(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "notes.pdf", b"%PDF-1.4"))
    assert (
        error.reason == f"unsupported file type '.pdf'; use one of {', '.join(SUPPORTED_SUFFIXES)}"
    )


def test_missing_file(tmp_path: Path) -> None:
    # Opening is the file reader's (qualcode.files.reading): a FileAccessError, one line.
    with pytest.raises(FileAccessError) as caught:
        load_transcript(tmp_path / "absent.txt")
    assert str(caught.value) == f"{tmp_path / 'absent.txt'}: no such file"


def test_text_format_errors_come_from_decoding(tmp_path: Path) -> None:
    assert refusal(write(tmp_path, "image.vtt", b"\x89PNG\r\n\x1a\n")).reason == (
        "looks like a PNG image, not a transcript"
    )
