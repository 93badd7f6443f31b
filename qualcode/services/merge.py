"""Bringing an :class:`ExchangeProject` (a ``.qdpx``, or another qualcode project) into a
project: the engine behind ``import-project`` (into an empty project) and ``merge``.

Matching, in order: coders by GUID, then name (the same name with a different GUID is a
clash the user resolves with ``--rename-coder old=new``; ``old=old`` says it is the same
person); codes by GUID, then path, then a unique name; attributes and cases by GUID, then
name; transcripts by the SHA-256 of their normalised text, then by fuzzy similarity
(rapidfuzz ratio ≥ 90 between texts of similar length, same name first). Codings of a
fuzzily matched transcript are re-mapped through the Levenshtein edit script between the
two texts; a coding whose start or end falls inside changed text cannot be placed and is
reported, never dropped silently. Codings already present (same GUID, or same transcript,
code, coder and span) are not added twice. Near-duplicate code names are reported as
suggestions, never merged. Everything happens in the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from qualcode.domain.cases import AttributeDef
from qualcode.domain.codebook import join_path, path_key
from qualcode.domain.errors import FieldError, InputError, LimitError
from qualcode.domain.exchange import (
    ExchangeCode,
    ExchangeProject,
    Identified,
    IdentifiedCoding,
    IncomingSource,
    StoredTranscript,
    new_guid,
    parse_exchange_time,
)
from qualcode.domain.spans import span_text
from qualcode.domain.text_entry import MAX_CODE_DEPTH, name_key
from qualcode.domain.transcripts import TranscriptDraft, guess_language, text_sha256
from qualcode.domain.turns import parse_speaker_turns
from qualcode.importers.refi_offsets import EditMap
from qualcode.services.merge_report import MergeReport, Unplaced
from qualcode.storage.unit_of_work import UnitOfWork

FUZZY_THRESHOLD = 90.0
NEAR_DUPLICATE = 85.0
PROJECT_DESCRIPTION_SETTING = "description"


def merge_exchange(
    uow: UnitOfWork,
    incoming: ExchangeProject,
    renames: dict[str, str] | None = None,
    fuzzy: FuzzyPlan | None = None,
) -> MergeReport:
    """Merge ``incoming`` into the project behind ``uow``; returns what was matched,
    added and refused. Raises :class:`InputError` for a coder clash or a broken file.

    ``fuzzy`` is the fuzzy matching worked out beforehand by :func:`plan_fuzzy` (outside
    the write transaction: it is quadratic in the texts' length); a match whose stored
    transcript changed since is worked out again here."""
    merger = _Merger(uow, incoming, renames or {}, fuzzy)
    merger.run()
    return merger.report


@dataclass(frozen=True, slots=True)
class FuzzyMatch:
    """An incoming source's closest stored transcript (as it was when matched), the
    similarity (0–100) and the edit map from the incoming text to the stored one."""

    target_id: int
    target_sha256: str
    score: float
    edit: EditMap


@dataclass(frozen=True, slots=True)
class FuzzyPlan:
    """Incoming source GUID -> its fuzzy match (``None``: none close enough), valid while
    the project's transcripts are still ``stored`` (ids and text hashes)."""

    stored: frozenset[tuple[int, str]]
    matches: dict[str, FuzzyMatch | None]


def plan_fuzzy(uow: UnitOfWork, incoming: ExchangeProject) -> FuzzyPlan:
    """The fuzzy matches a merge of ``incoming`` would make, read from ``uow`` (a reading
    session): for each incoming source not matched exactly, in merge order, the closest
    still unmatched stored transcript. Meant to run before the write transaction."""
    transcripts = uow.refi.stored_transcripts()
    by_sha = {t.sha256: t for t in transcripts}
    unmatched = {t.id: t for t in transcripts}
    matches: dict[str, FuzzyMatch | None] = {}
    for source in incoming.sources():
        exact = by_sha.get(text_sha256(source.text))
        if exact is not None:
            unmatched.pop(exact.id, None)
            continue
        target, score = _closest(uow, source, list(unmatched.values()))
        if target is None:
            matches[source.source.guid] = None
            continue
        unmatched.pop(target.id, None)
        edit = EditMap(source.text, uow.refi.source_text(target.id))
        matches[source.source.guid] = FuzzyMatch(target.id, target.sha256, score, edit)
    return FuzzyPlan(frozenset((t.id, t.sha256) for t in transcripts), matches)


def _closest(
    uow: UnitOfWork, incoming: IncomingSource, candidates: list[StoredTranscript]
) -> tuple[StoredTranscript | None, float]:
    from rapidfuzz import fuzz

    length = len(incoming.text)
    close = [t for t in candidates if abs(t.length - length) <= 0.1 * max(length, 1)]
    close.sort(key=lambda t: t.name != incoming.source.name)
    for candidate in close:
        text = uow.refi.source_text(candidate.id)
        score = fuzz.ratio(incoming.text, text, score_cutoff=FUZZY_THRESHOLD)
        if score:
            return candidate, score
    return None, 0.0


def _by_guid_and_name(
    rows: Iterable[tuple[int, str, str | None]],
) -> tuple[dict[str, int], dict[str, int]]:
    """Row ids by identity and by name, from ``(id, name, guid)`` rows."""
    listed = list(rows)
    return {guid: rid for rid, _, guid in listed if guid}, {name: rid for rid, name, _ in listed}


class _Merger:
    def __init__(
        self,
        uow: UnitOfWork,
        incoming: ExchangeProject,
        renames: dict[str, str],
        fuzzy: FuzzyPlan | None,
    ):
        stored = frozenset((t.id, t.sha256) for t in uow.refi.stored_transcripts())
        self.fuzzy = fuzzy if fuzzy is not None and fuzzy.stored == stored else None
        self.uow = uow
        self.incoming = incoming
        self.renames = renames
        self.report = MergeReport(incoming.label)
        self.coders: dict[str | None, int] = {}
        self.codes: dict[str, int] = {}
        self.code_paths: dict[int, str] = {}
        self.attributes: dict[str, tuple[int, AttributeDef] | None] = {}
        self.cases: dict[str, int] = {}
        self.sources: dict[str, int] = {}
        self.coding_guids = uow.refi.used_guids("coding")
        self.memos: set[tuple[str, int | None, str]] | None = None

    def run(self) -> None:
        unknown = set(self.renames) - {user.name for user in self.incoming.users}
        if unknown:
            raise FieldError(
                "rename-coder", f"no coder named {sorted(unknown)[0]!r} in {self.incoming.label}"
            )
        self._coders()
        self._codes()
        self._attributes_and_cases()
        self._sources()
        self._sets()
        self._notes()
        self.report.warnings.extend(self.incoming.warnings)

    # -- coders ------------------------------------------------------------------------
    def _coders(self) -> None:
        stored = self.uow.refi.coder_rows()
        by_name = {name: (cid, guid) for cid, name, guid in stored}
        by_guid = {guid: (cid, name) for cid, name, guid in stored if guid}
        for user in self.incoming.users:
            explicit = user.name in self.renames
            name = self.renames.get(user.name, user.name).strip()
            if not name:
                raise FieldError("rename-coder", f"empty new name for {user.name!r}")
            if not explicit and user.guid in by_guid:
                cid, stored_name = by_guid[user.guid]
                self.coders[user.guid] = cid
                self.report.coders_matched.append(stored_name)
                continue
            if name in by_name:
                cid, guid = by_name[name]
                if guid and guid != user.guid and not explicit:
                    raise InputError(
                        self.incoming.label,
                        f"coder {name!r} is a different person here (another identity); "
                        f"rename with --rename-coder {name}=NEW_NAME, or say it is the same "
                        f"person with --rename-coder {name}={name}",
                    )
                self.coders[user.guid] = cid
                self.report.coders_matched.append(name)
                continue
            cid = self.uow.coders.ensure(name)
            self._set_guid("coder", cid, user.guid, by_guid)
            by_name[name] = (cid, user.guid)
            self.coders[user.guid] = cid
            self.report.coders_added.append(name if not explicit else f"{user.name} as {name}")

    def _coder_for(self, guid: str | None) -> int:
        found = self.coders.get(guid)
        if found is None:
            name = f"user-{guid[:8]}" if guid else "unknown"
            found = self.coders[guid] = self.uow.coders.ensure(name)
            if guid and not self.uow.refi.guid_in_use("coder", guid):
                self.uow.refi.set_guid("coder", found, guid)
            self.report.coders_added.append(name)
        return found

    # -- codes -------------------------------------------------------------------------
    def _codes(self) -> None:
        stored = self.uow.codebook.codes()
        guids = self.uow.refi.code_guids()
        self.code_paths = {code.id: code.path for code in stored}
        by_guid = {guid: cid for cid, guid in guids.items() if guid}
        by_path = {path_key(code.path): code for code in stored}
        names: dict[str, list[int]] = {}
        for code in stored:
            names.setdefault(name_key(code.spec.name), []).append(code.id)
        shortcuts = {code.spec.shortcut for code in stored if code.spec.shortcut}
        siblings: dict[int | None, int] = {}
        for code in stored:
            siblings[code.parent_id] = siblings.get(code.parent_id, 0) + 1
        existing_names = [code.spec.name for code in stored]

        def visit(
            codes: Iterable[ExchangeCode], parent_id: int | None, parent: str | None, level: int
        ) -> None:
            for code in codes:
                path = join_path(parent, code.spec.name)
                if level > MAX_CODE_DEPTH:  # another project's tree can be of any depth
                    raise LimitError(path, f"codes are nested more than {MAX_CODE_DEPTH} levels")
                match = by_guid.get(code.guid)
                if match is None and path_key(path) in by_path:
                    match = by_path[path_key(path)].id
                if match is None and len(names.get(name_key(code.spec.name), [])) == 1:
                    match = names[name_key(code.spec.name)][0]
                if match is not None:
                    self.report.codes_matched.append(self.code_paths[match])
                    if guids.get(match) is None and code.guid not in by_guid:
                        self.uow.refi.set_guid("code", match, code.guid)
                        by_guid[code.guid] = match
                    code_id = match
                else:
                    spec = code.spec
                    if spec.shortcut and spec.shortcut in shortcuts:
                        self.report.conflicts.append(
                            f"code {path!r}: shortcut {spec.shortcut!r} is taken; left without"
                        )
                        spec = replace(spec, shortcut=None)
                    if spec.shortcut:
                        shortcuts.add(spec.shortcut)
                    position = siblings.get(parent_id, 0)
                    siblings[parent_id] = position + 1
                    code_id = self.uow.codebook.add(replace(spec, children=()), parent_id, position)
                    self._set_guid("code", code_id, code.guid, by_guid)
                    self.code_paths[code_id] = path
                    self.report.codes_added.append(path)
                    self._near_duplicates(path, spec.name, existing_names)
                self.codes[code.guid] = code_id
                visit(code.children, code_id, self.code_paths[code_id], level + 1)

        visit(self.incoming.codes, None, None, 1)

    def _near_duplicates(self, path: str, name: str, existing: list[str]) -> None:
        if not existing:
            return
        from rapidfuzz import fuzz, process

        for other, score, _ in process.extract(
            name, existing, scorer=fuzz.ratio, processor=str.casefold, limit=3,
            score_cutoff=NEAR_DUPLICATE,
        ):  # fmt: skip
            if other.casefold() != name.casefold():
                self.report.suggestions.append(
                    f"new code {path!r} looks like existing {other!r} ({score:.0f}%): "
                    "merge them by hand if they are the same"
                )

    # -- attributes and cases ----------------------------------------------------------
    def _attributes_and_cases(self) -> None:
        stored = self.uow.refi.attribute_rows()
        by_guid = {guid: (aid, d) for aid, guid, d in stored if guid}
        by_name = {d.name: (aid, guid, d) for aid, guid, d in stored}
        for variable in self.incoming.variables:
            definition = variable.definition
            found = by_guid.get(variable.guid)
            if found is None and definition.name in by_name:
                aid, _, stored_definition = by_name[definition.name]
                found = (aid, stored_definition)
            if found is None:
                aid = self.uow.cases.add_attribute(definition)
                self._set_guid("attribute", aid, variable.guid, {})
                self.attributes[variable.guid] = (aid, definition)
                self.report.attributes_added.append(definition.name)
                self.uow.refi_sets.set_attribute_description(aid, variable.description)
            elif found[1] != definition:
                self.attributes[variable.guid] = None
                self.report.conflicts.append(
                    f"attribute {definition.name!r} has another type here; its values were "
                    "not merged"
                )
            else:
                self.attributes[variable.guid] = found
                self.report.attributes_matched.append(definition.name)
                self.uow.refi_sets.set_attribute_description(found[0], variable.description)
        values = self.uow.refi.case_values()
        case_by_guid, case_by_name = _by_guid_and_name(self.uow.refi.case_rows())
        for case in self.incoming.cases:
            cid = case_by_guid.get(case.guid) or case_by_name.get(case.name)
            if cid is None:
                cid = self.uow.cases.ensure(case.name)
                self._set_guid("case", cid, case.guid, {})
                self.report.cases_added.append(case.name)
            else:
                self.report.cases_matched.append(case.name)
            self.cases[case.guid] = cid
            for variable_guid, value in case.values:
                attribute = self.attributes.get(variable_guid)
                if attribute is None:
                    continue
                current = values.get((cid, attribute[0]))
                if current in (None, ""):
                    self.uow.cases.set_value(cid, attribute[0], value)
                elif current != value:
                    self.report.conflicts.append(
                        f"case {case.name!r}: {attribute[1].name} is {current!r} here and "
                        f"{value!r} there; kept {current!r}"
                    )

    # -- sources and codings -----------------------------------------------------------
    def _sources(self) -> None:
        transcripts = self.uow.refi.stored_transcripts()
        by_sha = {t.sha256: t for t in transcripts}
        unmatched = {t.id: t for t in transcripts}
        names = {t.name for t in transcripts}
        whole_cases: dict[str, list[int]] = {}
        for case in self.incoming.cases:
            for source_guid in case.sources:
                whole_cases.setdefault(source_guid, []).append(self.cases[case.guid])
        for incoming in self.incoming.sources():
            source = incoming.source
            if incoming.convention is not None:
                self.report.offsets.append(f"{source.name}: {incoming.convention}")
            sha = text_sha256(incoming.text)
            edit: EditMap | None = None
            target = by_sha.get(sha)
            if target is not None:
                self.report.transcripts_matched.append(f"{source.name} = {target.name}")
            else:
                target, score, edit = self._fuzzy(incoming, unmatched)
                if target is not None:
                    self.report.transcripts_fuzzy.append(
                        f"{source.name} ~ {target.name} ({score:.1f}%)"
                    )
            if target is None:
                transcript_id = self._add_transcript(incoming, names)
                length = len(incoming.text)
                text = incoming.text
            else:
                unmatched.pop(target.id, None)
                transcript_id, length = target.id, target.length
                text = incoming.text if edit is None else self.uow.refi.source_text(target.id)
                if target.guid is None and not self.uow.refi.guid_in_use("transcript", source.guid):
                    self.uow.refi.set_guid("transcript", target.id, source.guid)
            self.sources[source.guid] = transcript_id
            self._codings(incoming, transcript_id, text, edit, existed=target is not None)
            for case_id in whole_cases.get(source.guid, []):
                self.uow.cases.assign(case_id, transcript_id, [(0, length)], None)
            self._case_spans(incoming, transcript_id, edit)
            self._source_values(incoming, transcript_id)
            for memo in incoming.memos:
                self._memo("transcript", transcript_id, memo.text, memo.author_guid, memo.guid)

    def _source_values(self, incoming: IncomingSource, transcript_id: int) -> None:
        for variable_guid, value in incoming.source.values:
            attribute = self.attributes.get(variable_guid)
            if attribute is None:
                continue
            kept = self.uow.refi_sets.set_transcript_value(transcript_id, attribute[0], value)
            if kept is not None:
                self.report.conflicts.append(
                    f"transcript {incoming.source.name!r}: {attribute[1].name} is {kept!r} "
                    f"here and {value!r} there; kept {kept!r}"
                )

    # -- sets ------------------------------------------------------------------------------
    def _sets(self) -> None:
        """Sets matched by identity, then name; members the project holds are added."""
        by_guid, by_name = _by_guid_and_name(self.uow.refi_sets.set_rows())
        for named in self.incoming.sets:
            set_id = by_guid.get(named.guid) or by_name.get(named.name)
            if set_id is None:
                set_id = self.uow.refi_sets.add_set(named.name, named.description)
                self._set_guid("set", set_id, named.guid, {})
                by_name[named.name] = set_id
                self.report.sets_added.append(named.name)
            else:
                self.report.sets_matched.append(named.name)
            codes = [self.codes[g] for g in named.codes if g in self.codes]
            transcripts = [self.sources[g] for g in named.sources if g in self.sources]
            self.uow.refi_sets.add_set_members(set_id, codes, transcripts)

    def _fuzzy(
        self, incoming: IncomingSource, unmatched: dict[int, StoredTranscript]
    ) -> tuple[StoredTranscript | None, float, EditMap | None]:
        """The planned match when the plan still holds (its transcript unchanged and
        unmatched), else the match worked out now."""
        guid = incoming.source.guid
        if self.fuzzy is not None and guid in self.fuzzy.matches:
            planned = self.fuzzy.matches[guid]
            if planned is None:
                return None, 0.0, None
            target = unmatched.get(planned.target_id)
            if target is not None and target.sha256 == planned.target_sha256:
                return target, planned.score, planned.edit
        target, score = _closest(self.uow, incoming, list(unmatched.values()))
        if target is None:
            return None, 0.0, None
        return target, score, EditMap(incoming.text, self.uow.refi.source_text(target.id))

    def _add_transcript(self, incoming: IncomingSource, names: set[str]) -> int:
        name = incoming.source.name
        number = 2
        while name in names:
            name = f"{incoming.source.name} ({number})"
            number += 1
        if name != incoming.source.name:
            self.report.conflicts.append(
                f"transcript {incoming.source.name!r} has other text here; added as {name!r}"
            )
        names.add(name)
        draft = TranscriptDraft(
            name=name,
            text=incoming.text,
            turns=tuple(parse_speaker_turns(incoming.text)),
            source_path=f"{self.incoming.label}#{incoming.source.guid}",
            encoding="utf-8",
            notes=incoming.notes,
            language=guess_language(incoming.text),
        )
        transcript_id = self.uow.transcripts.add(draft)
        self._set_guid("transcript", transcript_id, incoming.source.guid, {})
        self.report.transcripts_added.append(name)
        return transcript_id

    def _codings(
        self,
        incoming: IncomingSource,
        transcript_id: int,
        text: str,
        edit: EditMap | None,
        existed: bool,
    ) -> None:
        # Only codings that were there before count as "already present": identical codings
        # inside one file are kept, as the producer had them.
        present = self.uow.refi.coding_keys(transcript_id) if existed else set()
        rows: list[IdentifiedCoding] = []
        for coding in incoming.source.codings:
            code_id = self.codes.get(coding.code_guid)
            if code_id is None:
                self._unplaced(incoming, coding.start, coding.end, coding.code_guid, "unknown code")
                continue
            coder_id = self._coder_for(coding.user_guid)
            start, end = coding.start, coding.end
            if edit is not None:
                mapped_start, mapped_end = edit.start(start), edit.end(end)
                if mapped_start is None or mapped_end is None or mapped_end <= mapped_start:
                    self._unplaced(incoming, start, end, self.code_paths[code_id], "text changed")
                    continue
                if span_text(text, mapped_start, mapped_end) != span_text(
                    incoming.text, start, end
                ):
                    self.report.codings_remapped_changed += 1
                start, end = mapped_start, mapped_end
                self.report.codings_remapped += 1
            if coding.guid in self.coding_guids or (code_id, coder_id, start, end) in present:
                self.report.codings_present += 1
                continue
            self.coding_guids.add(coding.guid)
            created = parse_exchange_time(coding.created)
            rows.append(
                IdentifiedCoding(
                    transcript_id, code_id, coder_id, start, end, span_text(text, start, end),
                    coding.memo, created, coding.guid, coding.origin,
                )
            )  # fmt: skip
        self.report.codings_added += self.uow.refi.add_codings_with_guids(rows)

    def _unplaced(
        self, incoming: IncomingSource, start: int, end: int, code: str, reason: str
    ) -> None:
        self.report.unplaced.append(
            Unplaced(
                incoming.source.name, start, end, code, reason, span_text(incoming.text, start, end)
            )
        )

    def _case_spans(
        self, incoming: IncomingSource, transcript_id: int, edit: EditMap | None
    ) -> None:
        spans: dict[str, list[tuple[int, int]]] = {}
        for case_guid, start, end in incoming.source.case_selections:
            if edit is not None:
                mapped = edit.start(start, lenient=True), edit.end(end, lenient=True)
                if mapped[0] is None or mapped[1] is None or mapped[1] <= mapped[0]:
                    continue
                start, end = mapped[0], mapped[1]
            spans.setdefault(case_guid, []).append((start, end))
        turns = self.uow.transcripts.turns(transcript_id)
        for case_guid, case_spans in spans.items():
            case_id = self.cases.get(case_guid)
            if case_id is None:
                continue
            speakers = {t.speaker for t in turns if (t.start, t.end) in set(case_spans)}
            covered = {(t.start, t.end) for t in turns if t.speaker in speakers}
            speaker = speakers.pop() if len(speakers) == 1 and covered == set(case_spans) else None
            self.uow.cases.assign(case_id, transcript_id, sorted(set(case_spans)), speaker)

    # -- notes -------------------------------------------------------------------------
    def _notes(self) -> None:
        for note in self.incoming.notes:
            if note.target == "code" and note.target_guid in self.codes:
                self._memo(
                    "code", self.codes[note.target_guid], note.text, note.author_guid, note.guid
                )
            else:
                self._memo("project", None, note.text, note.author_guid, note.guid)
        description = self.incoming.header.description
        if description and not self.uow.settings.get(PROJECT_DESCRIPTION_SETTING):
            self.uow.settings.set(PROJECT_DESCRIPTION_SETTING, description)

    def _memo(
        self, kind: str, target: int | None, text: str, author: str | None, guid: str
    ) -> None:
        if self.memos is None:
            self.memos = self.uow.refi.memo_texts()
        if (kind, target, text) in self.memos:
            return
        self.memos.add((kind, target, text))
        author_name = None
        if author in self.coders:
            names = {cid: name for cid, name, _ in self.uow.refi.coder_rows()}
            author_name = names.get(self.coders[author])
        memo_id = self.uow.memos.add(kind, target, author_name, text)
        self._set_guid("memo", memo_id, guid, {})
        self.report.memos_added += 1

    def _set_guid(
        self, kind: Identified, row_id: int, guid: str, known: Mapping[str, object]
    ) -> None:
        """Keep the incoming identity unless the project already uses it for another row."""
        if guid in known or self.uow.refi.guid_in_use(kind, guid):
            guid = new_guid()
        self.uow.refi.set_guid(kind, row_id, guid)
