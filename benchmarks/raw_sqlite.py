"""The floor for the import benchmarks: the same rows stored with plain ``sqlite3``.

Each function does the least work that still stores exactly the rows qualcode stores (same
tables, columns, constraints and indexes, same pragmas, one transaction, ``executemany``),
including reading and parsing the input files. :func:`check_same_rows` proves afterwards
that both sides stored the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from benchmarks.make_project import code_paths

# The same tables, columns, constraints and indexes as qualcode's schema for the rows
# these benchmarks write (qualcode/storage/tables.py).
RAW_SCHEMA = """
CREATE TABLE coder (
    id INTEGER NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL UNIQUE
);
CREATE TABLE transcript (
    id INTEGER NOT NULL PRIMARY KEY,
    name VARCHAR(300) NOT NULL UNIQUE,
    text TEXT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    characters INTEGER NOT NULL,
    words INTEGER NOT NULL,
    source_path TEXT,
    encoding VARCHAR(40),
    language VARCHAR(10),
    imported_at DATETIME NOT NULL
);
CREATE TABLE code (
    id INTEGER NOT NULL PRIMARY KEY,
    parent_id INTEGER REFERENCES code (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    name VARCHAR(200) NOT NULL,
    keywords JSON NOT NULL,
    UNIQUE (parent_id, name)
);
CREATE TABLE turn (
    id INTEGER NOT NULL PRIMARY KEY,
    transcript_id INTEGER NOT NULL REFERENCES transcript (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    speaker VARCHAR(200),
    timestamp FLOAT,
    CONSTRAINT turn_span_order CHECK (start_offset < end_offset)
);
CREATE INDEX ix_turn_transcript_start ON turn (transcript_id, start_offset);
CREATE TABLE coding (
    id INTEGER NOT NULL PRIMARY KEY,
    transcript_id INTEGER NOT NULL REFERENCES transcript (id) ON DELETE RESTRICT,
    code_id INTEGER NOT NULL REFERENCES code (id) ON DELETE RESTRICT,
    coder_id INTEGER NOT NULL REFERENCES coder (id) ON DELETE RESTRICT,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    anchor_text TEXT NOT NULL,
    memo TEXT,
    created_at DATETIME NOT NULL,
    CONSTRAINT coding_span_order CHECK (start_offset < end_offset)
);
CREATE INDEX ix_coding_lookup ON coding (transcript_id, code_id, coder_id, start_offset);
"""

# qualcode's word tokenizer (qualcode/domain/words.py), so the stored counts agree.
_WORD = re.compile(r"\w+(?:['’\-‐]\w+)*")
# A "Name: " label opening a paragraph; the generated utterances hold no colons.
_RAW_LABEL = re.compile(r"([^\W\d_][\w.'’\- ]{0,39}?): ")


def raw_connect(path: Path) -> sqlite3.Connection:
    """A connection set up as qualcode sets up its own (WAL, synchronous NORMAL, foreign
    keys), with explicit transactions."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA busy_timeout = 5000")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def raw_create(path: Path) -> sqlite3.Connection:
    connection = raw_connect(path)
    connection.executescript(RAW_SCHEMA)
    return connection


def raw_turns(text: str) -> list[tuple[int, int, str]]:
    """Turns of "Name: utterance" paragraphs; a paragraph without a label continues the
    previous turn. Half-open code points, trailing whitespace outside the turn."""
    turns: list[tuple[int, int, str]] = []
    offset = 0
    for paragraph in text.split("\n\n"):
        match = _RAW_LABEL.match(paragraph)
        end = offset + len(paragraph.rstrip())
        if match:
            turns.append((offset + match.end(), end, match[1]))
        elif turns:
            turns[-1] = (turns[-1][0], end, turns[-1][2])
        offset += len(paragraph) + 2
    return turns


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat(" ")


def raw_import_transcripts(connection: sqlite3.Connection, paths: Sequence[Path]) -> int:
    """Read, hash, count and split every file, then insert all rows in one transaction."""
    transcripts: list[tuple[object, ...]] = []
    turns: list[tuple[object, ...]] = []
    imported_at = _now_text()
    for transcript_id, path in enumerate(paths, start=1):
        text = path.read_bytes().decode("utf-8")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        words = sum(1 for _ in _WORD.finditer(text))
        transcripts.append(
            (transcript_id, path.stem, text, sha, len(text), words, str(path), "utf-8", imported_at)
        )
        for position, (start, end, speaker) in enumerate(raw_turns(text), start=1):
            turns.append((transcript_id, position, start, end, speaker))
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(
        "INSERT INTO transcript (id, name, text, sha256, characters, words, source_path, "
        "encoding, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        transcripts,
    )
    connection.executemany(
        "INSERT INTO turn (transcript_id, position, start_offset, end_offset, speaker) "
        "VALUES (?, ?, ?, ?, ?)",
        turns,
    )
    connection.execute("COMMIT")
    return len(transcripts)


def raw_add_codebook(connection: sqlite3.Connection) -> None:
    """The synthetic codebook's codes, with the ids qualcode gives them (tree order)."""
    ids: dict[str, int] = {}
    connection.execute("BEGIN")
    for code_id, path in enumerate(code_paths(), start=1):
        parent, _, name = path.rpartition("/")
        connection.execute(
            "INSERT INTO code (id, parent_id, position, name, keywords) VALUES (?, ?, 0, ?, '[]')",
            (code_id, ids[parent] if parent else None, name),
        )
        ids[path] = code_id
    connection.execute("COMMIT")


def raw_import_codings(connection: sqlite3.Connection, csv_path: Path) -> int:
    """Parse the CSV, check each span against its transcript, slice the anchor text and
    insert every row with one executemany, all in one transaction."""
    connection.execute("BEGIN IMMEDIATE")
    texts = {
        name: (tid, text)
        for tid, name, text in connection.execute("SELECT id, name, text FROM transcript")
    }
    names = dict(connection.execute("SELECT id, name FROM code").fetchall())
    codes: dict[str, int] = {}
    for code_id, parent_id in connection.execute("SELECT id, parent_id FROM code"):
        # Two levels deep: a parent's name is its whole path.
        prefix = f"{names[parent_id]}/" if parent_id is not None else ""
        codes[prefix + names[code_id]] = code_id
    coders: dict[str, int] = dict(connection.execute("SELECT name, id FROM coder").fetchall())
    created_at = _now_text()
    rows: list[tuple[object, ...]] = []
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        t, c, k, s, e, m = (
            header.index(column)
            for column in ("transcript", "code", "coder", "start", "end", "memo")
        )
        for row in reader:
            transcript_id, text = texts[row[t]]
            start, end = int(row[s]), int(row[e])
            if not 0 <= start < end <= len(text):
                raise ValueError(f"line {reader.line_num}: bad span {start}:{end}")
            coder_id = coders.get(row[k])
            if coder_id is None:
                cursor = connection.execute("INSERT INTO coder (name) VALUES (?)", (row[k],))
                coder_id = coders[row[k]] = int(cursor.lastrowid or 0)
            rows.append(
                (
                    transcript_id,
                    codes[row[c]],
                    coder_id,
                    start,
                    end,
                    text[start:end],
                    row[m] or None,
                    created_at,
                )
            )
    connection.executemany(
        "INSERT INTO coding (transcript_id, code_id, coder_id, start_offset, end_offset, "
        "anchor_text, memo, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.execute("COMMIT")
    return len(rows)


# --- checking both sides stored the same rows -----------------------------------------

TRANSCRIPT_DIGEST = "SELECT name, sha256, characters, words, text FROM transcript ORDER BY name"
TURN_DIGEST = (
    "SELECT t.name, u.position, u.start_offset, u.end_offset, u.speaker FROM turn u "
    "JOIN transcript t ON t.id = u.transcript_id ORDER BY t.name, u.position"
)
CODING_DIGEST = (
    "SELECT t.name, COALESCE(p.name || '/', '') || c.name, k.name, g.start_offset, "
    "g.end_offset, g.anchor_text, g.memo FROM coding g "
    "JOIN transcript t ON t.id = g.transcript_id JOIN code c ON c.id = g.code_id "
    "LEFT JOIN code p ON p.id = c.parent_id JOIN coder k ON k.id = g.coder_id ORDER BY g.id"
)


def digest(database: Path, query: str) -> tuple[int, str]:
    """Row count and a hash of every row the query returns."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        hasher = hashlib.sha256()
        count = 0
        for row in connection.execute(query):
            hasher.update(repr(row).encode("utf-8"))
            count += 1
        return count, hasher.hexdigest()
    finally:
        connection.close()


def check_same_rows(qualcode_db: Path, raw_db: Path, query: str, what: str) -> int:
    ours, raw = digest(qualcode_db, query), digest(raw_db, query)
    if ours != raw:
        raise SystemExit(f"{what}: qualcode stored {ours[0]} rows, raw sqlite3 {raw[0]}, differ")
    return ours[0]
