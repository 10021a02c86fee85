"""The English catalogues are complete: every message id that ``makemessages`` finds in the
code and templates has an English translation, none is fuzzy, and every catalogue compiles.

``makemessages`` runs on a copy of the source tree (the tree itself is not touched), merging
what it finds into a copy of each catalogue: a new Korean string shows up there as an
untranslated entry, a changed one as fuzzy. See docs/decisions/020-languages.md and the README
("Languages") for how to update a catalogue.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PO = "en/LC_MESSAGES/django.po"
# Every catalogue of the English interface: one per app, and the project's (templates/, config/).
CATALOGUES = sorted(
    str(path.relative_to(ROOT))
    for path in [*ROOT.glob(f"locale/{PO}"), *ROOT.glob(f"*/locale/{PO}")]
    if not path.is_relative_to(ROOT / ".venv")
)
NOT_SOURCE = shutil.ignore_patterns(
    ".*", "var", "tests", "bench", "node_modules", "__pycache__", "*.egg-info", "*.mo", "*.pyc"
)


def _msgids(po_text: str) -> list[str]:
    """The message ids of a .po text (continuation lines joined), without the header's."""
    ids: list[list[str]] = []
    current = None
    for line in po_text.splitlines():
        if line.startswith('"'):
            if current is not None:
                current.append(line.strip()[1:-1])
            continue
        current = None
        if line.startswith("msgid "):
            current = [line[len("msgid ") :].strip()[1:-1]]
            ids.append(current)
    return [text for text in ("".join(parts) for parts in ids) if text]


def _gettext_tool(*args: str) -> str:
    tool = shutil.which(args[0])
    if tool is None:
        pytest.fail(f"{args[0]} (GNU gettext) is missing: run `make sysdeps` (package gettext)")
    result = subprocess.run([tool, *args[1:]], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def remade(tmp_path_factory) -> Path:
    """A copy of the source tree after ``makemessages -l en --no-obsolete``."""
    copy = tmp_path_factory.mktemp("i18n") / "tree"
    shutil.copytree(ROOT, copy, ignore=NOT_SOURCE)
    env = {**os.environ, "VAR_DIR": str(copy / "var"), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return copy


def test_every_app_with_strings_has_a_catalogue(remade):
    made = sorted(
        str(path.relative_to(remade))
        for path in [*remade.glob(f"locale/{PO}"), *remade.glob(f"*/locale/{PO}")]
    )
    assert made == CATALOGUES, "makemessages wrote catalogues that are not in the tree"
    assert "locale/" + PO in CATALOGUES
    for app in ("evaluation", "indicators", "institutions", "reports", "notifications"):
        assert f"{app}/locale/{PO}" in CATALOGUES, f"{app} has no English catalogue"


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_catalogue_is_complete(catalogue, remade):
    po = remade / catalogue
    untranslated = _msgids(_gettext_tool("msgattrib", "--untranslated", "--no-wrap", str(po)))
    fuzzy = _msgids(_gettext_tool("msgattrib", "--only-fuzzy", "--no-wrap", str(po)))
    problems = [f"  untranslated: {m}" for m in untranslated] + [f"  fuzzy: {m}" for m in fuzzy]
    assert not problems, (
        f"{catalogue}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy "
        "(run makemessages, translate, remove the fuzzy flags; README 'Languages'):\n"
        + "\n".join(problems[:60])
        + ("\n  ..." if len(problems) > 60 else "")
    )


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_catalogue_compiles(catalogue, tmp_path):
    _gettext_tool(
        "msgfmt",
        "--check-format",
        "--check-header",
        "-o",
        str(tmp_path / "x.mo"),
        str(ROOT / catalogue),
    )


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_compiled_catalogue_is_current(catalogue):
    """Django reads the .mo, not the .po: a missing or older one serves stale English."""
    po = ROOT / catalogue
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
        f"{mo.relative_to(ROOT)} is missing or older than its .po: run `make messages`"
    )


# --- the scripts' messages ------------------------------------------------------------------

JS_GETTEXT = re.compile(r'gettext\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
JS_COMMENT = re.compile(r"^\s*//.*$|/\*.*?\*/", re.M | re.S)
HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


def test_every_korean_message_of_the_scripts_is_in_the_catalogue():
    """The scripts show Korean only through ``gettext("…")`` of a message listed in
    ``config/js_messages.py`` (whose strings the catalogue translates); no other Korean."""
    from config.js_messages import MESSAGES

    unlisted, loose = [], []
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        code = JS_COMMENT.sub("", path.read_text(encoding="utf-8"))
        for message in JS_GETTEXT.findall(code):
            if message not in MESSAGES:
                unlisted.append(f"{path.name}: {message}")
        for line in JS_GETTEXT.sub("", code).splitlines():
            if HANGUL.search(line):
                loose.append(f"{path.name}: {line.strip()}")
    assert not unlisted, "add to config/js_messages.py:\n" + "\n".join(unlisted)
    assert not loose, "Korean outside gettext() in the scripts:\n" + "\n".join(loose)


def test_an_english_page_carries_the_scripts_messages_a_korean_page_does_not(client, db):
    from django.urls import reverse

    assert 'id="js-messages"' not in client.get(reverse("login")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("login")).content.decode()
    assert 'id="js-messages"' in page
    assert "Saving\\u2026" in page  # json_script escapes non-ASCII
