"""Every page of every role, in Korean and in English, through axe-core in Chromium.

The pages come from walking the URLconf with the permission matrix's world
(``tests/security/world.py``): for each role, every URL whose GET the matrix
(``tests/security/expectations.py``) says that role gets as a page (200). A new view is in the
matrix or the matrix fails, so a new page cannot escape this suite either. Responses that are
not an HTML document (files, SVG charts, JSON, htmx fragments) are listed as not checked;
fragments are checked inside the pages that show them.
"""

from __future__ import annotations

import time

import pytest

from ..security.expectations import EXPECTED, OK
from ..security.world import build_world, url_for, walk_urls
from .axe import BEYOND_AXE, TALLY, axe_run, failure_report
from .conftest import LANGUAGES, language_cookie

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# One persona per role: the matrix's outsiders (another institution's member, an evaluator
# assigned elsewhere or recused) are the same roles on the same templates with fewer objects.
ROLES = ("anonymous", "member", "evaluator", "manager", "admin_user")
ROUTES = walk_urls()


def pages_of(role: str) -> list:
    return [r for r in ROUTES if r.name in EXPECTED and EXPECTED[r.name].get[role] == OK]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role(role, open_context, live_server):
    """One browser context for the role: every page in Korean, then (the language cookie
    switched, as the switcher does) every page again in English."""
    world = build_world()
    context = open_context(None if role == "anonymous" else world.users[role], LANGUAGES[0])
    page = context.new_page()
    page.set_default_timeout(15_000)
    started, findings, problems = time.monotonic(), [], []
    for lang in LANGUAGES:
        context.add_cookies([language_cookie(lang, live_server.url)])
        checked = 0
        for route in pages_of(role):
            url = url_for(route, world)
            where = f"{role} {lang} {url}"
            try:
                response = page.goto(url, wait_until="load")
            except Exception as error:  # a file sent as an attachment
                if "Download is starting" not in str(error):
                    raise
                TALLY.skipped.append(f"{where}: download")
                continue
            if response.status != 200:  # the matrix says 200: the world or the page is broken
                problems.append(f"{where}: HTTP {response.status}")
                continue
            content_type = response.headers.get("content-type", "")
            if "text/html" not in content_type:
                TALLY.skipped.append(f"{where}: {content_type}")
                continue
            if not page.evaluate("!!document.querySelector('main')"):
                TALLY.skipped.append(f"{where}: a fragment (no <main>)")
                continue
            shown = page.evaluate("document.documentElement.lang")
            if shown != lang:
                problems.append(f"{where}: the page is in {shown!r}, not {lang!r}")
            problems += [f"{where}: {problem}" for problem in page.evaluate(BEYOND_AXE)]
            findings += axe_run(page, where)
            checked += 1
        TALLY.pages[role, lang] += checked
        assert checked, f"no page checked for {role} in {lang}"
    TALLY.seconds += time.monotonic() - started
    TALLY.findings += findings
    assert not problems, "\n".join(problems)
    failing = [f for f in findings if f.fails]
    assert not failing, failure_report(failing)
