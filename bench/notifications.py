"""Notifications for 1,000 applicants: the admin's request that issues a 결과통보-like notice
(rows only, goal <= 0.5 s), and the delivery rate to a local SMTP server.

Request timings (best of ``--repeats``, each in one transaction as the request's would be):
- ``one call``: ``notify(event="result_notified", recipients=<1,000 users>, mass=True)``;
- ``per object``: 1,000 ``notify`` calls, one per applicant, each about its own object with
  its own link (the objects here are the users themselves, so the query pattern is that of
  1,000 distinct objects);
- ``notify_each``: the same 1,000 per-object notices in one ``notify_each`` call (what a
  결과통보 to every application of a cycle should use).
Each line prints seconds, the ratio to the goal and the number of queries. DEBUG is off (as in
production: cached templates, no query log) unless the environment sets it.

Delivery (to aiosmtpd's Sink handler running as a separate process on a free loopback port):
- ``task loop``: the delivery task's function called in this process for all 1,000 rows,
  50 per call as ``dispatch`` chunks them;
- ``celery worker``: one real worker (``celery -A config worker --concurrency 1``) on Redis
  (if reachable) draining the released batch; measured from the release to the last row sent.

    .venv/bin/python bench/notifications.py                 # SQLite file in a temp directory
    DATABASE_URL=postgres://…/throwaway .venv/bin/python bench/notifications.py

DATABASE_URL must name a throwaway database: it is migrated and filled with bench data.
Exits 1 if a request timing exceeds the goal.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_SECONDS = 0.5
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_smtp_sink(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
        + ["-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("aiosmtpd did not start")


def setup_django(tmp: str, smtp_port: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")  # as in production: no query log, cached templates
    if not os.environ.get("DATABASE_URL"):
        os.environ["VAR_DIR"] = tmp
    os.environ.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="5",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_users(n: int):
    from institutions.models import User

    User.objects.filter(username__startswith="bench-").delete()
    User.objects.bulk_create(
        User(username=f"bench-{i:04d}", name=f"기관담당{i}", email=f"bench-{i:04d}@example.com")
        for i in range(n)
    )
    return list(User.objects.filter(username__startswith="bench-").order_by("pk"))


def clear_rows() -> None:
    from notifications.models import Notification

    Notification.objects.all().delete()


def timed(fn, repeats: int):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    best, queries = float("inf"), 0
    for _ in range(repeats):
        clear_rows()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            with transaction.atomic():
                fn()
            elapsed = time.perf_counter() - started
        if elapsed < best:
            best, queries = elapsed, len(ctx.captured_queries)
    return best, queries


def request_timings(users, repeats: int) -> bool:
    from notifications.services import Notice, notify, notify_each

    context = {"cycle": "2026 인증 평가", "institution": "기관", "objection_deadline": "-"}

    def one_call():
        n = notify(event="result_notified", recipients=users, url="/r/", context=context, mass=True)
        assert n == len(users)

    def each():
        notify_each(
            event="result_notified",
            notices=[
                Notice(
                    recipients=[user],
                    obj=user,
                    url=f"/applications/{user.pk}/result/",
                    context=context,
                )
                for user in users
            ],
            mass=True,
        )

    def per_object():
        for user in users:
            notify(
                event="result_notified",
                recipients=[user],
                obj=user,
                url=f"/applications/{user.pk}/result/",
                context=context,
                mass=True,
            )

    ok = True
    for label, fn in (("one call", one_call), ("per object", per_object), ("notify_each", each)):
        seconds, queries = timed(fn, repeats)
        ok &= seconds <= GOAL_SECONDS
        print(
            f"request {label:<11} {len(users)} rows: {seconds:.3f} s "
            f"(goal {GOAL_SECONDS} s, ratio {seconds / GOAL_SECONDS:.2f}), {queries} queries"
        )
    return ok


def held_batch(users) -> str:
    from notifications.models import Notification
    from notifications.services import notify

    clear_rows()
    notify(event="result_notified", recipients=users, url="/r/", context={}, mass=True)
    return Notification.objects.values_list("batch", flat=True).first()


def delivery_task_loop(users) -> None:
    from notifications.dispatch import CHUNK
    from notifications.models import Notification, Status
    from notifications.tasks import deliver_notifications

    held_batch(users)
    Notification.objects.update(status=Status.QUEUED)
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    for i in range(0, len(ids), CHUNK):
        deliver_notifications(ids[i : i + CHUNK])
    elapsed = time.perf_counter() - started
    sent = Notification.objects.filter(status=Status.SENT).count()
    print(f"delivery task loop: {sent} messages in {elapsed:.2f} s = {sent / elapsed:.0f} msg/s")


def redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


def delivery_worker(users, tmp: str, smtp_port: int) -> None:
    import redis
    from django.conf import settings

    from config.celery import app
    from notifications.models import Notification, Status
    from notifications.services import batch_release

    if not redis_reachable():
        print(f"delivery celery worker: skipped (Redis not reachable at {REDIS_URL})")
        return
    redis.Redis.from_url(REDIS_URL).flushdb()
    batch = held_batch(users)
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    log = open(Path(tmp) / "worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker"]
        + ["--concurrency=1", "--pool=prefork", "--loglevel=WARNING", "--without-gossip"]
        + ["--without-mingle", "--without-heartbeat", "-n", f"bench-{os.getpid()}@%h"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(4)  # the worker connects and is ready
        os.environ["CELERY_BROKER_URL"] = REDIS_URL
        app.conf.update(task_always_eager=False, broker_url=REDIS_URL)
        from institutions.models import User

        admin = User.objects.create_superuser("bench-admin", "a@example.com", "x")
        started = time.perf_counter()
        batch_release(batch=batch, by=admin)  # queues 1,000 rows, publishes 20 tasks on commit
        total = len(users)
        while Notification.objects.filter(status=Status.SENT).count() < total:
            if time.perf_counter() - started > 600:
                raise SystemExit("worker did not deliver everything in 10 minutes")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        print(
            f"delivery celery worker (1 process, {db['ENGINE'].rsplit('.', 1)[-1]}): "
            f"{total} messages in {elapsed:.2f} s = {total / elapsed:.0f} msg/s"
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        log.close()
        redis.Redis.from_url(REDIS_URL).flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applicants", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-worker", action="store_true", help="skip the celery worker run")
    args = parser.parse_args()
    port = free_port()
    sink = start_smtp_sink(port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            setup_django(tmp, port)
            from django.db import connection

            users = make_users(args.applicants)
            print(f"database: {connection.vendor}; SMTP sink: aiosmtpd on 127.0.0.1:{port}")
            ok = request_timings(users, args.repeats)
            delivery_task_loop(users)
            if not args.no_worker:
                delivery_worker(users, tmp, port)
    finally:
        sink.terminate()
        sink.wait(10)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
