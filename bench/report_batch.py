"""A batch of 100 결과보고서 (one ZIP) rendered by 1 Celery worker, then by 2 workers.

Needs PostgreSQL and Redis (like CI). Creates a scratch database on the PostgreSQL server in
BENCH_POSTGRES_URL (default ``postgres://postgres@127.0.0.1:5432/postgres``) and drops it
afterwards; uses Redis database 6 of BENCH_REDIS_URL (default ``redis://127.0.0.1:6379``),
flushed before and after. Seeds the shipped rubric and a cycle of N institutions × 3 evaluators
× 19 items, then for each configuration: removes every report, starts the workers (separate
``celery -A config worker --concurrency=1`` processes, prefetch 1, acks late -- the production
settings), requests the batch through the same service the page uses, and times it from the
request to the ZIP being stored. Prints both times, the speed-up (goal ≥ 1.8×), and the
machine's CPU count and load, which bound the speed-up.

    .venv/bin/python bench/report_batch.py [--reports 100]

Without PostgreSQL or Redis it says so and exits 0 (``make bench`` runs every script).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CELERY = str(Path(sys.executable).with_name("celery"))
GOAL = 1.8


def scratch_database(server_url: str) -> tuple[str, callable]:
    import psycopg2

    name = f"certeval_bench_reports_{os.getpid()}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()

    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", "")), drop


def start_workers(n: int, env: dict, log_dir: Path) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        log = (log_dir / f"worker-{i}.log").open("w")
        procs.append(
            subprocess.Popen(
                [
                    CELERY,
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=WARNING",
                    "--pool=prefork",
                    "--concurrency=1",
                    f"--hostname=bench{i}-{uuid.uuid4().hex[:6]}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return procs


def wait_ready(env: dict, n: int, timeout: float = 90) -> None:
    """Ping until ``n`` workers answer (each has finished booting Django and WeasyPrint)."""
    from config.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= n:
            return
    raise SystemExit(f"{n} worker(s) did not start in {timeout}s")


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100)
    args = parser.parse_args()
    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/") + "/6"
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
        database_url, drop = scratch_database(server)
    except Exception as exc:  # a missing service is reported, not a failure
        print(f"report_batch: skipped, needs PostgreSQL and Redis ({type(exc).__name__}: {exc})")
        return 0
    var_dir = tempfile.mkdtemp(prefix="bench-batch-")
    try:
        os.environ.update(
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=redis_url,
            CELERY_TASK_ALWAYS_EAGER="0",
            VAR_DIR=var_dir,
            DJANGO_SETTINGS_MODULE="config.settings",
        )
        redis.Redis.from_url(redis_url).flushdb()
        return run(args.reports, Path(var_dir))
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        drop()
        redis.Redis.from_url(redis_url).flushdb()
        shutil.rmtree(var_dir, ignore_errors=True)


def run(n_reports: int, var_dir: Path) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import operations.demo.rubric
    from institutions.models import User
    from reports import services
    from reports.models import Report
    from tests.factories import scored_cycle

    admin = User.objects.create_superuser("bench-admin", password=None)
    t0 = time.perf_counter()
    cycle, apps = scored_cycle(operations.demo.rubric.seed(), n_applications=n_reports, admin=admin)
    print(f"seeded {len(apps)} scored applications in {time.perf_counter() - t0:.1f} s")

    media = Path(settings.MEDIA_ROOT)
    env = {**os.environ}
    timings: dict[int, dict] = {}
    for n_workers in (1, 2):
        Report.parts.through.objects.all().delete()
        Report.objects.all().delete()
        shutil.rmtree(media / "reports", ignore_errors=True)
        procs = start_workers(n_workers, env, var_dir)
        try:
            wait_ready(env, n_workers)
            load_before = os.getloadavg()[0]
            t0 = time.perf_counter()
            batch = services.report_request_batch(cycle=cycle, by=admin)
            while True:
                batch.refresh_from_db()
                if batch.is_finished:
                    break
                time.sleep(0.2)
            elapsed = time.perf_counter() - t0
        finally:
            stop_workers(procs)
        assert batch.status == "done", batch.error
        parts = list(batch.parts.all())
        assert len(parts) == n_reports and all(p.attempts == 1 for p in parts)
        busy = sum((p.finished_at - p.started_at).total_seconds() for p in parts)
        timings[n_workers] = {
            "elapsed": elapsed,
            "busy": busy,
            "load": load_before,
            "zip_mb": batch.size / 1e6,
        }
        print(
            f"{n_workers} worker(s): {n_reports} reports + ZIP in {elapsed:6.1f} s "
            f"({elapsed / n_reports * 1000:.0f} ms per report wall; mean render "
            f"{busy / n_reports * 1000:.0f} ms inside a task; ZIP {batch.size / 1e6:.1f} MB; "
            f"load average at start {load_before:.2f})"
        )
    speedup = timings[1]["elapsed"] / timings[2]["elapsed"]
    print(f"speed-up 2 workers / 1 worker: {speedup:.2f}×  (goal ≥ {GOAL}×)")
    print(
        f"CPUs: {os.cpu_count()}; a render is CPU-bound Python (WeasyPrint layout), one core "
        "per worker process; per-render time with 2 workers vs 1: "
        f"{timings[2]['busy'] / timings[1]['busy']:.2f}×"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
