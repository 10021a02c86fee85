"""pdftotext / pdffonts / pdfinfo (poppler-utils) for assertions on generated PDFs."""

import shutil
import subprocess
from pathlib import Path

import pytest

from ..conftest import REQUIRE_SERVICES


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if REQUIRE_SERVICES:
            pytest.fail(f"{name} is required (apt-get install poppler-utils)")
        pytest.skip(f"{name} not installed")
    return path


def _run(name: str, pdf: Path, *args: str) -> str:
    return subprocess.run(
        [tool(name), *args, str(pdf), "-"] if name == "pdftotext" else [tool(name), str(pdf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def text_of(pdf: Path) -> str:
    """The PDF's text, with layout (keeps table rows on one line)."""
    return _run("pdftotext", pdf, "-layout")


def pages_of(pdf: Path) -> int:
    for line in _run("pdfinfo", pdf).splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo gave no page count")


def fonts_of(pdf: Path) -> list[list[str]]:
    """pdffonts rows: name, type…, emb, sub, uni, object, id."""
    lines = _run("pdffonts", pdf).splitlines()[2:]
    return [line.split() for line in lines if line.strip()]


def assert_nanum_subset_embedded(pdf: Path) -> None:
    rows = fonts_of(pdf)
    # Only NanumGothic: another font would be a fallback for a glyph Nanum lacks.
    assert rows and all(row[0].split("+")[-1].startswith("NanumGothic") for row in rows), rows
    for row in rows:  # every one an embedded subset
        assert "+" in row[0], row
        assert row[-5:-2] == ["yes", "yes", "yes"], row
