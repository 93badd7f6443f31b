"""What an import or merge did: matched, added, conflicting and unplaceable items."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A coding that could not be placed: ``start``/``end`` are code points in the
    incoming copy of the transcript, ``text`` the passage it coded there."""

    transcript: str
    start: int
    end: int
    code: str
    reason: str
    text: str


@dataclass(slots=True)
class MergeReport:
    source: str
    dry_run: bool = False
    coders_matched: list[str] = field(default_factory=list)
    coders_added: list[str] = field(default_factory=list)
    codes_matched: list[str] = field(default_factory=list)
    codes_added: list[str] = field(default_factory=list)
    attributes_matched: list[str] = field(default_factory=list)
    attributes_added: list[str] = field(default_factory=list)
    cases_matched: list[str] = field(default_factory=list)
    cases_added: list[str] = field(default_factory=list)
    sets_matched: list[str] = field(default_factory=list)
    sets_added: list[str] = field(default_factory=list)
    transcripts_matched: list[str] = field(default_factory=list)
    transcripts_fuzzy: list[str] = field(default_factory=list)
    transcripts_added: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_present: int = 0
    codings_remapped: int = 0
    codings_remapped_changed: int = 0
    unplaced: list[Unplaced] = field(default_factory=list)
    memos_added: int = 0
    # per incoming source: "name: how its positions were counted (what decided it)"
    offsets: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def lines(self, *, verbose: bool = False) -> list[str]:
        """The report as printed: counts per kind, then every suggestion, conflict,
        unplaceable coding and warning (names of matched/added items with ``verbose``)."""
        head = f"{'dry run (nothing written): ' if self.dry_run else ''}from {self.source}"
        lines = [head]
        lines.append(_count("coders", self.coders_matched, self.coders_added, verbose, True))
        lines.append(_count("codes", self.codes_matched, self.codes_added, verbose))
        lines.append(_count("attributes", self.attributes_matched, self.attributes_added, verbose))
        lines.append(_count("cases", self.cases_matched, self.cases_added, verbose))
        if self.sets_matched or self.sets_added:
            lines.append(_count("sets", self.sets_matched, self.sets_added, verbose, True))
        transcripts = (
            f"transcripts: {len(self.transcripts_matched)} matched by text, "
            f"{len(self.transcripts_fuzzy)} matched fuzzily, {len(self.transcripts_added)} added"
        )
        lines.append(transcripts)
        lines.extend(f"  fuzzy: {item}" for item in self.transcripts_fuzzy)
        if verbose:
            lines.extend(f"  added: {item}" for item in self.transcripts_added)
        codings = f"codings: {self.codings_added} added, {self.codings_present} already present"
        if self.codings_remapped:
            codings += f", {self.codings_remapped} re-mapped to edited text"
            if self.codings_remapped_changed:
                codings += f" ({self.codings_remapped_changed} with changed wording)"
        codings += f", {len(self.unplaced)} cannot be placed"
        lines.append(codings)
        for item in self.unplaced:
            preview = item.text.replace("\n", " ")
            preview = preview if len(preview) <= 50 else preview[:49] + "…"
            lines.append(
                f"  cannot place: {item.transcript} {item.start}:{item.end} {item.code} "
                f"({item.reason}): “{preview}”"
            )
        plain = [item for item in self.offsets if item.endswith(_PLAIN)]
        if plain:
            lines.append(f"positions: {len(plain)} source(s) in code points, nothing to decide")
        lines.extend(f"positions: {item}" for item in self.offsets if not item.endswith(_PLAIN))
        if self.memos_added:
            lines.append(f"memos: {self.memos_added} added")
        lines.extend(f"suggestion: {item}" for item in self.suggestions)
        lines.extend(f"conflict: {item}" for item in self.conflicts)
        lines.extend(f"warning: {item}" for item in self.warnings)
        return lines


_PLAIN = "code points (the only reading that fits every selection)"


def _count(
    kind: str, matched: list[str], added: list[str], verbose: bool, names: bool = False
) -> str:
    line = f"{kind}: {len(matched)} matched, {len(added)} added"
    if names or verbose:
        shown = [f"matched {', '.join(matched)}" if matched else "", ""]
        shown[1] = f"added {', '.join(added)}" if added else ""
        detail = "; ".join(part for part in shown if part)
        if detail:
            line += f" ({detail})"
    return line
