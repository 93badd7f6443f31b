"""One unit of work: one transaction and the typed repositories over it.

``with project.unit_of_work() as uow:`` (write) or ``with project.reading() as uow:``
(read) hands out a :class:`UnitOfWork`; each attribute is the repository of one area
(``uow.codings.add(...)``, ``uow.events.log(...)``), taking and returning domain values.
The session is private to the unit of work and its repositories: nothing outside
``storage/`` sees a session, a connection or a row class
(``tests/storage/test_session_private.py`` and the import-linter contracts).
A new query goes into the repository of the area it reads or writes.
"""

from __future__ import annotations

from functools import cached_property

from sqlalchemy.orm import Session

from qualcode.storage.agreement_reads import AgreementRepository
from qualcode.storage.cases import CaseRepository
from qualcode.storage.codebook import CodebookRepository
from qualcode.storage.codings import CoderRepository, CodingRepository
from qualcode.storage.events import EventRepository
from qualcode.storage.integrity import IntegrityRepository
from qualcode.storage.live_reads import LiveRepository
from qualcode.storage.maintenance import MaintenanceRepository
from qualcode.storage.matrix_reads import MatrixRepository
from qualcode.storage.memos import MemoRepository
from qualcode.storage.refi_exchange import RefiRepository
from qualcode.storage.refi_sets import RefiSetRepository
from qualcode.storage.rewrites import RewriteRepository
from qualcode.storage.status import SettingsRepository
from qualcode.storage.suggestion_models import SuggestionRepository
from qualcode.storage.transcript_edits import TranscriptEditRepository
from qualcode.storage.transcripts import TranscriptRepository


class UnitOfWork:
    """The repositories of one transaction. Never commits: the project's
    :meth:`~qualcode.storage.database.Project.unit_of_work` does when the block ends
    (and rolls back on any error); a reading unit is always rolled back. Repositories
    are made on first use, so a unit that reads one area builds one object."""

    def __init__(self, session: Session, *, writable: bool) -> None:
        self._session = session
        self.writable = writable

    @cached_property
    def transcripts(self) -> TranscriptRepository:
        return TranscriptRepository(self._session, self)

    @cached_property
    def transcript_edits(self) -> TranscriptEditRepository:
        return TranscriptEditRepository(self._session, self)

    @cached_property
    def coders(self) -> CoderRepository:
        return CoderRepository(self._session, self)

    @cached_property
    def codings(self) -> CodingRepository:
        return CodingRepository(self._session, self)

    @cached_property
    def codebook(self) -> CodebookRepository:
        return CodebookRepository(self._session, self)

    @cached_property
    def cases(self) -> CaseRepository:
        return CaseRepository(self._session, self)

    @cached_property
    def memos(self) -> MemoRepository:
        return MemoRepository(self._session, self)

    @cached_property
    def events(self) -> EventRepository:
        return EventRepository(self._session, self)

    @cached_property
    def settings(self) -> SettingsRepository:
        return SettingsRepository(self._session, self)

    @cached_property
    def matrix(self) -> MatrixRepository:
        return MatrixRepository(self._session, self)

    @cached_property
    def maintenance(self) -> MaintenanceRepository:
        return MaintenanceRepository(self._session, self)

    @cached_property
    def integrity(self) -> IntegrityRepository:
        return IntegrityRepository(self._session, self)

    @cached_property
    def refi(self) -> RefiRepository:
        return RefiRepository(self._session, self)

    @cached_property
    def refi_sets(self) -> RefiSetRepository:
        return RefiSetRepository(self._session, self)

    @cached_property
    def rewrites(self) -> RewriteRepository:
        return RewriteRepository(self._session, self)

    @cached_property
    def agreement(self) -> AgreementRepository:
        return AgreementRepository(self._session, self)

    @cached_property
    def suggestions(self) -> SuggestionRepository:
        return SuggestionRepository(self._session, self)

    @cached_property
    def live(self) -> LiveRepository:
        return LiveRepository(self._session, self)
