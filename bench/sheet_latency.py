"""Latency of the score sheet and its autosave under load, as a ratio to a one-query view.

Creates a throw-away PostgreSQL database (127.0.0.1:5432, user postgres, or --pg), migrates it,
seeds a cycle on the 19-item seed rubric with one application (evidence rows for every item)
and N evaluators (one per client) who signed the pledge, declared no conflict and scored half
of their sheet. Starts gunicorn (config.wsgi) on 127.0.0.1 with persistent database
connections (DB_CONN_MAX_AGE=60, as in production), DEBUG off and no Celery broker, so
``/healthz`` runs exactly one query (``SELECT 1``) and no broker check. Each client logs in
through the real log-in page as its own evaluator.

The requests (``--clients`` threads in a closed loop, a new HTTP connection per request,
stdlib ``http.client``; each phase runs ``--seconds`` after a short warm-up):

- ``healthz``: ``GET /healthz`` (the trivial one-query view);
- ``sheet``: ``GET /sheets/<pk>/`` (the evaluator's whole score sheet);
- ``autosave``: ``POST /sheets/<pk>/items/<code>/`` as htmx sends it, cycling through the
  items, alternating the grade so every save is a real change, carrying the version the
  previous save returned.

A. one kind at a time: three phases, all clients sending the same request (the strict
   reading: the server is saturated by that request alone);
B. mixed: every client cycles healthz → sheet → autosave, so the kinds share one queue (what
   a health probe sees in production).

Prints p50/p95/p99 per kind and the p95 ratios sheet/healthz (goal ≤ 3×) and
autosave/healthz (goal ≤ 2×) for both. Drops the database and stops gunicorn at the end,
whatever happens. Exits 1 if a request failed (or, with ``--strict``, if a goal of A was
missed).

    .venv/bin/python bench/sheet_latency.py [--clients 20] [--seconds 15] \
        [--workers 4] [--worker-class sync|gthread] [--threads 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "bench-pass-1234!"
GOALS = {"sheet": 3.0, "autosave": 2.0}
VERSION_RE = re.compile(rb'name="version" value="(\d+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the throw-away database -----------------------------------------------------------------


def admin_connection(pg: str):
    import psycopg2

    conn = psycopg2.connect(pg)
    conn.autocommit = True
    return conn


def create_database(pg: str, name: str) -> str:
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

SEED = """
import json
import django
django.setup()
from datetime import date, timedelta
from decimal import Decimal
from django.utils import timezone
import indicators.demo
from evaluation import services
from evaluation.models import Evidence, EvidenceFile, Stage
from evaluation.services.assignment import assignment_create, conflict_declare, pledge_sign
from evaluation.services.sheet import score_record
from institutions.models import Institution, User
from institutions.roles import Role
from institutions.services import membership_add, roles_sync, user_grant_role
from indicators.models import Item

