"""Helpers shared by the benchmarks that run the real server against PostgreSQL
(``sheet_latency.py``, ``load.py``): a throw-away database, the seeded cycle, gunicorn, and a
logged-in HTTP client. Not a benchmark itself (``make bench`` skips files starting with ``_``).

Django is never imported here: the data is made in a subprocess with the benchmark's own
environment (settings are read from environment variables), so the bench process stays a plain
HTTP client.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "bench-pass-1234!"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


# --- the throw-away database -----------------------------------------------------------------


def admin_connection(pg: str):
    import psycopg2

    conn = psycopg2.connect(pg)
    conn.autocommit = True
    return conn


def create_database(pg: str, name: str) -> str:
    """Create ``name`` on the server of the admin URL ``pg``; return its URL."""
    conn = admin_connection(pg)
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    parts = urllib.parse.urlsplit(pg)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(pg: str, name: str) -> None:
    conn = admin_connection(pg)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        conn.close()


# --- data ------------------------------------------------------------------------------------

# Run with ``python -c`` in the benchmark's environment; prints one JSON line.
SEED = """
import json
import django
django.setup()
from datetime import date, timedelta
from decimal import Decimal
from django.contrib.auth.hashers import make_password
from django.utils import timezone
import operations.demo.rubric
from evaluation import services
from evaluation.models import Evidence, EvidenceFile, Stage
from evaluation.services.assignment import assignment_create, conflict_declare, pledge_sign
from evaluation.services.sheet import score_record
from institutions.models import Institution, User
from institutions.roles import Role
from institutions.services import membership_add, roles_sync, user_grant_role
from indicators.models import Item

N, PER_APP, PRESCORED, PASSWORD = {n}, {per_application}, {prescored}, {password!r}
HASHED = make_password(PASSWORD)  # hashed once: PBKDF2 per user would dominate the set-up


def user(username, role):
    u = User(username=username, password=HASHED)
    u.save()
    user_grant_role(user=u, role=role)
    return u


def business_number(k):
    # 사업자등록번호 with a valid check digit (institutions.validators).
    nums = [int(c) for c in f"{{100000000 + k * 7919:09d}}"]
    total = sum(a * w for a, w in zip(nums, (1, 3, 7, 1, 3, 7, 1, 3, 5)))
    total += (nums[8] * 5) // 10
    return "".join(map(str, nums)) + str((10 - total % 10) % 10)


roles_sync()
admin = user("bench-admin", Role.ADMIN)
version = operations.demo.rubric.seed()
cycle = services.cycle_create(
    by=admin, title="bench", slug="bench", rubric_version=version,
    reference_date=date(2026, 1, 1), evidence_deadline=timezone.now() + timedelta(days=1),
    pass_threshold=Decimal("700"),
)
cycle = services.cycle_advance_stage(cycle=cycle, by=admin, expected_stage=Stage.ANNOUNCEMENT)
items = list(
    Item.objects.filter(version=version).select_related("indicator", "version")
    .order_by("indicator__area__order", "indicator__order", "order")
)


def application(k):
    member = user(f"bench-inst{{k:02d}}", Role.INSTITUTION)
    inst = Institution.objects.create(
        name=f"벤치기관{{k:02d}}", business_number=business_number(k), type="wide",
        registered_on=date(2015, 1, 1),
    )
    membership_add(user=member, institution=inst)
    app = services.application_create(cycle=cycle, institution=inst, by=member)
    evidences = Evidence.objects.bulk_create(
        Evidence(application=app, item=item, narrative=item.code + " 관련 자료를 첨부합니다.")
        for item in items
    )
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            evidence=e, application=app, original_name=e.item.code + f"_증빙{{j}}.pdf",
            storage_key=f"bench/{{e.pk}}-{{j}}", size=15000 + j,
            sha256=f"{{e.pk:032d}}{{j:032d}}", kind="pdf", uploaded_by=member,
        )
        for e in evidences for j in range(2)
    )
    return app


apps = [application(k) for k in range((N + PER_APP - 1) // PER_APP)]
# Scoring happens on submitted applications in 서류심사: through the gates (ADR 011).
for submitted in apps:
    services.application_transition(application=submitted, to="submitted", by=admin)
cycle = services.cycle_advance_to(
    cycle=cycle, by=admin, to=Stage.DOCUMENT_REVIEW, reason="벤치마크: 신청 조기 마감"
)
out = []
for n in range(N):
    app = apps[n // PER_APP]
    ev = user(f"bench-ev{{n:02d}}", Role.EVALUATOR)
    a = assignment_create(application=app, evaluator=ev, by=admin)
    pledge_sign(cycle=cycle, evaluator=ev, ip=None)
    a = conflict_declare(assignment=a, conflict=False, by=ev)
    versions = {{}}
    for item in items[: round(len(items) * PRESCORED)]:
        row = score_record(assignment=a, item=item, by=ev, version=0, entry="A",
                           strength="처음 의견")
        versions[item.code] = row.version
    out.append({{"username": ev.username, "assignment": a.pk, "versions": versions}})
print(json.dumps({{"evaluators": out, "items": [i.code for i in items]}}))
"""


def seed(env: dict, n: int, *, per_application: int | None = None, prescored=0.5) -> dict:
    """Migrate, then seed a cycle on the 19-item seed rubric: ``n`` evaluators (password
    ``PASSWORD``) who signed the pledge and declared no conflict, ``per_application`` of them
    on each application (default: all on one), each application with evidence (a narrative
    and two file rows) for every item; each evaluator has scored the first ``prescored``
    share of the items (grade A). Returns ``{"evaluators": [{"username", "assignment",
    "versions"}], "items": [code, …]}``."""
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    script = SEED.format(
        n=n, per_application=per_application or n, prescored=prescored, password=PASSWORD
    )
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the server ------------------------------------------------------------------------------


def gunicorn_start(
    env: dict,
    port: int,
    *,
    workers: int,
    worker_class: str = "sync",
    threads: int = 1,
    log=None,
) -> subprocess.Popen:
    """gunicorn (config.wsgi) on 127.0.0.1:``port`` in its own process group; ``log`` is a
    file for its output (default: inherited)."""
    command = [
        str(Path(PYTHON).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--log-level",
        "warning",
        "--backlog",
        "256",
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log
    )


def gunicorn_wait(server: subprocess.Popen, probe: Session, timeout: float = 30) -> None:
    """Wait until ``/healthz`` answers 200 (raises if gunicorn exits or never answers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            if probe.request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /healthz")


def gunicorn_stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- HTTP ------------------------------------------------------------------------------------


class Session:
    """One logged-in evaluator: cookies, the CSRF token, the row versions it has seen.

    One new connection per request (``Connection: close``; gunicorn's sync workers do not
    keep connections alive anyway). ``headers`` are sent with every request."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        assignment: int,
        versions: dict,
        headers: dict | None = None,
    ):
        self.host, self.port = host, port
        self.username, self.assignment = username, assignment
        self.versions = dict(versions)
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.offset = 0

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        all_headers = {"Connection": "close", "Host": f"{self.host}:{self.port}", **self.headers}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data, dict(response.getheaders())

    def log_in(self) -> None:
        status, page, _ = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode(
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        status, _, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"log-in of {self.username} failed ({status})")
