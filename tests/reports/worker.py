"""Run a real Celery worker (a subprocess: ``celery -A config worker``) against Redis and the
test database, and point this process's Celery app at the same broker for one test.

The worker uses its own Redis database (``REDIS_DB``, flushed around each test), the test
database (pytest-django's ``test_…`` name, passed as ``DATABASE_URL``) and the test's media
directory. The test must use a transactional database (``transactional_db`` / ``live_server``)
so the worker sees its rows.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
REDIS_DB = 5


def broker_url(redis_url: str) -> str:
    parts = urlsplit(redis_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))


def test_database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    host = s.get("HOST") or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


@contextlib.contextmanager
def app_on_broker(url: str, queue: str):
    """This process's Celery app sends to ``url``/``queue`` (not eagerly) inside the block."""
    from config.celery import app

    conf = app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}

    def reset_connections():
        from kombu import pools

        pools.reset()  # kombu's global connection/producer pools are keyed by broker URL
        app._pool = None
        amqp = app.__dict__.get("amqp")
        if amqp is not None:
            amqp._producer_pool = None
            for cached in ("queues", "default_queue", "router"):
                amqp.__dict__.pop(cached, None)

    # Celery's ``conf.broker_url`` prefers the CELERY_BROKER_URL environment variable (which CI
    # exports) over the configured value, so the variable has to point at the test broker too.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    conf.update(task_always_eager=False, broker_url=url, task_default_queue=queue)
    reset_connections()
    try:
        yield
    finally:
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        reset_connections()
        conf.update(saved)


class Worker:
    def __init__(self, proc: subprocess.Popen, log: Path):
        self.proc, self.log = proc, log

    @property
    def pid(self) -> int:
        return self.proc.pid

    def children(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited early:\n{self.log.read_text()[-4000:]}")
            if " ready." in self.log.read_text():
                return
            time.sleep(0.2)
        raise AssertionError(f"worker not ready in {timeout}s:\n{self.log.read_text()[-4000:]}")

    def kill_all(self) -> None:
        """SIGKILL the whole worker (main process and pool children): a machine going down."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill_all()


def start_worker(
    *,
    broker: str,
    queue: str,
    media: Path,
    log_dir: Path,
    concurrency: int = 1,
    extra_env: dict | None = None,
    render_delay: float | None = None,
) -> Worker:
    """A worker subprocess; with ``render_delay`` every render first sleeps that many seconds
    (``slow_worker``: the renderer wrapped in the worker, no hook in production code)."""
    log = log_dir / f"worker-{uuid.uuid4().hex[:8]}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(media),
        "STORAGE_BACKEND": "local",
        "VAR_DIR": str(log_dir / "var"),
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    handle = log.open("w")
    if render_delay is None:
        command = [CELERY, "-A", "config"]
    else:
        command = [sys.executable, "-m", "tests.reports.slow_worker", str(render_delay)]
    proc = subprocess.Popen(
        [
            *command,
            "worker",
            "--loglevel=INFO",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            f"--queues={queue}",
            f"--hostname=reports-test-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the test can kill it whole
    )
    worker = Worker(proc, log)
    worker.wait_ready()
    return worker


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def new_queue() -> str:
    """The queue the worker consumes and this process sends to. It is Celery's default queue:
    tasks the worker enqueues itself (a batch's ZIP, retries) go to the default queue, and the
    worker's settings come from config/settings.py. Isolation comes from the Redis database
    (``REDIS_DB``), which these tests flush before and after."""
    return "celery"
