"""The one zip reader (qualcode.files.archives) holds every archive — a .docx as well as a
.qdpx — to limits on entries, sizes and compression ratio, small entries included, before
and while decompressing; and under a 1 GB address-space limit the readers refuse a bomb
instead of running out of memory."""

from __future__ import annotations

import functools
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from qualcode.domain.errors import InputError, LimitError
from qualcode.files.archives import ArchiveLimits, ZipArchive
from qualcode.files.reading import open_regular
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import TRANSCRIPTS, Cli
from tests.files import hostile
from tests.refi.helpers import write_qdpx
from tests.refi.test_hostile import good_sources, qde

Make = Callable[[Path], Path]


def _docx_ratio(path: Path) -> Path:
    # one 2 MB part of zeros: small, within every size limit, but 1,000:1
    return hostile.write_docx(path, [b"<w:p/>"], {"word/media/zeros.bin": bytes(2 * 1024**2)})


def _docx_oversized(path: Path) -> Path:
    hostile.good_docx(path)
    with path.open("r+b") as handle:
        handle.truncate(60 * 1024**2)  # sparse: past the 50 MB transcript limit, no disk used
    return path


def _qdpx(extra: dict[str, str | bytes]) -> Make:
    return lambda path: write_qdpx(path, qde(), {**good_sources(), **extra})


def _qdpx_bomb(megabytes: int) -> Make:
    return lambda path: hostile.add_zeros(_qdpx({})(path), "sources/bomb.txt", megabytes)


@functools.cache
def _many_entries_qdpx() -> bytes:
    """A good .qdpx padded with 100,001 empty entries (~10 MB), made once per process:
    writing that many entries takes seconds, and several tests refuse the same file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "many.qdpx"
        write_qdpx(path, qde(), good_sources())
        padded = io.BytesIO(path.read_bytes())  # in memory: a write per entry, no disk seek
    with zipfile.ZipFile(padded, "a", zipfile.ZIP_STORED) as archive:
        for number in range(100_001):
            archive.writestr(f"pad/{number}", b"")
    return padded.getvalue()


def _qdpx_many_entries(path: Path) -> Path:
    path.write_bytes(_many_entries_qdpx())
    return path


_ZEROS_60K = bytes(60 * 1024)

# (id, maker, words the one line must hold)
DOCX_SHAPES: list[tuple[str, Make, str]] = [
    ("bomb", hostile.docx_bomb, "expands to 300.0 MB"),  # one part of 300 MB, ~300 KB
    ("small-entries-bomb", hostile.small_entries_bomb, "all entries together"),
    ("many-entries", hostile.many_small_entries_docx, "zip entries (the limit is 5,000)"),
    ("huge-ratio", _docx_ratio, "compression ratio"),
    ("oversized", _docx_oversized, "the limit is 50 MB"),
]
QDPX_SHAPES: list[tuple[str, Make, str]] = [
    ("bomb", _qdpx_bomb(300), "possible zip bomb"),
    (
        "small-entries-bomb",
        _qdpx({f"sources/pad{i}.bin": _ZEROS_60K for i in range(400)}),
        "all entries together",
    ),
    ("many-entries", _qdpx_many_entries, "zip entries (the limit is 100,000)"),
    ("huge-ratio", _qdpx({"sources/zeros.bin": bytes(2 * 1024**2)}), "compression ratio"),
    (
        "too-many-selections",
        lambda path: hostile.qdpx_with_selections(path, 50_001, text_length=20_000),
        "more than 50,000 selections in one source",
    ),
]


def _ids(rows: list[tuple[str, Make, str]]) -> list[str]:
    return [row[0] for row in rows]


@pytest.fixture
def study(tmp_path: Path, run: Cli) -> Path:
    path = tmp_path / "study.qualcode"
    run("init", path)
    run("import", path, TRANSCRIPTS / "parent-01-en.txt")
    return path


@pytest.mark.parametrize(("shape", "make", "words"), DOCX_SHAPES, ids=_ids(DOCX_SHAPES))
def test_docx_import_refuses(
    study: Path, tmp_path: Path, run: Cli, shape: str, make: Make, words: str
) -> None:
    docx = make(tmp_path / f"{shape}.docx")
    assert docx.stat().st_blocks * 512 < 2 * 1024**2  # small on disk
    before = dump(study)
    line = one_line_error(run("import", study, docx, expect=1).stderr)
    assert docx.name in line
    assert words in line
    assert dump(study) == before


@pytest.mark.parametrize(("shape", "make", "words"), QDPX_SHAPES, ids=_ids(QDPX_SHAPES))
@pytest.mark.parametrize("command", ["import-project", "merge"])
def test_qdpx_readers_refuse(
    study: Path, tmp_path: Path, run: Cli, command: str, shape: str, make: Make, words: str
) -> None:
    qdpx = make(tmp_path / f"{shape}.qdpx")
    before = dump(study)
    target = study if command == "merge" else tmp_path / "new.qualcode"
    line = one_line_error(run(command, target, qdpx, expect=1).stderr)
    assert qdpx.name in line
    assert words in line
    assert dump(study) == before
    assert not (tmp_path / "new.qualcode").exists()


def test_a_good_docx_still_imports(study: Path, tmp_path: Path, run: Cli) -> None:
    docx = hostile.good_docx(tmp_path / "good.docx")
    assert "good: imported" in run("import", study, docx).stdout


# -- the reader itself -------------------------------------------------------------------


def _open(path: Path, limits: ArchiveLimits) -> ZipArchive:
    with open_regular(path) as handle:
        return ZipArchive(handle, str(path), limits, "zip")


def test_limits_hold_while_decompressing(tmp_path: Path) -> None:
    """A stream stops at its limit, not after: reading past ``limit`` bytes of an entry
    raises before more is returned."""
    noise = random.Random(3).randbytes(50_000)  # incompressible: no ratio refusal
    path = hostile.zip_with(tmp_path / "a.zip", {"noise.bin": noise})
    with open_regular(path) as handle, ZipArchive(handle, str(path), ArchiveLimits(), "zip") as z:
        info = z.find("NOISE.BIN")
        assert info is not None
        with z.open(info, limit=10_000) as stream:
            assert stream.read(10_000) == noise[:10_000]
            with pytest.raises(LimitError, match=r"gives more than its 9\.8 KB"):
                stream.read(1)


def test_total_is_counted_while_reading(tmp_path: Path) -> None:
    noise = random.Random(4).randbytes(30_000)
    path = hostile.zip_with(tmp_path / "a.zip", {"a": noise, "b": noise[::-1]})
    limits = ArchiveLimits(max_total_bytes=60_000)
    with open_regular(path) as handle, ZipArchive(handle, str(path), limits, "zip") as z:
        z.read(z.entries["a"])
        z.read(z.entries["b"])
        with pytest.raises(LimitError, match="expand to more than"):
            z.read(z.entries["a"])  # reading again counts again


def test_a_lying_header_cannot_inflate_past_it(tmp_path: Path) -> None:
    """An entry that declares 100 bytes but holds 1 MB gives at most 100 bytes."""
    path = hostile.zip_with(tmp_path / "lie.zip", {"x.txt": b"y" * 1024**2})
    data = bytearray(path.read_bytes())
    # patch the declared size in the central directory (the one zipfile trusts)
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    limits = ArchiveLimits(max_ratio=1e9)
    with (
        open_regular(path) as handle,
        ZipArchive(handle, str(path), limits, "zip") as z,
        pytest.raises(InputError, match="damaged zip entry"),
    ):
        z.read(z.entries["x.txt"])  # 100 bytes, then the checksum fails


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"../evil": b"x"}, "leaves the archive"),  # path traversal
        ({"/etc/passwd": b"x"}, "absolute path"),  # absolute
        ({"a": b"x", "A": b"y"}, "appears twice"),  # names differing in case only
    ],
    ids=["dotdot", "absolute", "duplicate"],
)
def test_unsafe_names(tmp_path: Path, members: dict[str, bytes], reason: str) -> None:
    path = hostile.zip_with(tmp_path / "names.zip", members)
    with pytest.raises(InputError, match=reason):
        _open(path, ArchiveLimits())


def test_other_compression_methods_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bz.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("a.txt", "hello")
    with pytest.raises(InputError, match="compression method 12"):
        _open(path, ArchiveLimits())


# -- memory ------------------------------------------------------------------------------

_ONE_GB = 1024**3
_READERS = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from qualcode.importers.transcripts import load_transcript
    from qualcode.importers.refi_project import open_qdpx
    results = {{}}
    for name in sys.argv[1:]:
        path = Path(name)
        try:
            if path.suffix == ".docx":
                load_transcript(path)
            else:
                with open_qdpx(path) as project:
                    for _source in project.sources():
                        pass
            results[name] = "read"
        except MemoryError:
            results[name] = "MemoryError"
        except Exception as error:
            results[name] = type(error).__name__ + ": " + str(error)
    print(json.dumps(results))
    """
)


