"""Fixtures of the accessibility suite: Debian's Chromium (the e2e launch fixture), a browser
context logged in as a role in a language, and the terminal summary of every axe finding."""

from __future__ import annotations

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.conf import settings
from django.test import Client

from ..e2e.conftest import browser  # noqa: F401 -- the same Chromium launch as the e2e tests
from .axe import FAILING_IMPACTS, IMPACTS, TALLY

LANGUAGES = ("ko", "en")


def language_cookie(lang: str, url: str) -> dict:
    """The cookie Django's ``set_language`` (the switcher) sets: ``django_language``."""
    return {"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": url}


@pytest.fixture
def open_context(browser, live_server, monkeypatch):  # noqa: F811
    """``open_context(user, lang)``: a browser context logged in as ``user`` (None: nobody),
    its language chosen by the ``django_language`` cookie as the switcher sets it. The session
    is made on the server (``force_login``): the log-in form is tested in tests/e2e."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls beside Playwright
    contexts = []

    def open_(user, lang: str):
        # Reduced motion: Bootstrap then drops its colour transitions, so axe never measures a
        # button half-way between two states.
        context = browser.new_context(
            locale="ko-KR",
            base_url=live_server.url,
            accept_downloads=False,
            reduced_motion="reduce",
        )
        cookies = [language_cookie(lang, live_server.url)]
        if user is not None:
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookies.append(
                {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
            )
        context.add_cookies(cookies)
        context.add_init_script(script=AXE_SCRIPT)  # in every page before its own scripts
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()


def pytest_terminal_summary(terminalreporter):
    if not TALLY.pages:
        return
    write = terminalreporter.write_line
    terminalreporter.write_sep("-", "accessibility (axe-core, WCAG 2.1 A/AA + best practice)")
    write(f"{'role':<22}{'lang':<6}{'pages':>6}  " + "  ".join(f"{i:>9}" for i in IMPACTS))
    for (role, lang), counts in sorted(TALLY.by_role().items()):
        write(
            f"{role:<22}{lang:<6}{TALLY.pages[role, lang]:>6}  "
            + "  ".join(f"{counts[i]:>4} ({counts[i + ' nodes']:>2})" for i in IMPACTS)
        )
    write(
        "violations per impact (elements in brackets); failing: WCAG rules of impact "
        + " or ".join(FAILING_IMPACTS)
    )
    reported = [f for f in TALLY.findings if not f.fails]
    if reported:
        write(f"reported, not failing ({len(reported)}):")
        for finding in reported:
            write(f"  {finding}")
    if TALLY.skipped:
        write(f"not checked (not an HTML page): {len(TALLY.skipped)}")
        for line in TALLY.skipped:
            write(f"  {line}")
    write(f"browser time: {TALLY.seconds:.1f} s")
