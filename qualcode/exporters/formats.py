"""The export formats: one table of every file format qualcode writes, and the one rule
that picks a command's format from ``--format`` and the ``-o`` file's suffix.

Every command with ``-o`` and every export dialog uses :func:`choose_format`: the suffix
of ``-o`` names the format (``-o report.xlsx`` writes XLSX), ``--format`` may say the same
or be left out, and a suffix that names another format than ``--format``, or a format the
command cannot write, is refused in one line — a file named ``.xlsx`` never holds a
plain-text table. So is a file whose suffix names no format (``r.table``), and one that
has none (``r``) unless ``--format`` says the format (a device such as ``/dev/stdout``):
the line lists the suffixes the command writes. ``.txt`` is the plain-text
table (or text). A binary format (XLSX, Word) needs a file. What each command can write
is its own table of renderers (e.g. :data:`qualcode.exporters.matrix_formats.MATRIX_RENDERERS`);
its keys are the names below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from qualcode.domain.errors import InputError


@dataclass(frozen=True, slots=True)
class FileFormat:
    """A format by its ``--format`` name: the file suffixes that name it (the first is
    the usual one), whether it is binary (then it needs a file, not standard output),
    and a label for help texts and dialogs."""

    name: str
    suffixes: tuple[str, ...]
    binary: bool
    label: str


FILE_FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in (
        FileFormat("table", (".txt",), False, "plain-text table"),
        FileFormat("text", (".txt",), False, "plain text"),
        FileFormat("csv", (".csv",), False, "CSV"),
        FileFormat("xlsx", (".xlsx",), True, "Excel workbook"),
        FileFormat("html", (".html", ".htm"), False, "HTML page"),
        FileFormat("md", (".md", ".markdown"), False, "Markdown"),
        FileFormat("json", (".json",), False, "JSON"),
        FileFormat("docx", (".docx",), True, "Word document"),
        FileFormat("yaml", (".yaml", ".yml"), False, "YAML"),
        FileFormat("qdpx", (".qdpx",), True, "REFI-QDA project"),
        FileFormat("qdc", (".qdc",), False, "REFI-QDA codebook"),
    )
}


def format_of(path: str | None, offered: Sequence[str]) -> str | None:
    """The format the suffix of ``path`` names (among ``offered`` first, so ``.txt`` is
    ``table`` or ``text`` as the command has it), or ``None`` for no path, standard
    output (``-``) or a suffix no format has."""
    if path in (None, "-"):
        return None
    suffix = PurePath(str(path)).suffix.lower()
    if not suffix:
        return None
    named = [f.name for f in FILE_FORMATS.values() if suffix in f.suffixes]
    for name in named:
        if name in offered:
            return name
    return named[0] if named else None


def choose_format(
    requested: str | None,
    output: str | None,
    offered: Sequence[str],
    default: str,
    *,
    example: str = "export",
) -> str:
    """The format to write: the one ``--format`` asks for (``requested``) or the ``-o``
    suffix names, else ``default``. Raises :class:`InputError` (naming the file) when the
    two disagree, when the suffix names a format this command does not write, when a
    file's suffix names no format at all (``r.table``), or it has none (``r``) and no
    ``--format`` is given — the message lists the suffixes the command writes —, and
    when a binary format would go to standard output (``example`` names the file
    suggested)."""
    by_suffix = format_of(output, offered)
    if by_suffix is None and output not in (None, "-"):
        assert output is not None
        suffix = PurePath(output).suffix
        if suffix:  # a suffix naming nothing is a slip (r.jsno, r.table), whatever --format
            raise InputError(
                output,
                f"no format has the suffix {suffix}: this command writes {suffixes_of(offered)}",
            )
        if requested is None:  # a bare name (r) would be written in a silent default
            raise InputError(
                output,
                f"the file has no suffix to name its format: this command writes "
                f"{suffixes_of(offered)} (or say --format)",
            )
    if by_suffix is not None and output is not None:
        if by_suffix not in offered:
            raise InputError(
                output,
                f"this command writes {_listing(offered)}, not {FILE_FORMATS[by_suffix].label} "
                f"({by_suffix}): give the file one of their suffixes",
            )
        if requested is not None and requested != by_suffix:
            raise InputError(
                output,
                f"the file name says {by_suffix} but the format chosen is {requested}: "
                f"name the file .{_suffix(requested)}, or choose {by_suffix}",
            )
        return by_suffix
    chosen = requested or default
    if FILE_FORMATS[chosen].binary and output in (None, "-"):
        suggested = f"exports/{example}.{_suffix(chosen)}"
        raise InputError("-o", f"{chosen} is a binary format: give a file, e.g. -o {suggested}")
    return chosen


def suffixes_of(offered: Sequence[str]) -> str:
    """The suffixes of ``offered`` for a message: ``.txt (table), .csv, .xlsx``."""
    return ", ".join(
        "/".join(FILE_FORMATS[name].suffixes)
        + (f" ({name})" if FILE_FORMATS[name].suffixes[0][1:] != name else "")
        for name in offered
    )


def _suffix(name: str) -> str:
    return FILE_FORMATS[name].suffixes[0].lstrip(".")


def _listing(offered: Sequence[str]) -> str:
    return ", ".join(offered)
