"""The session handle that the one module not yet folded into a repository class takes
(``agreement_queries``). Storage-internal: the unit of work makes one for it
(:class:`~qualcode.storage.repository_base.delegate`); nothing outside ``storage/`` sees
it. Delete this module once ``agreement_queries`` is folded into its repository."""

from __future__ import annotations

from sqlalchemy.orm import Session


class Repository:
    """A session, for the module functions written against one. Never commits."""

    __slots__ = ("session",)

    def __init__(self, session: Session) -> None:
        self.session = session
