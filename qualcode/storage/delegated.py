"""Repositories over modules that other work is still changing (agreement, live
updates): each method is the module's function with the unit's session handle
filled in (:class:`~qualcode.storage.repository_base.delegate`). Fold the modules into
these classes once that work has landed."""

from __future__ import annotations

from qualcode.storage import agreement_queries, live_presence, live_queries
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


class LiveRepository(StoredArea):
    """The event log read after an id, and workspaces' presence rows."""

    __slots__ = ()
    latest_event_id = delegate(live_queries.latest_event_id)
    events_after = delegate(live_queries.events_after)
    beat = delegate(live_presence.beat)
    present = delegate(live_presence.present)
    leave = delegate(live_presence.leave)
