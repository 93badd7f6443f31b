"""Round trip on generated projects: export → import into a new project → export keeps
coders, codebook (every field), attributes, cases, texts and codings, and the second
export equals the first (timestamps aside)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.domain.cases import AttributeDef, AttributeType
from qualcode.domain.codebook import CodeSpec
from qualcode.domain.spans import Span
from qualcode.domain.transcripts import TranscriptDraft
from qualcode.domain.turns import parse_speaker_turns
from qualcode.services.project import init_project
from tests.conftest import Cli
from tests.refi.helpers import assert_valid, comparable_qde, project_schema, qde_bytes, snapshot

WORDS = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåÆØÅ’“” -", min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
PROSE = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
MULTILINE = st.lists(PROSE, min_size=1, max_size=3).map("\n".join)


@dataclass(frozen=True)
class Plan:
    texts: list[str]
    codes: list[tuple[CodeSpec, list[CodeSpec]]]
    coders: list[str]
    codings: list[tuple[int, int, int, int, int, str | None]]  # text, code, coder, a, b, memo
    cases: list[tuple[str, int, str, str]]  # name, text index, level, number


def code_specs() -> st.SearchStrategy[CodeSpec]:
    optional = st.none() | MULTILINE
    return st.builds(
        CodeSpec,
        name=WORDS,
        label_da=st.none() | PROSE,
        description=st.none() | PROSE,
        inclusion=optional,
        exclusion=optional,
        example=optional,
        colour=st.none() | st.from_regex(r"#[0-9A-F]{6}", fullmatch=True),
        keywords=st.lists(WORDS, max_size=3).map(tuple),
    )


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    texts = draw(
        st.lists(
            st.lists(
                st.tuples(st.sampled_from(["Anna", "Bo", "Interviewer"]), PROSE),
                min_size=1,
                max_size=6,
            ).map(lambda turns: "\n".join(f"{who}: {said}" for who, said in turns)),
            min_size=1,
            max_size=3,
        )
    )
    themes = draw(
        st.lists(code_specs(), min_size=1, max_size=3, unique_by=lambda c: c.name.casefold())
    )
    codes = [
        (theme, draw(st.lists(code_specs(), max_size=2, unique_by=lambda c: c.name.casefold())))
        for theme in themes
    ]
    coders = draw(st.lists(WORDS, min_size=1, max_size=3, unique=True))
    flat = sum(1 + len(children) for _, children in codes)
    codings = []
    for _ in range(draw(st.integers(0, 12))):
        t = draw(st.integers(0, len(texts) - 1))
        a = draw(st.integers(0, len(texts[t]) - 1))
        b = draw(st.integers(a + 1, len(texts[t])))
        codings.append(
            (t, draw(st.integers(0, flat - 1)), draw(st.integers(0, len(coders) - 1)), a, b,
             draw(st.none() | MULTILINE))
        )  # fmt: skip
    cases = draw(
        st.lists(
            st.tuples(WORDS, st.integers(0, len(texts) - 1), st.sampled_from(["low", "high"]),
                      st.sampled_from(["3", "4.5", "-2"])),
            max_size=3,
            unique_by=lambda c: c[0],
        )
    )  # fmt: skip
    return Plan(texts, codes, coders, codings, cases)


def build(path: Path, plan: Plan) -> None:
    project = init_project(path)
    with project.unit_of_work() as uow:
        ids = [
            uow.transcripts.add(
                TranscriptDraft(
                    f"t{i}", text, tuple(parse_speaker_turns(text)), f"t{i}.txt", "utf-8"
                )
            )
            for i, text in enumerate(plan.texts)
        ]
        code_ids: list[int] = []
        for position, (theme, children) in enumerate(plan.codes):
            parent = uow.codebook.add(theme, None, position)
            code_ids.append(parent)
            code_ids.extend(uow.codebook.add(child, parent, n) for n, child in enumerate(children))
        coder_ids = [uow.coders.ensure(name) for name in plan.coders]
        for t, code, coder, a, b, memo in plan.codings:
            text = plan.texts[t]
            uow.codings.add(ids[t], code_ids[code], coder_ids[coder], Span(a, b), text[a:b], memo)
        level = uow.cases.add_attribute(
            AttributeDef("level", AttributeType.ORDINAL, ("low", "high"))
        )
        number = uow.cases.add_attribute(AttributeDef("number", AttributeType.NUMBER))
        for name, t, level_value, number_value in plan.cases:
            case = uow.cases.ensure(name)
            uow.cases.set_value(case, level, level_value)
            uow.cases.set_value(case, number, number_value)
            uow.cases.assign(case, ids[t], [(0, len(plan.texts[t]))], None)
    project.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans())
def test_generated_projects_survive_the_round_trip(plan: Plan) -> None:
    run = Cli()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build(root / "a.qualcode", plan)
        run("export", root / "a.qualcode", "--format", "qdpx", "-o", root / "a.qdpx")
        assert_valid(project_schema(), qde_bytes(root / "a.qdpx"))
        run("import-project", root / "b.qualcode", root / "a.qdpx")
        assert snapshot(root / "b.qualcode") == snapshot(root / "a.qualcode")
        run("export", root / "b.qualcode", "--format", "qdpx", "-o", root / "b.qdpx")
        assert comparable_qde(root / "b.qdpx") == comparable_qde(root / "a.qdpx")
