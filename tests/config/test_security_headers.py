"""Every response carries the security headers; production cookies are Secure and HttpOnly."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from .test_settings import GOOD, ROOT, _manage


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("login", 302),  # a logged-in user is sent home
        ("home", 200),  # a role's page
        ("healthz", 200),  # JSON
        ("/no-such-page/", 404),  # an error page
        ("/django-admin/", 302),  # a redirect to the admin log-in
    ],
)
def test_security_headers_on_every_kind_of_response(client_for, evaluator, path, status):
    url = path if path.startswith("/") else reverse(path)
    response = client_for(evaluator).get(url)
    assert response.status_code == status
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert (
        "script-src 'self'" in csp
        and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_cookie_is_httponly_in_every_mode(evaluator):
    from ..conftest import PASSWORD

    client = Client()
    response = client.post(reverse("login"), {"username": evaluator.username, "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_production_cookies_are_secure_and_httponly():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ['SESSION_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', "
        "'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'DEBUG']}))"
    )
    env = {**GOOD, "DJANGO_SETTINGS_MODULE": "config.settings"}
    full_env = {k: v for k, v in os.environ.items() if k not in GOOD and k != "DEBUG"}
    full_env.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
        "DEBUG": False,
    }


def test_production_check_deploy_has_no_warnings_at_all():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", **GOOD)
    assert result.returncode == 0, result.stdout + result.stderr
