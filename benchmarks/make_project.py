"""Synthetic, fictional project files of any size, for benchmarks.

``python -m benchmarks.make_project OUT_DIR [--transcripts N --words W --codings C]
[--small] [--seed S] [--project PATH]`` writes, deterministically for a given seed:

- ``transcripts/interview-NNNN-xx.txt``: "Name: utterance" paragraphs (an Interviewer and
  one respondent, every fifth file a focus group of three), English- and Danish-looking
  words including æ, ø, å; W words of speech per file (speaker labels not counted);
- ``codebook.yaml``: 10 themes with 3 sub-codes each, 40 codes in a 2-level tree;
- ``codings.csv``: ``transcript,code,coder,start,end,memo`` rows by 3 coders, half-open
  code-point spans on word boundaries inside turns, often the same passage coded by
  several coders with slightly different edges (as real double coding looks);
- ``manifest.json``: the parameters, so a benchmark can reuse the folder.

Files are UTF-8, LF line ends, NFC, without BOM: exactly the text the importer stores, so
the offsets in the CSV are offsets into the stored text. This module only writes files;
``--project`` builds a project from them through the public services.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.services.project import Project

GENERATOR_VERSION = 1
DEFAULT_SEED = 20240607
INTERVIEWER = "Interviewer"
CODERS = ("Åse", "Bjørn", "Chloé")
CODINGS_HEADER = ("transcript", "code", "coder", "start", "end", "memo")


@dataclass(frozen=True, slots=True)
class ProjectSize:
    """How big a synthetic project is: files, words of speech per file, codings."""

    transcripts: int
    words: int
    codings: int


LARGE = ProjectSize(transcripts=500, words=6000, codings=150_000)
SMALL = ProjectSize(transcripts=10, words=1500, codings=2000)


@dataclass(frozen=True, slots=True)
class GeneratedFiles:
    """Where the generated files are, and what they hold."""

    root: Path
    size: ProjectSize
    seed: int
    transcript_paths: tuple[Path, ...]
    codebook_path: Path
    codings_path: Path
    characters: int
    turns: int


# --- vocabulary -----------------------------------------------------------------------


def _vocabulary(words: str) -> tuple[str, ...]:
    return tuple(words.split())


_ENGLISH = _vocabulary(
    "and the i is that a not there on with have we as to for they you can but so also "
    "family child children school teacher meeting caseworker plan support week time help "
    "home parents mother father really think feel felt said told asked want wanted need "
    "talk talked listen listened understand decision decisions together about because "
    "when what how why who maybe sometimes always never often everyone nobody someone "
    "worried trust trusted difficult easy good bad better worse first last next again "
    "phone letter email appointment visit visits office municipality centre services "
    "family-centred don't didn't couldn't it's that's follow-up well-being day-to-day"
)
_DANISH = _vocabulary(
    "og det jeg er at en ikke der på med har vi som til for de du kan men så også "
    "familie barn børn skole lærer møde sagsbehandler plan støtte uge tid hjælp hjem "
    "forældre mor far virkelig synes føler følte sagde fortalte spurgte ønsker ville "
    "snakke lytte lyttede forstå beslutning beslutninger sammen om fordi hvornår hvad "
    "hvordan hvorfor hvem måske nogle gange altid aldrig ofte alle ingen nogen bekymret "
    "tillid svært nemt godt dårligt bedre værre først sidst næste igen telefon brev "
    "mødet besøg kontor kommunen centret hjælpen øjeblik økonomi åben ærlig ærligt "
    "søster bror skolelærer sagsbehandler-møde 7-årig børnehave fritidshjem træt glæde"
)
DANISH_WORDS = _DANISH  # also the text of synthetic transcripts in tests and benchmarks
_FIRST_NAMES = (
    "Mette",
    "Søren",
    "Åse",
    "Jens",
    "Chloé",
    "Birgitte",
    "Mads",
    "Sofie",
    "Lærke",
    "Øjvind",
    "Freja",
    "Kasper",
    "Ida",
    "Rasmus",
    "Hanne",
    "Bjørn",
)
_MEMOS = (
    "unsure, check with the team",
    'respondent says "always" but means often',
    "borderline: could also be a sub-code",
    "tone matters here, ironic?",
    "ærligt svar, god illustration",
)

_THEMES = (
    ("continuity", "kontinuitet"),
    ("trust", "tillid"),
    ("information", "information"),
    ("participation", "deltagelse"),
    ("coordination", "koordinering"),
    ("economy", "økonomi"),
    ("school", "skole"),
    ("child's voice", "barnets stemme"),
    ("emotions", "følelser"),
    ("time pressure", "tidspres"),
)
_SUB_CODES = (
    ("positive experience", "positiv oplevelse"),
    ("negative experience", "negativ oplevelse"),
    ("wish for change", "ønske om ændring"),
)
_COLOURS = (
    "#2E86AB",
    "#A23B72",
    "#F18F01",
    "#C73E1D",
    "#3B1F2B",
    "#6A994E",
    "#BC4749",
    "#386641",
    "#7B2CBF",
    "#E09F3E",
)


def code_paths() -> list[str]:
    """Every code path of the synthetic codebook: themes, then their sub-codes."""
    paths: list[str] = []
    for theme, _ in _THEMES:
        paths.append(theme)
        paths.extend(f"{theme}/{sub}" for sub, _ in _SUB_CODES)
    return paths


# --- transcripts ----------------------------------------------------------------------


@dataclass(slots=True)
class _Turn:
    speaker: str
    start: int  # code points into the whole text, half-open
    end: int
    words: list[tuple[int, int]]  # each word's span, absolute


def _sentence(rng: random.Random, vocabulary: Sequence[str], other: Sequence[str]) -> list[str]:
    """One sentence as tokens: mostly one language, a few borrowed words, commas."""
    length = rng.randint(5, 18)
    words = rng.choices(vocabulary, k=length)
    if rng.random() < 0.3:
        words[rng.randrange(length)] = rng.choice(other)
    if length > 8 and rng.random() < 0.5:
        position = rng.randrange(3, length - 2)
        words[position] += ","
    words[0] = words[0][:1].upper() + words[0][1:]
    words[-1] += "?" if rng.random() < 0.1 else "."
    return words


def _transcript_text(
    rng: random.Random, words: int, danish: bool, respondents: Sequence[str]
) -> tuple[str, list[_Turn]]:
    """Text of ``words`` words of speech, turns alternating Interviewer and respondents.

    Utterances hold no colons, so only the labels read as speaker labels; a long answer
    is sometimes split into two paragraphs, which continue the same turn."""
    vocabulary, other = (_DANISH, _ENGLISH) if danish else (_ENGLISH, _DANISH)
    pieces: list[str] = []
    turns: list[_Turn] = []
    offset = 0
    written = 0
    index = 0
    while written < words:
        speaker = INTERVIEWER if index % 2 == 0 else rng.choice(respondents)
        budget = rng.randint(8, 30) if speaker == INTERVIEWER else rng.randint(40, 220)
        budget = min(budget, words - written)
        if index:
            pieces.append("\n\n")
            offset += 2
        label = f"{speaker}: "
        pieces.append(label)
        offset += len(label)
        turn = _Turn(speaker, offset, offset, [])
        paragraph_words = 0
        while paragraph_words < budget:
            tokens = _sentence(rng, vocabulary, other)[: budget - paragraph_words]
            if paragraph_words:
                separator = "\n\n" if paragraph_words > 60 and rng.random() < 0.15 else " "
                pieces.append(separator)
                offset += len(separator)
            for position, token in enumerate(tokens):
                if position:
                    pieces.append(" ")
                    offset += 1
                bare = token.rstrip(",.?")
                turn.words.append((offset, offset + len(bare)))
                pieces.append(token)
                offset += len(token)
            paragraph_words += len(tokens)
        turn.end = offset
        turns.append(turn)
        written += paragraph_words
        index += 1
    pieces.append("\n")
    return "".join(pieces), turns


def _codings_for(
    rng: random.Random, name: str, turns: Sequence[_Turn], count: int, codes: Sequence[str]
) -> list[tuple[str, str, str, int, int, str]]:
    """``count`` coding rows for one transcript: a passage of 3-40 words inside one turn,
    coded by one to three coders whose edges differ by up to two words."""
    rows: list[tuple[str, str, str, int, int, str]] = []
    answers = [t for t in turns if t.speaker != INTERVIEWER and len(t.words) >= 3]
    pool = answers or [t for t in turns if t.words]
    while len(rows) < count:
        turn = rng.choice(pool)
        available = len(turn.words)
        length = rng.randint(min(3, available), min(40, available))
        first = rng.randrange(len(turn.words) - length + 1)
        code = rng.choice(codes)
        coders = rng.sample(CODERS, rng.choice((1, 2, 2, 3, 3)))
        for coder in coders:
            if len(rows) == count:
                break
            start = min(max(first + rng.randint(-2, 2), 0), available - 1)
            last = min(max(first + length - 1 + rng.randint(-2, 2), start), available - 1)
            memo = rng.choice(_MEMOS) if rng.random() < 0.05 else ""
            rows.append((name, code, coder, turn.words[start][0], turn.words[last][1], memo))
    return rows


# --- codebook -------------------------------------------------------------------------


def _yaml_string(value: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def codebook_yaml() -> str:
    """The synthetic codebook: 10 themes with colours and shortcuts 0-9, 3 sub-codes each."""
    lines = [
        "name: Synthetic benchmark codebook",
        'description: "Fictional themes for benchmarks: 10 themes x 3 sub-codes."',
        "codes:",
    ]
    for number, ((theme, theme_da), colour) in enumerate(zip(_THEMES, _COLOURS, strict=True)):
        lines += [
            f"  - name: {_yaml_string(theme)}",
            f"    label_da: {_yaml_string(theme_da)}",
            f"    description: {_yaml_string(f'Talk about {theme} in contact with services.')}",
            f'    colour: "{colour}"',
            f'    shortcut: "{number}"',
            f"    keywords: [{_yaml_string(theme)}, {_yaml_string(theme_da)}]",
            "    children:",
        ]
        for sub, sub_da in _SUB_CODES:
            lines += [
                f"      - name: {_yaml_string(sub)}",
                f"        label_da: {_yaml_string(sub_da)}",
                f"        inclusion: {_yaml_string(f'A {sub} of {theme}.')}",
            ]
    return "\n".join(lines) + "\n"


# --- writing --------------------------------------------------------------------------


def _check_nfc(text: str, what: str) -> None:
    if not unicodedata.is_normalized("NFC", text):
        raise ValueError(f"{what}: generated text is not NFC")


def _codings_per_transcript(size: ProjectSize) -> list[int]:
    share, extra = divmod(size.codings, size.transcripts)
    return [share + (1 if index < extra else 0) for index in range(size.transcripts)]


def generate_project(
    out_dir: Path, size: ProjectSize, *, seed: int = DEFAULT_SEED
) -> GeneratedFiles:
    """Write the transcripts, codebook, codings CSV and manifest into ``out_dir``."""
    if size.transcripts < 1 or size.words < 10 or size.codings < 0:
        raise ValueError("need at least 1 transcript of 10 words and no negative codings")
    rng = random.Random(seed)
    folder = out_dir / "transcripts"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.txt"):
        stale.unlink()
    codes = code_paths()
    paths: list[Path] = []
    characters = 0
    turn_count = 0
    codings_path = out_dir / "codings.csv"
    with codings_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CODINGS_HEADER)
        for number, coding_count in enumerate(_codings_per_transcript(size), start=1):
            danish = number % 2 == 0
            name = f"interview-{number:04d}-{'da' if danish else 'en'}"
            people = 3 if number % 5 == 0 else 1
            respondents = rng.sample(_FIRST_NAMES, people)
            text, turns = _transcript_text(rng, size.words, danish, respondents)
            _check_nfc(text, name)
            path = folder / f"{name}.txt"
            path.write_text(text, encoding="utf-8", newline="")
            paths.append(path)
            characters += len(text)
            turn_count += len(turns)
            writer.writerows(_codings_for(rng, name, turns, coding_count, codes))
    codebook_path = out_dir / "codebook.yaml"
    codebook_path.write_text(codebook_yaml(), encoding="utf-8", newline="")
    files = GeneratedFiles(
        root=out_dir,
        size=size,
        seed=seed,
        transcript_paths=tuple(paths),
        codebook_path=codebook_path,
        codings_path=codings_path,
        characters=characters,
        turns=turn_count,
    )
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        **asdict(size),
        "characters": characters,
        "turns": turn_count,
        "files": [p.name for p in paths],
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return files


def reuse_or_generate(
    out_dir: Path, size: ProjectSize, *, seed: int = DEFAULT_SEED
) -> tuple[GeneratedFiles, bool]:
    """The files in ``out_dir`` when its manifest matches ``size`` and ``seed`` (and every
    file is still there), else freshly generated ones. The flag says whether reused."""
    manifest_path = out_dir / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        paths = tuple(out_dir / "transcripts" / name for name in manifest.get("files", []))
        wanted = {"generator_version": GENERATOR_VERSION, "seed": seed, **asdict(size)}
        codebook_path, codings_path = out_dir / "codebook.yaml", out_dir / "codings.csv"
        if (
            all(manifest.get(key) == value for key, value in wanted.items())
            and all(p.exists() for p in (*paths, codebook_path, codings_path))
            and len(paths) == size.transcripts
        ):
            files = GeneratedFiles(
                root=out_dir,
                size=size,
                seed=seed,
                transcript_paths=paths,
                codebook_path=codebook_path,
                codings_path=codings_path,
                characters=int(manifest["characters"]),
                turns=int(manifest["turns"]),
            )
            return files, True
    return generate_project(out_dir, size, seed=seed), False


def build_project(files: GeneratedFiles, location: Path) -> Project:
    """A new project at ``location`` holding the generated files, built through the
    public services (one transaction per step, as a user's imports would be)."""
    from qualcode.services.codebook import import_codebook
    from qualcode.services.coding import import_codings
    from qualcode.services.project import init_project
    from qualcode.services.transcripts import import_transcripts

    project = init_project(location)
    import_codebook(project, files.codebook_path)
    import_transcripts(project, list(files.transcript_paths))
    import_codings(project, files.codings_path)
    return project


def size_from_arguments(
    small: bool, transcripts: int | None, words: int | None, codings: int | None
) -> ProjectSize:
    """``--small`` or the large default, with any explicitly given number overriding."""
    base = SMALL if small else LARGE
    return ProjectSize(
        transcripts=base.transcripts if transcripts is None else transcripts,
        words=base.words if words is None else words,
        codings=base.codings if codings is None else codings,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.make_project",
        description="Write a synthetic, fictional qualcode project's files into OUT_DIR.",
    )
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("--transcripts", type=int, help="files (default 500; --small 10)")
    parser.add_argument("--words", type=int, help="words of speech per file (6000; 1500)")
    parser.add_argument("--codings", type=int, help="coding rows (150000; 2000)")
    parser.add_argument("--small", action="store_true", help="10 x 1,500 words, 2,000 codings")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--project", type=Path, help="also build a project file here")
    args = parser.parse_args(argv)
    size = size_from_arguments(args.small, args.transcripts, args.words, args.codings)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    files = generate_project(args.out_dir, size, seed=args.seed)
    print(
        f"wrote {len(files.transcript_paths)} transcripts ({files.characters:,} characters, "
        f"{files.turns:,} turns), {len(code_paths())} codes, {size.codings:,} codings "
        f"to {files.root}"
    )
    if args.project is not None:
        build_project(files, args.project).close()
        print(f"built project {args.project}")


if __name__ == "__main__":
    main()
