"""Any page whose database is unreachable answers a handled 503 in Korean (config/middleware.py),
not a 500 -- a page for a plain request, a fragment for htmx. Other errors are not caught."""

import pytest
from django.db import InterfaceError, OperationalError

import config.views

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "error", [OperationalError("connection refused"), InterfaceError("connection already closed")]
)
def test_a_page_whose_database_is_gone_answers_503_in_korean(
    error, manager, client_for, monkeypatch
):
    def gone(user):
        raise error

    monkeypatch.setattr(config.views, "home_sections", gone)
    response = client_for(manager).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "데이터베이스에 잠시 연결할 수 없어 요청을 처리하지 못했습니다" in html


def test_other_errors_are_not_turned_into_503(manager, client_for, monkeypatch):
    def broken(user):
        raise ValueError("a bug")

    monkeypatch.setattr(config.views, "home_sections", broken)
    with pytest.raises(ValueError, match="a bug"):
        client_for(manager).get("/")


def test_an_outage_met_in_a_middleware_answers_503_too(manager, client_for, monkeypatch):
    """The idle time-out middleware reads the user (and so the session) before any view runs:
    an outage there reaches handler500, which answers the same 503 (seen in the PostgreSQL
    restart fault test)."""
    from django.contrib.sessions.backends.db import SessionStore

    client = client_for(manager)
    client.raise_request_exception = False

    def gone(self):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(SessionStore, "load", gone)
    response = client.get("/")
    assert response.status_code == 503
    assert "데이터베이스에 잠시 연결할 수 없어" in response.content.decode()


def test_other_errors_in_a_middleware_keep_the_500_page(manager, client_for, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    client = client_for(manager)
    client.raise_request_exception = False

    def broken(self):
        raise ValueError("a bug")

    monkeypatch.setattr(SessionStore, "load", broken)
    assert client.get("/").status_code == 500
