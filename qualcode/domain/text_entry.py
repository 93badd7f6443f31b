"""The one entrance for text from outside: command-line arguments, file names, cells of
YAML, JSON, CSV and XML files, editor output and what is typed in the workspace.

The rule, applied by :func:`enter_text` (long text) and :func:`enter_name` (identifiers):

* Every text must be encodable as UTF-8. A lone surrogate (``"\\uD800"`` in JSON or YAML)
  or a surrogate escape (how Python hands over bytes of a command-line argument or file
  name that are not UTF-8) is refused with one line naming where it came from.
* Every text is stored in Unicode NFC, so text pasted in NFD (as macOS produces) is the
  same text as the NFC a keyboard gives.
* Long text (memos, descriptions, criteria, summaries, attribute values): CRLF and CR
  become LF; other control characters (C0 except tab and newline, DEL, C1) are removed —
  they are invisible, and a Word line break (vertical tab) or a terminal escape in a
  pasted memo should neither fail an import nor reach a terminal.
* Names used as identifiers (coder, code, transcript, case, attribute): not empty, at most
  :data:`NAME_MAX_CHARS` characters (code points, after NFC), no leading or trailing
  whitespace, no control characters (tab and newline included), no line or paragraph
  separators, no bidirectional overrides or isolates and no byte-order mark, and at least
  one visible character (letter, digit, punctuation or symbol).
* A shortcut key is exactly one printable character that is not whitespace.
* Two names are the same name when their :func:`name_key` is equal: NFC, case folded,
  whitespace runs read as one space. Sibling codes may not share a key.

Pure standard library; no I/O.
"""

from __future__ import annotations

import re
import unicodedata

from qualcode.domain.errors import FieldError, InputError, LimitError

NAME_MAX_CHARS = 200
"""Longest name (coder, code, transcript, case, attribute), in code points after NFC."""

MAX_CODE_DEPTH = 20
"""Deepest code in a codebook: a top-level theme is level 1."""

MAX_NESTING = 64
"""Deepest nesting of lists and mappings in a YAML or JSON document read from outside."""

MAX_INTEGER = 2**63 - 1
"""Largest integer a project stores (a signed 64-bit column on both backends)."""

# Bidirectional embeddings, overrides and isolates reorder how a name is shown (a name
# could look like another); the BOM is invisible.
_INVISIBLE_IN_NAMES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_REMOVED_FROM_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WHITESPACE_RUN = re.compile(r"\s+")


