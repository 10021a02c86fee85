"""Issue 15, finding 7: sessions lasted 14 days and survived closing the browser. Staff and
evaluators are now logged out after SESSION_IDLE_TIMEOUT minutes without a request, with a
warning page element a minute before, and their session ends with the browser."""

import pytest
from django.test import Client
from django.urls import reverse

from institutions import sessions

from ..conftest import PASSWORD


class Clock:
    def __init__(self, monkeypatch, start=1_800_000_000):
        self.t = start
        monkeypatch.setattr(sessions, "now", lambda: self.t)

    def advance(self, seconds):
        self.t += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _login(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("persona", ["admin_user", "manager", "evaluator"])
def test_staff_and_evaluators_are_logged_out_when_idle(persona, request, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 30
    client = _login(request.getfixturevalue(persona))
    assert client.session.get_expire_at_browser_close()
    clock.advance(30 * 60 - 1)
    assert client.get(reverse("home")).status_code == 200  # activity: the clock restarts
    clock.advance(30 * 60 - 1)
    assert client.get(reverse("home")).status_code == 200
    clock.advance(30 * 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"
    page = client.get(response["Location"])
    assert "30분 동안 사용하지 않아 자동으로 로그아웃되었습니다" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_institution_members_keep_the_ordinary_session(member, clock):
    client = _login(member)
    assert not client.session.get_expire_at_browser_close()
    clock.advance(3 * 60 * 60)
    assert client.get(reverse("home")).status_code == 200
    assert 'id="idle-warning"' not in client.get(reverse("home")).content.decode()


def test_the_time_out_is_configurable(evaluator, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 5
    client = _login(evaluator)
    clock.advance(5 * 60)
    assert client.get(reverse("home")).status_code == 302


def test_status_does_not_count_as_activity_and_extend_does(evaluator, clock):
    client = _login(evaluator)
    clock.advance(29 * 60)
    status = client.get(reverse("session_status")).json()
    assert status == {"authenticated": True, "remaining": 60}
    clock.advance(30)
    assert client.get(reverse("session_status")).json()["remaining"] == 30
    extended = client.post(reverse("session_extend")).json()
    assert extended == {"authenticated": True, "remaining": 30 * 60}
    clock.advance(29 * 60)
    assert client.get(reverse("home")).status_code == 200
    clock.advance(30 * 60)
    assert client.get(reverse("session_status")).json() == {
        "authenticated": False,
        "remaining": 0,
    }


def test_htmx_requests_are_told_to_go_to_the_login_page(evaluator, clock):
    client = _login(evaluator)
    clock.advance(31 * 60)
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"] == reverse("login")


def test_pages_carry_the_warning_with_the_servers_deadline(evaluator, clock):
    client = _login(evaluator)
    clock.advance(10 * 60 + 30)  # the stamp is renewed now (older than a minute)
    body = client.get(reverse("home")).content.decode()
    assert 'id="idle-warning"' in body and 'role="alertdialog"' in body
    assert 'data-remaining="1800"' in body
    assert "js/idle.js" in body
    clock.advance(40)  # within the minute: the stamp is not rewritten, the deadline shrinks
    body = client.get(reverse("home")).content.decode()
    assert 'data-remaining="1760"' in body