N, PASSWORD = {n}, {password!r}
roles_sync()
admin = User.objects.create_user(username="bench-admin", password=PASSWORD)
user_grant_role(user=admin, role=Role.ADMIN)
member = User.objects.create_user(username="bench-inst", password=PASSWORD)
user_grant_role(user=member, role=Role.INSTITUTION)
inst = Institution.objects.create(
    name="벤치기관", business_number="1234567891", type="wide", registered_on=date(2015, 1, 1)
)
membership_add(user=member, institution=inst)
version = indicators.demo.seed()
cycle = services.cycle_create(
    by=admin, title="bench", slug="bench", rubric_version=version,
    reference_date=date(2026, 1, 1), evidence_deadline=timezone.now() + timedelta(days=1),
    pass_threshold=Decimal("700"),
)
cycle = services.cycle_advance_stage(cycle=cycle, by=admin, expected_stage=Stage.ANNOUNCEMENT)
app = services.application_create(cycle=cycle, institution=inst, by=member)
items = list(
    Item.objects.filter(version=version).select_related("indicator", "version")
    .order_by("indicator__area__order", "indicator__order", "order")
)
evidences = Evidence.objects.bulk_create(
    Evidence(application=app, item=item, narrative=item.code + " 관련 자료를 첨부합니다.")
    for item in items
)
EvidenceFile.objects.bulk_create(
    EvidenceFile(
        evidence=e, application=app, original_name=e.item.code + f"_증빙{{k}}.pdf",
        storage_key=f"bench/{{e.pk}}-{{k}}", size=15000 + k, sha256=f"{{e.pk:032d}}{{k:032d}}",
        kind="pdf", uploaded_by=member,
    )
    for e in evidences for k in range(2)
)
out = []
for n in range(N):
    ev = User.objects.create_user(username=f"bench-ev{{n:02d}}", password=PASSWORD)
    user_grant_role(user=ev, role=Role.EVALUATOR)
    a = assignment_create(application=app, evaluator=ev, by=admin)
    pledge_sign(cycle=cycle, evaluator=ev, ip=None)
    a = conflict_declare(assignment=a, conflict=False, by=ev)
    versions = {{}}
    for item in items[: len(items) // 2]:
        row = score_record(assignment=a, item=item, by=ev, version=0, entry="A",
                           strength="처음 의견")
        versions[item.code] = row.version
    out.append({{"username": ev.username, "assignment": a.pk, "versions": versions}})
print(json.dumps({{"evaluators": out, "items": [i.code for i in items]}}))
"""


def seed(env: dict, n: int) -> dict:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    script = SEED.format(n=n, password=PASSWORD)
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- HTTP ------------------------------------------------------------------------------------


class Session:
    """One logged-in evaluator: cookies, the CSRF token, the row versions it has seen."""

    def __init__(self, host: str, port: int, username: str, assignment: int, versions: dict):
        self.host, self.port = host, port
        self.username, self.assignment = username, assignment
        self.versions = dict(versions)
        self.cookies: dict[str, str] = {}
        self.offset = 0

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        all_headers = {"Connection": "close", "Host": f"{self.host}:{self.port}"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        conn.close()
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


def run_phase(sessions, make_request, seconds: float, warmup: float):
    """Closed loop: every session sends its next request as soon as the previous one is
    answered. ``make_request(session, n)`` returns (kind, ok, why). Returns the latencies (s)
    per kind measured after the warm-up, and the failures."""
    latencies: dict[str, list[float]] = {}
    failures: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    def loop(session):
        mine: dict[str, list[float]] = {}
        bad = []
        n = 0
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                break
            kind, ok, why = make_request(session, n)
            ended = time.perf_counter()
            n += 1
            if began >= measure_from:
                mine.setdefault(kind, []).append(ended - began)
                if not ok:
                    bad.append(why)
        with lock:
            for kind, values in mine.items():
                latencies.setdefault(kind, []).extend(values)
            failures.extend(bad)

    threads = [threading.Thread(target=loop, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures


def healthz(session, n):
    status, body, _ = session.request("GET", "/healthz")
    return "healthz", status == 200, f"healthz {status}"


def sheet(session, n):
    status, body, _ = session.request("GET", f"/sheets/{session.assignment}/")
    return "sheet", status == 200 and b"score-form" in body, f"sheet {status}"


def make_autosave(items: list[str]):
    def autosave(session, n):
        code = items[n % len(items)]
        version = session.versions.get(code, 0)
        grade = "B" if (n // len(items)) % 2 == 0 else "A"
        body = urllib.parse.urlencode(
            {"version": version, "grade": grade, "strength": f"벤치 의견 {n}", "improvement": ""}
        ).encode()
        status, data, _ = session.request(
            "POST",
            f"/sheets/{session.assignment}/items/{code}/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": session.cookies.get("csrftoken", ""),
                "HX-Request": "true",
            },
        )
        match = VERSION_RE.search(data)
        if status == 200 and match:
            session.versions[code] = int(match.group(1))
            return "autosave", True, ""
        return "autosave", False, f"autosave {code} {status}: {data[:200]!r}"

    return autosave


def make_mixed(autosave):
    """Every client cycles healthz → sheet → autosave, offset by its index, so the three
    kinds are always in flight together and share one queue."""
    kinds = [healthz, sheet, autosave]

    def mixed(session, n):
        return kinds[(n + session.offset) % 3](session, n // 3)

    return mixed


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured time per phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured start per phase")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="per worker, for gthread")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when an isolated-phase goal is missed"
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="an admin connection used to create and drop the throw-away database",
    )
    args = parser.parse_args()

    name = f"certeval_bench_sheet_{os.getpid()}_{int(time.time())}"
    work = Path(tempfile.mkdtemp(prefix="certeval-bench-sheet-"))
    server = None
    created = False
    try:
        url = create_database(args.pg, name)
        created = True
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "APP_ENV": "development",
            "DEBUG": "0",
            "DATABASE_URL": url,
            "DB_CONN_MAX_AGE": "60",
            "CELERY_BROKER_URL": "",
            "VAR_DIR": str(work / "var"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        print(f"database {name}: migrating and seeding {args.clients} evaluators …", flush=True)
        data = seed(env, args.clients)

        port = free_port()
        command = [
            str(Path(PYTHON).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--log-level",
            "warning",
            "--backlog",
            "256",
        ]
        if args.worker_class == "gthread":
            command += ["--threads", str(args.threads)]
        server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        host = "127.0.0.1"
        probe = Session(host, port, "", 0, {})
        for _ in range(300):
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited early")
            try:
                if probe.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not answer /healthz")

        sessions = [
            Session(host, port, ev["username"], ev["assignment"], ev["versions"])
            for ev in data["evaluators"]
        ]
        for s in sessions:
            s.log_in()
        status, body, _ = sessions[0].request("GET", "/healthz")
        print(f"/healthz says: {body.decode()}")

        worker = args.worker_class + (
            f" × {args.threads} threads" if args.worker_class == "gthread" else ""
        )
        print(
            f"gunicorn: {args.workers} {worker} workers · {args.clients} concurrent clients · "
            f"{args.seconds:g} s per phase after {args.warmup:g} s warm-up · "
            f"{os.cpu_count()} CPUs (clients and server share them)"
        )
        autosave = make_autosave(data["items"])
        for i, s in enumerate(sessions):
            s.offset = i
        failed = False
        header = f"{'phase':<20}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"

        def show(label, values):
            print(
                f"{label:<20}{len(values):>9}{len(values) / args.seconds:>8.0f}"
                f"{statistics.median(values) * 1000:>9.1f}{pct(values, 95) * 1000:>9.1f}"
                f"{pct(values, 99) * 1000:>9.1f}",
                flush=True,
            )

        def ratios(results, title):
            base = pct(results["healthz"], 95)
            missed = False
            for label, goal in GOALS.items():
                ratio = pct(results[label], 95) / base
                verdict = "ok" if ratio <= goal else "MISSED"
                missed |= ratio > goal
                print(f"  {title}: p95 {label}/healthz = {ratio:.2f}× (goal ≤ {goal:g}×) {verdict}")
            return missed

        print("\nA. one kind at a time (each phase: all clients send the same request)")
        print(header)
        isolated = {}
        for fn in (healthz, sheet, autosave):
            latencies, failures = run_phase(sessions, fn, args.seconds, args.warmup)
            (label,) = latencies
            isolated[label] = latencies[label]
            show(label, latencies[label])
            if failures:
                failed = True
                print(f"  {len(failures)} failed, e.g. {failures[0]}")
        missed = ratios(isolated, "isolated")

        print("\nB. mixed (every client cycles healthz → sheet → autosave: one shared queue)")
        print(header)
        latencies, failures = run_phase(sessions, make_mixed(autosave), args.seconds, args.warmup)
        for label in ("healthz", "sheet", "autosave"):
            show(label, latencies[label])
        if failures:
            failed = True
            print(f"  {len(failures)} failed, e.g. {failures[0]}")
        ratios(latencies, "mixed")
        if args.strict:
            failed |= missed
        return 1 if failed else 0
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if created:
            drop_database(args.pg, name)
            print(f"database {name} dropped")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
