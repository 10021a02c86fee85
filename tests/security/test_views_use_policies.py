"""No view fetches a model except through its policy function (ADR 002, round two).

A view module that calls ``Model.objects`` (or ``_default_manager``) directly has written an
access rule of its own, or none: every read goes through the app's ``queries`` instead, where
``visible_<things>(user, action=...)`` is the one policy per object. This walks the syntax tree
of every view module of every app (``views.py``, ``views/*.py``, ``views_*.py``, sub-packages
such as ``institutions/people`` included) and fails on any such call, naming file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"tests", "migrations", "node_modules", "static", "templates", "bench", "scripts"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def _apps() -> list[Path]:
    """Every Django app or project package at the top of the repository."""
    return sorted(
        p
        for p in ROOT.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in SKIP
        if (p / "__init__.py").exists()
    )


def _is_view_module(path: Path) -> bool:
    return path.name == "views.py" or path.name.startswith("views_") or path.parent.name == "views"


def view_modules() -> list[Path]:
    found = []
    for app in _apps():
        for path in app.rglob("*.py"):
            parts = set(path.relative_to(ROOT).parts)
            if parts & SKIP or not _is_view_module(path):
                continue
            found.append(path)
    return sorted(found)


def direct_manager_calls(source: str) -> list[tuple[int, str]]:
    """(line, expression) of every ``X.objects`` / ``X._default_manager`` in ``source``."""
    return [
        (node.lineno, ast.unparse(node))
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS
    ]


def test_the_walk_finds_every_kind_of_view_module():
    names = {str(p.relative_to(ROOT)) for p in view_modules()}
    for expected in (
        "evaluation/views/assignment.py",
        "evaluation/views/sheet.py",
        "institutions/views.py",
        "institutions/people/views_admin.py",
        "reports/views.py",
        "notifications/views.py",
        "config/views.py",
    ):
        assert expected in names, f"{expected} is not walked"


def test_the_check_catches_a_direct_fetch():
    source = (
        "def view(request, pk):\n"
        "    a = Assignment.objects.get(pk=pk)\n"
        "    b = get_object_or_404(Challenge._default_manager.all(), pk=pk)\n"
        "    return visible_things(request.user).filter(pk=pk)\n"
    )
    assert direct_manager_calls(source) == [
        (2, "Assignment.objects"),
        (3, "Challenge._default_manager"),
    ]


def test_no_view_module_calls_a_model_manager():
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {expr}"
        for path in view_modules()
        for line, expr in direct_manager_calls(path.read_text(encoding="utf-8"))
    ]
    assert offences == [], (
        "views must fetch through their app's queries (visible_<things>(user, action=...)), "
        "not through a model manager:\n" + "\n".join(offences)
    )
