"""The session handle that modules not yet folded into a repository class take
(``agreement_queries``, ``suggestion_queries``, ``live_*``). Storage-internal: the unit of
work makes one for them (:class:`~qualcode.storage.repository_base.delegate`); nothing
outside ``storage/`` sees it."""

from __future__ import annotations

from sqlalchemy.orm import Session


class Repository:
    """A session, for the module functions written against one. Never commits."""

    __slots__ = ("session",)

    def __init__(self, session: Session) -> None:
        self.session = session
