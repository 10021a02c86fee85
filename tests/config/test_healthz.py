import json
import socket

import pytest
from django.test import Client
from django.urls import reverse


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz_ok_with_database_and_eager_broker(db, settings):
    settings.CELERY_BROKER_URL = ""
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["detail"].startswith("eager")


def test_healthz_503_when_broker_is_down(db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_free_port()}/0"
    response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_healthz_503_when_database_is_down(db, monkeypatch, settings):
    settings.CELERY_BROKER_URL = ""
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", broken_cursor)
        response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == {"ok": False, "detail": "OperationalError"}


@pytest.mark.services
def test_healthz_with_real_redis(db, settings, redis_url):
    settings.CELERY_BROKER_URL = redis_url
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["broker"] == {"ok": True, "detail": "ok"}


@pytest.mark.services
def test_suite_runs_on_postgresql_when_database_url_says_so(db, postgres_required):
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        assert cursor.fetchone()[0] >= 120000


def test_healthz_is_get_only(db):
    assert Client().post(reverse("healthz")).status_code in (403, 405)
