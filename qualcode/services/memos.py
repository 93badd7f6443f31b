"""Free-text memos on the project, a transcript or a code (coding memos live on the coding)."""

from __future__ import annotations

from qualcode.domain.errors import NotFoundError
from qualcode.services.codebook import resolve_code
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project


def add_memo(
    project: Project,
    text: str,
    *,
    transcript: str | None = None,
    code_path: str | None = None,
    author: str | None = None,
) -> str:
    """Store a memo; returns a description of its target ("on transcript 'x'")."""
    with project.transaction() as repo:
        if transcript is not None:
            target_id = repo.transcript_id(transcript)
            if target_id is None:
                raise NotFoundError(unknown_transcript_message(transcript, repo.transcript_names()))
            target_type, described = "transcript", f"on transcript {transcript!r}"
        elif code_path is not None:
            code = resolve_code(repo, code_path)
            target_type, target_id, described = "code", code.id, f"on code {code.path!r}"
        else:
            target_type, target_id, described = "project", None, "on the project"
        memo_id = repo.add_memo(target_type, target_id, author, text)
        repo.log_event(
            "memo",
            f"memo {memo_id} {described}",
            {"memo_id": memo_id, "target_type": target_type, "target_id": target_id, "text": text},
            coder=author,
        )
    return f"{memo_id} {described}"
