"""No guessed Korean particles in what users, operators or logs read (issue 14, item 17).

"버전 2을(를)", "B.1.1을(를) 저장했습니다" read as a machine's guess. A message either attaches
its particle to a fixed Korean word ("'{title}' 평가 주기는", "인증 기준 점수(500)는") or, where
no translation is involved, chooses it with ``indicators.korean.particle``. This scan keeps it
so: every production source file (Python, templates, e-mail text) is read and any guessed pair
is listed by file and line. ``indicators/korean.py`` is exempt: its fallback for a word it
cannot read is the one place a pair is deliberate.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GUESSED = re.compile(r"이\(가\)|을\(를\)|은\(는\)|와\(과\)|과\(와\)|\(으\)로|\(이\)라|\(이\)다")
SUFFIXES = {".py", ".html", ".txt"}
SKIPPED_DIRS = {".venv", "tests", "locale", "migrations", "node_modules", "var", "__pycache__"}
EXEMPT = {Path("indicators/korean.py")}


def _production_files():
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(names):
            relative = (Path(folder) / name).relative_to(ROOT)
            if relative.suffix in SUFFIXES and relative not in EXEMPT:
                yield relative


def guessed_particles(files) -> list[str]:
    found = []
    for relative in files:
        text = (ROOT / relative).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if GUESSED.search(line):
                found.append(f"{relative}:{number}: {line.strip()[:120]}")
    return found


def test_no_guessed_particles_in_production_sources():
    files = list(_production_files())
    assert len(files) > 100, "the scan found almost no source files: is BASE_DIR right?"
    found = guessed_particles(files)
    assert not found, (
        f"{len(found)} guessed particle(s); attach the particle to a fixed word or use "
        "indicators.korean.particle (not inside a translated placeholder):\n" + "\n".join(found)
    )


def test_the_scan_sees_each_guessed_pair(tmp_path, monkeypatch):
    """The scan cannot pass by reading nothing: each pattern is caught in a file it reads."""
    pairs = ["이(가)", "을(를)", "은(는)", "와(과)", "과(와)", "(으)로", "(이)라", "(이)다"]
    sample = tmp_path / "app" / "messages.py"
    sample.parent.mkdir()
    sample.write_text(
        "".join(f'MESSAGE_{i} = f"{{name}}{pair} 있습니다"\n' for i, pair in enumerate(pairs)),
        encoding="utf-8",
    )
    (tmp_path / "app" / "clean.html").write_text("<p>'{{ title }}' 평가 주기는</p>\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    found = guessed_particles(_production_files())
    assert [f.split(":")[:2] for f in found] == [
        ["app/messages.py", str(n)] for n in range(1, len(pairs) + 1)
    ]
