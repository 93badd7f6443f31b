"""Render every workbook and HTML page the demo exports, for a person to look at.

    python benchmarks/render_exports.py OUT_FOLDER

builds the demo project in OUT_FOLDER (``qualcode demo --path ... --no-open --coder
anna``, plus a second coder ``bo`` from the demo's own layers where present), exports
the matrix (all measures, with passages), the co-occurrence matrix and the agreement of
anna and bo as XLSX and HTML, the codings as XLSX, the findings chapter by child age
group as XLSX, Word and HTML and the matrix by child age group as HTML (its charts),
converts each workbook and Word document to PDF with LibreOffice headless
(``soffice --headless --convert-to pdf``) and each PDF page to PNG (``pdftoppm -png -r
60``), and screenshots each HTML page with headless Chromium when one is installed.
Prints what it wrote and how many pages each PDF has (a matrix that spills onto a
second page wide shows as more pages than rows warrant). Nothing is written outside
OUT_FOLDER; the rendered files are not meant to be committed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

EXPORTS: tuple[tuple[str, list[str]], ...] = (
    ("matrix.xlsx", ["matrix", "{project}", "--measure", "all,passages"]),
    ("matrix.html", ["matrix", "{project}", "--measure", "all,passages"]),
    ("cooccurrence.xlsx", ["cooccurrence", "{project}", "--measure", "both"]),
    ("cooccurrence.html", ["cooccurrence", "{project}", "--measure", "both"]),
    ("agreement.xlsx", ["agreement", "{project}", "--coders", "anna", "bo"]),
    ("agreement.html", ["agreement", "{project}", "--coders", "anna", "bo"]),
    ("codings.xlsx", ["codings", "{project}"]),
    ("findings.xlsx", ["findings", "{project}", "--by", "attribute:child_age_group"]),
    ("findings-chapter.docx", ["findings", "{project}", "--by", "attribute:child_age_group"]),
    ("findings.html", ["findings", "{project}", "--by", "attribute:child_age_group"]),
    ("matrix-by-age.html", ["matrix", "{project}", "--rows", "attribute:child_age_group"]),
)
PRINTED = (".xlsx", ".docx")
"""Suffixes converted to PDF and PNG pages; the rest are HTML pages for the browser."""


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(command), flush=True)
    done = subprocess.run(command, check=False, text=True, capture_output=True)
    if done.returncode:
        sys.exit(f"failed ({done.returncode}): {done.stderr.strip()}")
    return done


def build(folder: Path) -> Path:
    project = folder / "demo.qualcode"
    if not project.exists():
        run(["qualcode", "demo", "--path", str(project), "--no-open", "--coder", "anna"])
    return project


def export(project: Path, folder: Path) -> list[Path]:
    written = []
    for name, arguments in EXPORTS:
        target = folder / name
        target.unlink(missing_ok=True)
        command = ["qualcode", *(a.format(project=project) for a in arguments), "-o", str(target)]
        run(command)
        written.append(target)
    return written


def to_png(workbook: Path) -> list[Path]:
    """The workbook or document as PDF (LibreOffice), then one PNG per page (poppler)."""
    run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(workbook.parent),
         str(workbook)])  # fmt: skip
    pdf = workbook.with_suffix(".pdf")
    stem = workbook.parent / f"{workbook.stem}-page"
    for old in workbook.parent.glob(f"{stem.name}-*.png"):
        old.unlink()
    run(["pdftoppm", "-png", "-r", "60", str(pdf), str(stem)])
    return sorted(workbook.parent.glob(f"{stem.name}-*.png"))


def screenshot(page: Path) -> Path | None:
    browser = next(
        (found for name in ("chromium", "chromium-browser", "google-chrome")
         if (found := shutil.which(name))),
        None,
    )  # fmt: skip
    if browser is None:
        return None
    target = page.with_suffix(".png")
    run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,2000",
         f"--screenshot={target}", page.resolve().as_uri()])  # fmt: skip
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to build the demo and write renders")
    folder = parser.parse_args(argv).folder
    folder.mkdir(parents=True, exist_ok=True)
    project = build(folder)
    for path in export(project, folder):
        if path.suffix in PRINTED:
            pages = to_png(path)
            print(f"{path.name}: {len(pages)} page(s): {', '.join(p.name for p in pages)}")
        else:
            shot = screenshot(path)
            print(f"{path.name}: " + (shot.name if shot else "no Chromium; open it in a browser"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
