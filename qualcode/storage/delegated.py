"""The repository over a module that other work is still changing (agreement): each
method is the module's function with the unit's session handle filled in
(:class:`~qualcode.storage.repository_base.delegate`). Fold the module into this class
once that work has landed."""

from __future__ import annotations

from qualcode.storage import agreement_queries
from qualcode.storage.repository_base import StoredArea, delegate


class AgreementRepository(StoredArea):
    """Codings and transcripts as the agreement and reconcile services read them."""

    __slots__ = ()
    coder_codings = delegate(agreement_queries.coder_codings)
    transcript_lengths = delegate(agreement_queries.transcript_lengths)
    turn_spans = delegate(agreement_queries.turn_spans)
    texts_by_id = delegate(agreement_queries.texts_by_id)
    coding_ids_after = delegate(agreement_queries.coding_ids_after)
    delete_codings = delegate(agreement_queries.delete_codings)
