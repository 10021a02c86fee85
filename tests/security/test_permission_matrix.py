"""The permission matrix: every URL of the URLconf, requested as every persona, against the
table in ``expectations.py``.

The URLs come from walking the URLconf itself (``world.walk_urls``), so a new view cannot
escape: its name must be in the table and its kwargs must be fillable from the world, or the
matrix fails. Each case runs in a savepoint that is rolled back (see ``conftest.py``).
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from .conftest import CASES, rolled_back
from .expectations import EXPECTED, LOGIN, NOT_FOUND, OK
from .world import PERSONAS, url_for, walk_urls

pytestmark = pytest.mark.django_db

ROUTES = walk_urls()
# A floor, so that a broken walk (an include dropped, a namespace skipped) cannot pass with a
# handful of cases. Lower it only when URLs are removed on purpose.
MIN_ROUTES = 75
CHECKED: dict[str, int] = {}  # URL name -> cases checked in this run


@pytest.fixture(autouse=True)
def _uploads_in_tmp(world):
    """Instead of the suite's per-test media dir: this module's world keeps its files in one
    temporary directory for all its tests (see conftest.world)."""
    return world.media


def _route_id(route) -> str:
    return route.name or route.route


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_matrix(route, world):
    assert route.name, f"URL {route.route!r} has no name: name it and add it to EXPECTED"
    assert route.name in EXPECTED, (
        f"{route.name} ({route.route}) is missing from EXPECTED in tests/security/"
        "expectations.py: state what each persona gets there"
    )
    url = url_for(route, world)  # an unfillable URL fails here, never skips
    problems, checked = [], 0
    try:
        for method, outcomes, headers in EXPECTED[route.name].cases():
            for persona in PERSONAS:
                with rolled_back():
                    client = world.clients[persona]
                    response = getattr(client, method)(url, headers=headers)
                checked += 1
                problem = outcomes[persona].mismatch(response, url)
                if problem:
                    kind = f"{method.upper()}{' (htmx)' if headers else ''}"
                    problems.append(f"{kind} {url} as {persona}: {problem}")
    finally:
        CHECKED[route.name] = checked
        CASES["matrix"] += checked
    assert not problems, f"{route.name}:\n" + "\n".join(problems)


def test_table_names_only_existing_urls():
    stale = sorted(set(EXPECTED) - {r.name for r in ROUTES})
    assert not stale, f"EXPECTED names URLs that no longer exist: {stale}"


def test_every_persona_is_let_in_somewhere_and_denied_somewhere():
    """A persona never let in (or never denied) means the world or the table is wrong."""
    for persona in PERSONAS:
        outcomes = [rule.get[persona] for rule in EXPECTED.values()]
        assert OK in outcomes, persona
        assert (LOGIN if persona == "anonymous" else NOT_FOUND) in outcomes, persona


# --- an excluded assignment is closed to its own evaluator -----------------------------------

ASSIGNMENT_ROUTES = [r for r in ROUTES if re.search(r"(assignments|sheets)/<int:pk>/", r.route)]


@pytest.mark.parametrize("route", ASSIGNMENT_ROUTES, ids=_route_id)
def test_excluded_assignment_is_closed_to_its_own_evaluator(route, world):
    """회피 (a declared conflict) excludes the assignment: on every page and action keyed by
    it, its own evaluator gets what an outsider gets."""
    assert route.name in EXPECTED, route.name
    rule = EXPECTED[route.name]
    url = url_for(route, world, pk=world.conflicted_assignment.pk)
    client = world.clients["conflicted_evaluator"]
    for method, outsider in (
        ("get", rule.get["other_member"]),
        ("post", rule.post["other_member"]),
    ):
        with rolled_back():
            response = getattr(client, method)(url)
        CASES["matrix"] += 1
        problem = outsider.mismatch(response, url)
        assert not problem, f"{method.upper()} {url}: {problem}"


# --- what a page links to, the persona may open -----------------------------------------------

HREF = re.compile(r"<a\b[^>]*\bhref=\"([^\"#]*)", re.I)


def test_pages_link_only_where_the_persona_may_go(world):
    """Every in-app link on every page a persona can open leads somewhere that persona may
    go: a link to a 404 (or 403/405/500) is a leak of what exists, or a dead end."""
    dead, seen = [], {}
    for route in ROUTES:
        if route.name not in EXPECTED:
            continue  # test_matrix reports it
        url = url_for(route, world)
        for persona in PERSONAS:
            client = world.clients[persona]
            with rolled_back():
                response = client.get(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            for href in set(HREF.findall(response.content.decode())):
                href = unescape(href)
                if not href.startswith("/") or href.startswith(("//", "/static/")):
                    continue
                if (persona, href) not in seen:
                    with rolled_back():
                        seen[persona, href] = client.get(href).status_code
                    CASES["matrix"] += 1
                if seen[persona, href] in (403, 404, 405) or seen[persona, href] >= 500:
                    dead.append(f"{persona} on {url}: {href} → {seen[persona, href]}")
    assert seen, "no links followed: the world renders no page?"
    assert not dead, "\n".join(sorted(set(dead)))


# Keep this test last: it reports the cases the tests above checked.
def test_case_count():
    missing = [r.name for r in ROUTES if r.name not in CHECKED]
    if missing:
        pytest.skip(f"run the whole module to count: {len(missing)} URLs not checked this run")
    total = sum(CHECKED.values())
    print(f"\npermission matrix: {total} cases, {len(ROUTES)} URLs × {len(PERSONAS)} personas")
    assert len(ROUTES) >= MIN_ROUTES
    assert total >= 2 * len(PERSONAS) * len(ROUTES)
