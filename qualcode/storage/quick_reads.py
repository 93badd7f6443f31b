"""Read-only listings of a SQLite project with the standard library's sqlite3 alone.

Loading SQLAlchemy costs a listing command more time than all its work on a small project
(0.15–0.3 s on a 2-core machine, against a 0.4 s start-up target), so the listing
commands read through here first. A reader is given only to a project that needs nothing
but reading: a SQLite file with qualcode's header at the current schema version.
Everything else — a URL, a missing or foreign file, an older or newer schema, a file that
cannot be opened read-only — gets ``None``, and the caller opens the project the usual
way, which migrates it or explains in one line what is wrong.

Each query here answers the same question as a repository method of the unit of work
(named in its docstring), and the tests compare the two on the same projects.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from qualcode.domain.cases import AttributeDef, AttributeType, Case, assemble_cases
from qualcode.domain.codebook import CodeSpec, StoredCode, code_tree
from qualcode.domain.errors import ProjectError, QualcodeError
from qualcode.domain.project_summary import Counts
from qualcode.domain.transcripts import (
    Transcript,
    TranscriptSummary,
    Turn,
    summarise_transcripts,
)
from qualcode.storage.sqlite_file import (
    IMMUTABLE,
    READ_ONLY,
    SCHEMA_VERSION,
    access_mode,
    check_sqlite_file,
    damaged,
    failure,
    is_damage,
    is_url,
    sqlite_uri,
)


class QuickReads:
    """The quick reads of one read transaction, answering as the unit of work's
    repositories do; the connection stays private to storage."""

    __slots__ = ("_connection",)

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def transcript_summaries(self) -> list[TranscriptSummary]:
        return transcript_summaries(self._connection)

    def transcript(self, name: str) -> Transcript | None:
        return transcript(self._connection, name)

    def counts(self) -> Counts:
        return counts(self._connection)

    def coder_names(self) -> list[str]:
        return coder_names(self._connection)

    def codes(self) -> list[StoredCode]:
        return codes(self._connection)

    def cases(self) -> list[Case]:
        return cases(self._connection)

    def attribute_defs(self) -> list[AttributeDef]:
        return attribute_defs(self._connection)


@contextmanager
def quick_reader(location: str) -> Iterator[QuickReads | None]:
    """Quick reads in one read-only transaction, or ``None`` (see the module)."""
    connection = _connect(location)
    if connection is None:
        yield None
        return
    with closing(connection):
        try:
            yield QuickReads(connection)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
            shown = str(Path(location))
            known = None if isinstance(error, UnicodeDecodeError) else failure(shown, error)
            if known is not None:
                raise known from error
            if isinstance(error, UnicodeDecodeError) or is_damage(str(error)):
                raise damaged(shown, error) from error
            raise ProjectError(f"{shown}: database error: {error}") from error
        finally:
            connection.rollback()


def _connect(location: str) -> sqlite3.Connection | None:
    if is_url(location):
        return None
    path = Path(location)
    try:
        check_sqlite_file(path)
        mode = IMMUTABLE if access_mode(path) == IMMUTABLE else READ_ONLY
        connection = sqlite3.connect(sqlite_uri(path, mode), uri=True)
    except (QualcodeError, OSError, ValueError, sqlite3.Error):
        return None
    try:
        connection.isolation_level = None  # the transaction is begun explicitly
        connection.execute("PRAGMA busy_timeout = 5000")
        # One snapshot for the version check and every query of the listing: a migration
        # committed in between cannot change the schema under the queries.
        connection.execute("BEGIN")
        (version,) = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    except sqlite3.Error:
        connection.close()
        return None
    if version != SCHEMA_VERSION:
        connection.close()
        return None
    return connection


def transcript_summaries(connection: sqlite3.Connection) -> list[TranscriptSummary]:
    """As :meth:`TranscriptRepository.summaries`."""
    execute = connection.execute
    return summarise_transcripts(
        execute(
            "SELECT id, name, characters, words, language, source_path FROM transcript"
            " ORDER BY name"
        ),
        execute("SELECT transcript_id, count(*) FROM turn GROUP BY transcript_id"),
        execute(
            "SELECT transcript_id, speaker FROM turn WHERE speaker IS NOT NULL"
            " GROUP BY transcript_id, speaker ORDER BY transcript_id, min(position)"
        ),
        execute(
            'SELECT a.transcript_id, c.name FROM case_assignment AS a JOIN "case" AS c'
            " ON c.id = a.case_id GROUP BY a.transcript_id, c.name"
            " ORDER BY a.transcript_id, c.name"
        ),
    )


def transcript(connection: sqlite3.Connection, name: str) -> Transcript | None:
    """As :meth:`TranscriptRepository.get`."""
    found = connection.execute(
        "SELECT id, name, text, sha256, source_path, language FROM transcript WHERE name = ?",
        (name,),
    ).fetchone()
    if found is None:
        return None
    tid, stored_name, text, sha256, source, language = found
    turns = tuple(
        Turn(start, end, speaker, timestamp)
        for start, end, speaker, timestamp in connection.execute(
            "SELECT start_offset, end_offset, speaker, timestamp FROM turn"
            " WHERE transcript_id = ? ORDER BY position",
            (tid,),
        )
    )
    return Transcript(tid, stored_name, text, sha256, source, language, turns)


def counts(connection: sqlite3.Connection) -> Counts:
    """As :meth:`SettingsRepository.counts`."""

    def count(sql: str) -> int:
        (value,) = connection.execute(sql).fetchone()
        return int(value)

    return Counts(
        transcripts=count("SELECT count(*) FROM transcript"),
        words=count("SELECT coalesce(sum(words), 0) FROM transcript"),
        turns=count("SELECT count(*) FROM turn"),
        codes=count("SELECT count(*) FROM code"),
        coders=count("SELECT count(*) FROM coder"),
        codings=count("SELECT count(*) FROM coding"),
        cases=count('SELECT count(*) FROM "case"'),
        memos=count("SELECT count(*) FROM memo"),
        coding_memos=count("SELECT count(*) FROM coding WHERE memo IS NOT NULL AND memo != ''"),
        events=count("SELECT count(*) FROM event_log"),
    )


def coder_names(connection: sqlite3.Connection) -> list[str]:
    return [name for (name,) in connection.execute("SELECT name FROM coder")]


def codes(connection: sqlite3.Connection) -> list[StoredCode]:
    """As :meth:`CodebookRepository.codes`."""
    rows = connection.execute(
        "SELECT id, parent_id, name, label_da, description, inclusion, exclusion, example,"
        " colour, shortcut, keywords, codable FROM code ORDER BY position, id"
    )
    return code_tree(
        (
            code_id,
            parent_id,
            CodeSpec(
                name=name,
                label_da=label_da,
                description=description,
                inclusion=inclusion,
                exclusion=exclusion,
                example=example,
                colour=colour,
                shortcut=shortcut,
                keywords=_json_list(keywords),
                codable=bool(codable),
            ),
        )
        for (
            code_id,
            parent_id,
            name,
            label_da,
            description,
            inclusion,
            exclusion,
            example,
            colour,
            shortcut,
            keywords,
            codable,
        ) in rows
    )


def cases(connection: sqlite3.Connection) -> list[Case]:
    """As :meth:`CaseRepository.all`."""
    execute = connection.execute
    return assemble_cases(
        execute('SELECT id, name FROM "case" ORDER BY name'),
        execute(
            "SELECT v.case_id, a.name, v.value FROM case_attribute AS v"
            " JOIN attribute AS a ON a.id = v.attribute_id ORDER BY a.id"
        ),
        execute(
            "SELECT a.case_id, t.name, a.start_offset, a.end_offset, a.speaker"
            " FROM case_assignment AS a JOIN transcript AS t ON t.id = a.transcript_id"
            " ORDER BY t.name, a.start_offset"
        ),
    )


def attribute_defs(connection: sqlite3.Connection) -> list[AttributeDef]:
    """The values of :meth:`CaseRepository.attribute_defs`, in the same order."""
    return [
        AttributeDef(name, AttributeType(value_type), _json_list(levels))
        for name, value_type, levels in connection.execute(
            "SELECT name, value_type, levels FROM attribute ORDER BY id"
        )
    ]


def _json_list(text: str | None) -> tuple[str, ...]:
    """A JSON list column as SQLAlchemy's JSON type stores it (NULL and null read as empty)."""
    return tuple(json.loads(text) or ()) if text else ()