def test_archive_readers_refuse_bombs_under_a_1_gb_address_space(tmp_path: Path) -> None:
    """The .docx and .qdpx readers, in a process that cannot map more than 1 GB, refuse
    each bomb (LimitError) rather than dying of MemoryError — and still read good files."""
    files = [
        hostile.docx_bomb(tmp_path / "bomb.docx", 1024),  # 1 GB of XML, ~3.5 MB on disk
        hostile.small_entries_bomb(tmp_path / "many.docx"),
        _qdpx_bomb(1024)(tmp_path / "bomb.qdpx"),
        hostile.qdpx_with_selections(tmp_path / "selections.qdpx", 50_001, text_length=20_000),
        hostile.good_docx(tmp_path / "good.docx"),
        hostile.qdpx_with_selections(tmp_path / "good.qdpx", 100, text_length=20_000),
    ]
    assert resource.RLIMIT_AS  # the platform has the limit
    result = subprocess.run(
        [sys.executable, "-c", _READERS.format(limit=_ONE_GB), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    for bomb in files[:4]:
        assert outcome[str(bomb)].startswith("LimitError: "), outcome[str(bomb)]
    assert outcome[str(files[4])] == outcome[str(files[5])] == "read"


def test_xml_parts_together_are_limited(tmp_path: Path) -> None:
    """For a reader that parses every XML part whole (python-docx), all of them count."""
    noise = random.Random(5).randbytes(40_000).hex().encode()  # 80 KB, ratio ~2:1
    members = {"word/document.xml": noise, "word/styles.xml": noise, "media/a.bin": noise}
    path = hostile.zip_with(tmp_path / "parts.zip", members)
    _open(path, ArchiveLimits(max_xml_bytes=200_000))  # 160 KB of XML: fine
    with pytest.raises(LimitError, match=r"its XML expands to 0\.2 MB, over the limit of 97\.7 KB"):
        _open(path, ArchiveLimits(max_xml_bytes=100_000))
