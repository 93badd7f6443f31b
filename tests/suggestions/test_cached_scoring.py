"""A model cached in the project scores in a new process without scikit-learn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from qualcode.services.suggestions import suggest
from tests.suggestions.tiny import tiny_project

# a new process, as `qualcode suggest` is: suggestions for one transcript from the cache
READ_CACHED = """
import json, sys
from qualcode.services.project import open_project
from qualcode.services.suggestions import suggest
found = suggest(open_project(sys.argv[1]), "anna", transcripts=["t3"], min_score=0.0)
print(json.dumps({
    "sklearn": any(name.split(".")[0] == "sklearn" for name in sys.modules),
    "found": [[s.start, s.end, [[c, v] for c, v in s.codes]] for s in found],
}))
"""


def test_a_cached_model_scores_without_importing_scikit_learn(tmp_path: Path) -> None:
    project = tiny_project(tmp_path)
    trained = suggest(project, "anna", transcripts=["t3"], min_score=0.0)  # trains, caches
    assert trained
    result = subprocess.run(
        [sys.executable, "-c", READ_CACHED, str(tmp_path / "tiny.qualcode")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    seen = json.loads(result.stdout)
    assert seen["sklearn"] is False
    assert seen["found"] == [
        [s.start, s.end, [[code, score] for code, score in s.codes]] for s in trained
    ]
