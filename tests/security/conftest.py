"""Fixtures of the permission matrix and the write-protection tests: one world per test
module (built once, rolled back at the end) and one client per persona. Every request case
runs in a savepoint that is rolled back, so a POST that succeeds leaves the world as it was
for the next case. A module that uses ``world`` also overrides the suite's per-test media
dir with ``world.media`` (``_uploads_in_tmp``), since the world's files outlive one test."""

from __future__ import annotations

from contextlib import contextmanager
from copy import deepcopy

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.utils.crypto import get_random_string

from .world import PERSONAS, build_world

# The count of request cases checked this session, printed in the terminal summary.
CASES = {"matrix": 0, "write protection": 0}


def pytest_terminal_summary(terminalreporter):
    checked = {k: v for k, v in CASES.items() if v}
    if checked:
        terminalreporter.write_sep("-", "security request cases checked")
        for name, count in checked.items():
            terminalreporter.write_line(f"{name}: {count}")


CSRF_SECRET = get_random_string(32)


class PersonaClient:
    """A CSRF-enforcing client for one persona. ``post`` sends a valid token (cookie and
    header) unless ``csrf=False``. Cookies are restored after every request, so a logout or
    a message cookie never leaks into the next case."""

    def __init__(self, user):
        self.user = user
        self.client = Client(enforce_csrf_checks=True)
        if user is not None:
            self.client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        self.client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
        self._cookies = deepcopy(self.client.cookies)

    def _send(self, method, url, data=None, *, csrf=True, **extra):
        headers = extra.pop("headers", {}) or {}
        if method == "post" and csrf:
            headers = {**headers, "X-CSRFToken": CSRF_SECRET}
        try:
            return getattr(self.client, method)(url, data or {}, headers=headers, **extra)
        finally:
            self.client.cookies = deepcopy(self._cookies)

    def get(self, url, **extra):
        return self._send("get", url, **extra)

    def post(self, url, data=None, **extra):
        return self._send("post", url, data, **extra)


@contextmanager
def rolled_back():
    """Run the block in a savepoint and undo whatever it wrote."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("security-media")
    upload_tmp = tmp_path_factory.mktemp("security-upload-tmp")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": None},
        },
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            STORAGES=storages,
            FILE_UPLOAD_TEMP_DIR=str(upload_tmp),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        outer = transaction.atomic()  # the tests' own atomics (pytest-django) nest inside
        outer.__enter__()
        try:
            built = build_world()
            built.media = media
            built.clients.update(
                (name, PersonaClient(None if name == "anonymous" else built.users[name]))
                for name in PERSONAS
            )
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
