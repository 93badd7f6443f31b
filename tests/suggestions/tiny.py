"""A tiny project for suggestion tests: three codes, four short transcripts, one coder
("anna") who codes every sentence about waiting as "waiting", about meetings as
"meetings" and about money as "money"; "bo" coded one transcript differently."""

from __future__ import annotations

from pathlib import Path

from qualcode.domain.spans import Span
from qualcode.domain.suggestions import UnitKind, unit_spans
from qualcode.domain.turns import parse_speaker_turns
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import apply_code
from qualcode.services.project import Project, init_project
from qualcode.services.transcripts import import_transcripts

CODEBOOK = """\
name: Tiny
codes:
  - name: waiting
    description: Waiting for answers from the municipality.
    keywords: [waited, weeks, answer]
    shortcut: w
  - name: meetings
    description: Meetings with the caseworker.
    keywords: [meeting, met]
    shortcut: m
  - name: money
    description: Money, grants and payments.
    keywords: [money, grant, paid]
    shortcut: p
"""

SENTENCES = {
    "waiting": [
        "We waited six weeks for an answer.",
        "Nobody answered the phone for weeks.",
        "The answer took months to come.",
        "We kept waiting and waiting for a reply.",
    ],
    "meetings": [
        "The meeting with the caseworker went well.",
        "We met her at the school.",
        "At the meeting she listened to us.",
        "She met our son at home.",
    ],
    "money": [
        "The grant was paid too late.",
        "We lost money when I stopped working.",
        "They paid for the wheelchair in the end.",
        "The money for respite care was cut.",
    ],
    None: ["It was a Tuesday.", "The weather was grey."],
}
CODES = ("waiting", "meetings", "money")


def transcript_text(index: int) -> str:
    """Interviewer/parent turns; each parent turn holds one sentence of each code, rotated."""
    lines = []
    for turn in range(2):
        parts = [SENTENCES[code][(index + turn) % 4] for code in CODES]
        parts.append(SENTENCES[None][turn])
        lines.append(f"Interviewer: Tell me more.\nParent: {' '.join(parts)}")
    return "\n\n".join(lines) + "\n"


def code_of(sentence: str) -> str | None:
    return next((code for code, texts in SENTENCES.items() if sentence in texts), None)


def tiny_project(folder: Path, transcripts: int = 4) -> Project:
    """The project at ``folder / "tiny.qualcode"``: anna coded every transcript but the
    last; bo coded the first with every sentence as "money"."""
    (folder / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    paths = []
    for index in range(transcripts):
        path = folder / f"t{index}.txt"
        path.write_text(transcript_text(index), encoding="utf-8")
        paths.append(path)
    project = init_project(folder / "tiny.qualcode")
    import_codebook(project, folder / "codebook.yaml")
    import_transcripts(project, paths)
    for index in range(transcripts - 1):
        text = transcript_text(index)
        for start, end in unit_spans(text, parse_speaker_turns(text), UnitKind.SENTENCE):
            code = code_of(text[start:end])
            if code is not None:
                apply_code(project, f"t{index}", code, "anna", span=Span(start, end))
            if index == 0 and text[start:end] in SENTENCES["waiting"]:
                apply_code(project, "t0", "money", "bo", span=Span(start, end))
    return project
