"""Code names are stored exactly; in a code path a slash or backslash inside a name is
escaped, and splitting the path gives the names back exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.codebook import join_path, parent_path, path_depth, path_key, split_path

_NAME = st.text(alphabet=st.sampled_from("ab/\\ Æø"), min_size=1, max_size=8).filter(
    lambda name: name.strip() == name and name.strip()
)


@settings(max_examples=100, deadline=None)
@given(st.lists(_NAME, min_size=1, max_size=4))
def test_names_come_back_from_their_path(names: list[str]) -> None:
    path: str | None = None
    for name in names:
        path = join_path(path, name)
    assert path is not None
    assert split_path(path) == names
    assert path_depth(path) == len(names) - 1
    assert (parent_path(path) is None) == (len(names) == 1)
    # a name with a slash is never the same code as two nested names
    if any("/" in name for name in names):
        assert path_key(path) != path_key("/".join(names))


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("Steder/Sted\\/Ærø", ["Steder", "Sted/Ærø"]),  # escaped slash inside a name
        ("a\\\\/b", ["a\\", "b"]),  # an escaped backslash, then a separator
        ("C:\\temp/x", ["C:\\temp", "x"]),  # a backslash before anything else stays
        (" a / b ", ["a", "b"]),  # spaces around separators, as before
    ],
    ids=["slash", "backslash-end", "plain-backslash", "spaces"],
)
def test_typed_paths(typed: str, names: list[str]) -> None:
    assert split_path(typed) == names