def shown(value: str) -> str:
    """``value`` quoted for an error message: undecodable bytes as ``\\xff``, lone
    surrogates as ``\\ud800``, control and invisible characters escaped."""
    out: list[str] = []
    for char in value:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a surrogate escape: the byte it stands for
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(char) in ("Cc", "Cs", "Cf", "Zl", "Zp") or char == "\\":
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def unencodable_reason(value: str) -> str | None:
    """Why ``value`` cannot be stored as UTF-8 (the first surrogate in it), or ``None``."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        position = exc.start + 1
        code = ord(value[exc.start])
        if 0xDC80 <= code <= 0xDCFF:
            return f"byte 0x{code - 0xDC00:02X} at character {position} is not UTF-8"
        return f"lone surrogate U+{code:04X} at character {position} is not text"
    return None


def check_encodable(
    value: str, source: str, *, line: int | None = None, column: int | None = None
) -> None:
    """Raise ``InputError`` at ``source`` if ``value`` holds a surrogate (undecodable
    bytes or a lone surrogate); a text that passes can be stored and printed."""
    reason = unencodable_reason(value)
    if reason is not None:
        raise InputError(
            source, f"{shown(_around_surrogate(value))}: {reason}", line=line, column=column
        )


def _nfc(value: str) -> str:
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def enter_text(
    value: str, source: str, *, line: int | None = None, column: int | None = None
) -> str:
    """Long text (memo, description, summary, attribute value) as stored: NFC, LF line
    ends, control characters other than tab and newline removed.

    Raises ``InputError`` (at ``source`` and, when given, 1-based ``line``/``column``)
    for text that is not encodable as UTF-8. Idempotent."""
    check_encodable(value, source, line=line, column=column)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _REMOVED_FROM_TEXT.sub("", text)
    return _nfc(text)


def enter_optional_text(
    value: str | None, source: str, *, line: int | None = None, column: int | None = None
) -> str | None:
    """:func:`enter_text` for a value that may be absent."""
    return None if value is None else enter_text(value, source, line=line, column=column)


def name_problem(name: str) -> str | None:
    """Why an NFC, encodable ``name`` breaks the character rule for names, or ``None``
    (the length limit is checked by :func:`enter_name`)."""
    if not name.strip():
        return "is empty"
    for position, char in enumerate(name, start=1):
        category = unicodedata.category(char)
        if category == "Cc" or category in ("Zl", "Zp") or char in _INVISIBLE_IN_NAMES:
            return f"holds {_code_point(char)} at character {position} (not allowed in a name)"
    if name != name.strip() or _invisible(name[0]) or _invisible(name[-1]):
        return "starts or ends with a space or an invisible character"
    if not any(unicodedata.category(char)[0] in "LNPS" for char in name):
        return "has no visible character"
    return None


def enter_name(
    value: str,
    source: str,
    *,
    line: int | None = None,
    column: int | None = None,
    max_chars: int = NAME_MAX_CHARS,
) -> str:
    """A name used as an identifier (coder, code, transcript, case, attribute) as stored:
    NFC, checked against the identifier rule (module docstring). Raises ``InputError``
    naming ``source`` (and ``line``/``column``). Idempotent on what it returns."""
    check_encodable(value, source, line=line, column=column)
    name = _nfc(value)
    if len(name) > max_chars:
        reason = f"name {shown(_cut(name))} is {len(name)} characters long (at most {max_chars})"
        raise LimitError(source, reason, line=line, column=column)
    problem = name_problem(name)
    if problem is not None:
        raise InputError(source, f"name {shown(_cut(name))} {problem}", line=line, column=column)
    return name


def enter_coder(value: str) -> str:
    """A coder's name given as an option (``--coder``) as stored: surrounding spaces
    dropped, as everywhere a coder is named, then :func:`enter_name`. Raises
    :class:`FieldError` about ``coder`` (the command line shows ``--coder: …``)."""
    name = value.strip()
    if not name:
        raise FieldError("coder", "a coder name cannot be blank")
    try:
        return enter_name(name, "coder")
    except InputError as error:
        raise FieldError("coder", error.reason) from error


def tidy_name(value: str, source: str, fallback: str) -> str:
    """A name from another program's file (REFI-QDA), made to fit the identifier rule
    where that loses nothing visible: NFC, control, separator and bidirectional-override
    characters become spaces, ends trimmed (inner spaces stay as they are, so a name the
    rule already allows comes back exactly); ``fallback`` when nothing is left. Still
    raises ``InputError`` for a surrogate or a name too long."""
    check_encodable(value, source)
    spaced = "".join(
        " "
        if unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _INVISIBLE_IN_NAMES
        else char
        for char in _nfc(value)
    )
    name = spaced.strip()
    while name and _invisible(name[0]):
        name = name[1:].strip()
    while name and _invisible(name[-1]):
        name = name[:-1].strip()
    if not name or name_problem(name) is not None:
        name = fallback
    return enter_name(name, source)


def enter_shortcut(
    value: str, source: str, *, line: int | None = None, column: int | None = None
) -> str:
    """A shortcut key: exactly one printable, non-space character (after NFC, so an
    accented letter typed as letter + combining accent is one character)."""
    check_encodable(value, source, line=line, column=column)
    key = _nfc(value)
    if len(key) != 1 or not key.isprintable() or key.isspace():
        raise InputError(
            source,
            f"shortcut {shown(_cut(key))} must be a single character (printable, not a space)",
            line=line,
            column=column,
        )
    return key


def name_key(name: str) -> str:
    """The form in which two names are compared: NFC, case folded, each run of
    whitespace as one space. Names with equal keys look alike and count as the same."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return _WHITESPACE_RUN.sub(" ", folded).strip()


def lookup_name(name: str) -> str | None:
    """A name given to find something (not to store it): NFC, or ``None`` when it could
    not be stored at all (so nothing by that name exists)."""
    if unencodable_reason(name) is not None:
        return None
    return _nfc(name)


def enter_integer(
    value: int,
    source: str,
    *,
    minimum: int = 0,
    maximum: int = MAX_INTEGER,
    line: int | None = None,
    column: int | None = None,
) -> int:
    """``value`` if ``minimum <= value <= maximum``, else ``LimitError`` naming ``source``."""
    if not minimum <= value <= maximum:
        shown_value = str(value) if len(str(value)) <= 24 else f"a {len(str(value))}-digit number"
        raise LimitError(
            source,
            f"{shown_value} is out of range ({minimum} to {maximum})",
            line=line,
            column=column,
        )
    return value


def parse_integer(
    text: str,
    source: str,
    *,
    minimum: int = 0,
    maximum: int = MAX_INTEGER,
    line: int | None = None,
    column: int | None = None,
) -> int:
    """A whole number written in ASCII digits (an optional sign, surrounding spaces
    allowed), range-checked as :func:`enter_integer`; ``InputError`` otherwise. Digits
    of other scripts and underscores are refused: ids and offsets are written plainly."""
    stripped = text.strip()
    body = stripped[1:] if stripped[:1] in ("-", "+") else stripped
    if not body or not body.isascii() or not body.isdigit():
        raise InputError(
            source, f"{shown(_cut(text))} is not a whole number", line=line, column=column
        )
    if len(body) > 30:  # int() of a megabyte of digits is slow; the range says enough
        raise LimitError(
            source,
            f"a {len(body)}-digit number is out of range ({minimum} to {maximum})",
            line=line,
            column=column,
        )
    return enter_integer(
        int(stripped), source, minimum=minimum, maximum=maximum, line=line, column=column
    )


def _around_surrogate(value: str, context: int = 30) -> str:
    """The text around its first surrogate, so a long memo makes a short message."""
    if len(value) <= 2 * context:
        return value
    position = next(i for i, char in enumerate(value) if 0xD800 <= ord(char) <= 0xDFFF)
    start, end = max(0, position - context), position + context
    return ("…" if start else "") + value[start:end] + ("…" if end < len(value) else "")


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def _cut(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit] + "…"
