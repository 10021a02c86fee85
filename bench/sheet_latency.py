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
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from _common import (
    DEFAULT_PG,
    ROOT,
    Session,
    create_database,
    drop_database,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    gunicorn_wait,
    pct,
    seed,
)

GOALS = {"sheet": 3.0, "autosave": 2.0}
VERSION_RE = re.compile(rb'name="version" value="(\d+)"')


# --- HTTP ------------------------------------------------------------------------------------


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
        default=os.environ.get("BENCH_PG_URL", DEFAULT_PG),
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
        server = gunicorn_start(
            env,
            port,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.threads,
        )
        host = "127.0.0.1"
        gunicorn_wait(server, Session(host, port, "", 0, {}))

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
        gunicorn_stop(server)
        if created:
            drop_database(args.pg, name)
            print(f"database {name} dropped")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
