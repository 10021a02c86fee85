"""Every page of every role, in English: no Korean outside user and rubric data.

The pages are those of the permission matrix: the URLconf walked (``world.walk_urls``), its
kwargs filled from the same seeded world, requested with GET as every persona. A page that
answers 200 with HTML is read with ``hangul.hangul_outside_data``: Korean left outside
``translate="no"`` elements (and script/style) is an untranslated interface string -- a
template text without ``{% translate %}``, a Python string without ``gettext``, or a msgid
missing from the English catalogue (``test_catalogue``).

The Korean default is tested here too: ``Accept-Language: en`` alone changes nothing; the
switcher (``set_language``) sets the ``django_language`` cookie and comes back.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.security.conftest import rolled_back, world  # noqa: F401 (the fixture)
from tests.security.world import PERSONAS, url_for, walk_urls

from .hangul import hangul_outside_data

pytestmark = pytest.mark.django_db

ROUTES = walk_urls()
SEEN: dict[str, tuple[int, int, int]] = {}  # URL name -> (pages read, pages with Korean, leaks)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(world):  # noqa: F811
    """The world keeps its files in one directory for the module (see the security tests)."""
    return world.media


@pytest.fixture(scope="module")
def english(world):  # noqa: F811
    """One client per persona, logged in, with the switcher's cookie set to English."""
    clients = {}
    for persona in PERSONAS:
        client = Client()
        if persona != "anonymous":
            client.force_login(
                world.users[persona], backend="django.contrib.auth.backends.ModelBackend"
            )
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        clients[persona] = client
    return clients


def _html(response) -> bool:
    return response.status_code == 200 and "text/html" in response.get("Content-Type", "")


def english_leaks(url: str, clients: dict) -> tuple[int, list[tuple[str, str, str]]]:
    """(pages read, [(url, persona, Korean text)]) for ``url`` as every persona."""
    pages, leaks = 0, []
    for persona in PERSONAS:
        with rolled_back():
            response = clients[persona].get(url)
        if not _html(response):
            continue
        pages += 1
        html = response.content.decode()
        assert '<html lang="en"' in html or "<html" not in html, f"{url} as {persona}: not English"
        leaks += [(url, persona, text) for text in hangul_outside_data(html)]
    return pages, leaks


def _route_id(route) -> str:
    return route.name or route.route


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_page_is_english(route, world, english):  # noqa: F811
    url = url_for(route, world)
    pages, leaks = english_leaks(url, english)
    SEEN[route.name] = (pages, len({(u, p) for u, p, _ in leaks}), len(leaks))
    assert not leaks, f"Korean on the English page {url}:\n" + "\n".join(
        f"  {persona}: {text[:160]}" for _, persona, text in leaks
    )


def test_korean_is_the_default_whatever_the_browser_asks(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"})
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "로그인" in html
    assert response["Content-Language"] == "ko"


def test_an_unknown_cookie_language_falls_back_to_korean(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="ko">' in html


def test_the_switcher_sets_the_cookie_and_comes_back(client):
    login = reverse("login")
    page = client.get(login).content.decode()
    assert f'action="{reverse("set_language")}"' in page, "no switcher on the log-in page"
    assert 'value="en" lang="en"' in page
    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response.status_code == 302
    assert response["Location"] == login
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get(login)
    assert '<html lang="en">' in english.content.decode()
    assert english["Content-Language"] == "en"
    # and back to Korean
    client.post(reverse("set_language"), {"language": "ko", "next": login})
    assert '<html lang="ko">' in client.get(login).content.decode()


def test_the_switcher_is_in_the_top_bar(client, world):  # noqa: F811
    client.force_login(world.users["member"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("home")).content.decode()
    nav = page[page.index("<nav") : page.index("</nav>")]
    assert 'data-testid="language-switcher"' in nav


def test_the_language_does_not_outlive_the_request(client):
    """An English request leaves no English behind on the thread (eager tasks, e-mails)."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.get(reverse("login"))
    assert translation.get_language() == settings.LANGUAGE_CODE


# Keep this test last: it prints the figures of the tests above.
def test_leak_count():
    if len(SEEN) < len(ROUTES):
        pytest.skip("run the whole module to count")
    pages = sum(p for p, _, _ in SEEN.values())
    bad = sum(b for _, b, _ in SEEN.values())
    leaks = sum(n for _, _, n in SEEN.values())
    print(f"\nEnglish pages: {pages} pages × roles read, {bad} with Korean, {leaks} leaks")
    assert pages >= len(ROUTES)
