"""The application under test as a real server (gunicorn on a free port) and a browser-like
HTTP client for it: log-in with the CSRF cookie, then htmx requests with ``X-CSRFToken``.

The server is a subprocess so that it talks to whatever ``DATABASE_URL`` the test gives it
(a private PostgreSQL cluster), not to the test run's own database. ``appctl`` seeds and
inspects that database from another subprocess.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

from .private import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
HTMX = {"HX-Request": "true"}


def app_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """A production-like environment (DEBUG off, persistent connections with health checks)
    on ``database_url``. Tasks run in-process: nothing here may reach the shared Redis."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "60",
        "DEBUG": "0",
        "SECRET_KEY": "fault-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_BROKER_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "STORAGE_BACKEND": "local",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def appctl(command: str, env: dict[str, str]) -> dict:
    """Run ``python -m tests.faults.appctl <command>`` and return the JSON it prints."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.appctl", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise AssertionError(f"appctl {command} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    [line] = [x for x in done.stdout.splitlines() if x.startswith("{")][-1:]
    return json.loads(line)


class AppServer:
    """``gunicorn config.wsgi`` (sync workers, like docker-compose's web service)."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2) -> None:
        self.env, self.log, self.workers = env, log, workers
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped whole
        )
        wait_for_port(self.port, 30, "gunicorn")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


class Browser:
    """One logged-in session, as the evaluator's browser holds it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def login(self, username: str, password: str) -> None:
        self.http.get(f"{self.base}/accounts/login/", timeout=10).raise_for_status()
        response = self.http.post(
            f"{self.base}/accounts/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.http.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:2000]

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(f"{self.base}{path}", allow_redirects=False, timeout=30, **kwargs)

    def post(self, path: str, data: dict, *, htmx: bool = False) -> requests.Response:
        headers = {"X-CSRFToken": self.http.cookies["csrftoken"], **(HTMX if htmx else {})}
        return self.http.post(
            f"{self.base}{path}", data=data, headers=headers, allow_redirects=False, timeout=30
        )


def fragment_version(html: str) -> int:
    """The row version an autosave fragment puts back into the item's form."""
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, html[:2000]
    return int(found.group(1))


def page_versions(html: str) -> dict[str, int]:
    """Each item form's version on the sheet page (``data-sheet-item`` → hidden version)."""
    versions = {}
    for chunk in html.split('data-sheet-item="')[1:]:
        code = chunk.split('"', 1)[0]
        versions[code] = fragment_version(chunk)
    return versions
