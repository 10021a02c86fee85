"""Private PostgreSQL and Redis instances that one fault test owns, stops and kills.

The machine's shared PostgreSQL (5432) and Redis (6379) serve other test runs at the same time,
so a fault test never touches them: it starts its own cluster (``initdb`` into a temporary
directory, ``pg_ctl`` on a free port) or its own ``redis-server`` (a subprocess on a free port,
no persistence), breaks it on purpose and removes it afterwards.

``initdb`` refuses to run as root. When the tests run as root, the cluster's directory belongs
to the ``postgres`` OS user and every ``initdb``/``pg_ctl`` call runs as that user through
``runuser``. Missing binaries call ``service_unavailable`` (a failure under
``REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from ..conftest import service_unavailable

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_OWNER = "postgres"  # the OS user that owns private clusters when the tests run as root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} is not listening on port {port} after {timeout}s")


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1:<free port>, trust authentication."""

    def __init__(self) -> None:
        for tool in ("initdb", "pg_ctl", "postgres"):
            if not (PG_BIN / tool).exists():
                service_unavailable(f"PostgreSQL binary {PG_BIN / tool} is missing (set PG_BIN)")
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                service_unavailable("running as root, but runuser is missing")
            try:
                owner = pwd.getpwnam(PG_OWNER)
            except KeyError:
                service_unavailable(f"running as root, but there is no '{PG_OWNER}' OS user")
            self.as_owner = ["runuser", "-u", PG_OWNER, "--"]
        # Not pytest's tmp_path: it lives under a root-only directory the owner cannot enter.
        self.root = Path(tempfile.mkdtemp(prefix="certeval-pg-"))
        if self.as_owner:
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_owner, *args], capture_output=True, text=True, check=check, timeout=60
        )

    def init(self) -> None:
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        # In the cluster's own configuration, so that no start of it can ever take the shared
        # cluster's port (pg_ctl's default is 5432). No fsync: the OS survives these "crashes".
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\nfsync = off\n"
                "full_page_writes = off\nmax_connections = 40\n"
            )

    def start(self) -> None:
        done = self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "30",
            "start",
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"pg_ctl start failed: {done.stderr}\n{self.log_tail()}")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: sessions are terminated and roll back, then a clean shutdown.
        ``immediate``: every process is killed at once (a crash; WAL recovery on start)."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        done = self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status", check=False)
        return done.returncode == 0

    def createdb(self, name: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.url())
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def destroy(self) -> None:
        if self.data.exists() and self.running():
            self._run(
                str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop", check=False
            )
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """A ``redis-server`` subprocess on a free port with no persistence: stopping it loses
    everything in it, like a crashed broker."""

    def __init__(self, log_dir: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            service_unavailable("redis-server is not installed")
        self.port = free_port()
        self.log = log_dir / f"redis-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, 10, "the private redis-server")

    def stop(self) -> None:
        """Kill it (SIGKILL): a broker that vanishes, taking its queues with it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None
