"""The hand-built fixture project: two small transcripts, three cases, a two-theme
codebook and eleven codings by two coders, built through the real services.

interview-1 (46 characters; whole transcript = case "Case A")::

    I: one two three\\nR: four five-six seven eight\\n
    0         1         2         3         4
    0123456789012345678901234567890123456789012345

    turns: I [3,16)  R [20,45)

focus-1 (61 characters; P's turns = case "Case P", Q's turn = case "Case Q")::

    M: hi all\\nP: alpha beta\\nM: and you\\nQ: gamma\\nP: delta epsilon\\n
    0         1         2         3         4         5         6
    0123456789012345678901234567890123456789012345678901234567890

    turns: M [3,9)  P [13,23)  M [27,34)  Q [38,43)  P [47,60)

Codebook: theme T with sub-codes T/a and T/b; theme U.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.services.cases import import_cases
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import import_codings
from qualcode.services.matrices import set_framework_summary
from qualcode.services.project import Project, init_project
from qualcode.services.transcripts import import_transcripts

INTERVIEW = "I: one two three\nR: four five-six seven eight\n"
FOCUS = "M: hi all\nP: alpha beta\nM: and you\nQ: gamma\nP: delta epsilon\n"

CODEBOOK = """\
name: fixture
codes:
  - name: T
    children:
      - name: a
      - name: b
  - name: U
"""

CASES = """\
case,transcript,speaker,group,years:number
Case A,interview-1,,parent,3
Case P,focus-1,P,worker,10
Case Q,focus-1,Q,worker,3
"""

# (transcript, code, coder, start, end); the comment shows the coded text.
CODINGS = [
    ("interview-1", "T/a", "c1", 20, 24),  # "four"
    ("interview-1", "T/a", "c1", 24, 33),  # " five-six" (touches the one before)
    ("interview-1", "T", "c1", 30, 39),  # "six seven" (theme over its sub-code)
    ("interview-1", "T/b", "c2", 3, 10),  # "one two"
    ("interview-1", "T/b", "c2", 6, 16),  # " two three" (overlaps)
    ("interview-1", "U", "c2", 34, 45),  # "seven eight"
    ("interview-1", "U", "c1", 42, 45),  # "ght" (starts mid-word)
    ("focus-1", "T", "c1", 19, 52),  # "beta\nM: and you\nQ: gamma\nP: delta" (crosses turns)
    ("focus-1", "U", "c2", 13, 18),  # "alpha"
    ("focus-1", "T/a", "c2", 53, 60),  # "epsilon"
    ("interview-1", "T/b", "c2", 16, 20),  # "\nR: " (touches c2's and c1's T codings)
]

SUMMARY = "P describes a long chain of contacts; Q only mentions it."


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def build_fixture(folder: Path, *, summary: bool = True, location: str | None = None) -> Project:
    """Create the fixture project at ``location`` (default: ``fixture.qualcode`` in
    ``folder``, which also holds the source files)."""
    assert INTERVIEW.index("four") == 20
    assert FOCUS.index("epsilon") == 53
    project = init_project(location or folder / "fixture.qualcode")
    import_codebook(project, write(folder / "codebook.yaml", CODEBOOK))
    import_transcripts(
        project,
        [write(folder / "interview-1.txt", INTERVIEW), write(folder / "focus-1.txt", FOCUS)],
    )
    import_cases(project, write(folder / "cases.csv", CASES))
    rows = ["transcript,code,coder,start,end"]
    rows.extend(",".join(str(v) for v in coding) for coding in CODINGS)
    import_codings(project, write(folder / "codings.csv", "\n".join(rows) + "\n"))
    if summary:
        set_framework_summary(project, "Case P", "T", SUMMARY, author="c1")
    return project
