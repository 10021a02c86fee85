"""Peak memory of the server while it receives a 200 MB evidence upload.

Starts gunicorn (one sync worker) on 127.0.0.1 with a throw-away VAR_DIR, logs in through the
real log-in page, and uploads a 200 MB PDF to the real upload view (XHR-style, the same request
the portal's JavaScript sends). Meanwhile it reads the worker's /proc/<pid>/status and prints
how much the worker's peak resident memory (VmHWM) grew over its resident memory (VmRSS) just
before the upload. Goal: ≤ 64 MB, whatever the file size (uploads stream to disk, are hashed in
chunks and sniffed from their first and last KBs). The per-file limit is raised for this run
only (EVIDENCE_MAX_FILE_BYTES in the server's environment).

    .venv/bin/python bench/upload_rss.py [--mb 200]

Exits 1 if the upload is refused or the growth exceeds the goal.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GOAL_MB = 64
USERNAME, PASSWORD = "bench-inst", "bench-pass-1234!"
CHUNK = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(p) for p in text]
    return found


def setup_data(env: dict) -> tuple[int, str]:
    """Migrate, then create an institution member, a cycle and a draft application."""
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    script = f"""
import django, json
django.setup()
from datetime import date, timedelta
from decimal import Decimal
from django.utils import timezone
import operations.demo.rubric
from evaluation import services
from evaluation.models import Stage
from institutions.models import Institution, User
from institutions.roles import Role
from institutions.services import membership_add, roles_sync, user_grant_role
roles_sync()
admin = User.objects.create_user(username="bench-admin", password="x")
user_grant_role(user=admin, role=Role.ADMIN)
user = User.objects.create_user(username={USERNAME!r}, password={PASSWORD!r})
user_grant_role(user=user, role=Role.INSTITUTION)
inst = Institution.objects.create(
    name="벤치기관", business_number="1234567891", type="wide", registered_on=date(2015, 1, 1)
)
membership_add(user=user, institution=inst)
version = operations.demo.rubric.seed()
cycle = services.cycle_create(
    by=admin, title="bench", slug="bench", rubric_version=version,
    reference_date=date(2026, 1, 1), evidence_deadline=timezone.now() + timedelta(days=1),
    pass_threshold=Decimal("1"),
)
cycle = services.cycle_advance_stage(cycle=cycle, by=admin, expected_stage=Stage.ANNOUNCEMENT)
app = services.application_create(cycle=cycle, institution=inst, by=user)
print(json.dumps({{"application": app.pk, "item": version.items.order_by("pk").first().code}}))
"""
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["application"], data["item"]


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /healthz")


def log_in(base: str) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(urllib.request.Request(base + "/accounts/login/", data=form))
    if not any(c.name == "sessionid" for c in jar):
        raise RuntimeError("log-in failed")
    return opener, jar


def make_pdf(path: Path, size: int) -> None:
    """A real (if padded) PDF of ``size`` bytes: header, comment padding, one page, %%EOF."""
    tail = (
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    head = b"%PDF-1.4\n"
    line = b"%" + b"0123456789abcdef" * 4095 + b"\n"  # 65,522-byte comment lines
    remaining = size - len(head) - len(tail)
    with path.open("wb") as out:
        out.write(head)
        while remaining > 0:
            piece = line if remaining >= len(line) else b"%" + b"x" * (remaining - 2) + b"\n"
            out.write(piece)
            remaining -= len(piece)
        out.write(tail)


def upload(base: str, jar, url: str, path: Path, name: str) -> tuple[int, dict, float]:
    cookies = {c.name: c.value for c in jar}
    boundary = uuid.uuid4().hex
    preamble = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{cookies['csrftoken']}\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n"
    ).encode()
    epilogue = f"\r\n--{boundary}--\r\n".encode()
    length = len(preamble) + path.stat().st_size + len(epilogue)

    def body():
        yield preamble
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
        yield epilogue

    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=600)
    started = time.perf_counter()
    conn.request(
        "POST",
        url,
        body=body(),
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-CSRFToken": cookies["csrftoken"],
            "Accept": "application/json",
            "Referer": base + "/",
        },
    )
    response = conn.getresponse()
    raw = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = {"raw": raw[:300].decode(errors="replace")}
    return response.status, payload, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the upload in MB")
    args = parser.parse_args()
    size = args.mb * 1024 * 1024

    work = Path(tempfile.mkdtemp(prefix="certeval-bench-upload-"))
    (work / "upload-tmp").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(work / "var"),
        "DATABASE_URL": "",
        "CELERY_BROKER_URL": "",
        "STORAGE_BACKEND": "local",
        "FILE_UPLOAD_TEMP_DIR": str(work / "upload-tmp"),
        "EVIDENCE_MAX_FILE_BYTES": str(size + 1024 * 1024),
        "EVIDENCE_MAX_APPLICATION_BYTES": str(4 * size),
        "LOG_LEVEL": "WARNING",
    }
    server = None
    try:
        application, item = setup_data(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = Path(PYTHON).with_name("gunicorn")
        server = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--timeout",
                "600",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_until_up(base, server)
        [worker] = children(server.pid)
        opener, jar = log_in(base)
        item_path = f"/applications/{application}/items/{urllib.parse.quote(item)}/"
        opener.open(base + item_path).read()

        # Warm the worker (imports, templates, the upload path) with a small upload first.
        small = work / "small.pdf"
        make_pdf(small, 300 * 1024)
        status, payload, _ = upload(base, jar, item_path + "upload/", small, "warmup.pdf")
        if status != 200 or not payload.get("ok"):
            print(f"warm-up upload refused: {status} {payload}")
            return 1

        big = work / "big.pdf"
        make_pdf(big, size)
        rss_before = proc_status_kb(worker, "VmRSS")
        hwm_before = proc_status_kb(worker, "VmHWM")
        samples: list[int] = []
        done = threading.Event()

        def sample():
            while not done.is_set():
                try:
                    samples.append(proc_status_kb(worker, "VmRSS"))
                except (OSError, RuntimeError):
                    return
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        status, payload, elapsed = upload(
            base, jar, item_path + "upload/", big, "대용량 증빙 (200MB).pdf"
        )
        done.set()
        sampler.join()
        hwm_after = proc_status_kb(worker, "VmHWM")
        rss_after = proc_status_kb(worker, "VmRSS")

        growth_mb = (hwm_after - rss_before) / 1024
        sampled_peak_mb = (max(samples) - rss_before) / 1024 if samples else float("nan")
        print(f"upload: {args.mb} MB through gunicorn (1 sync worker, pid {worker})")
        print(f"response: HTTP {status} {payload.get('message') or payload}")
        print(f"time: {elapsed:.1f} s ({args.mb / elapsed:.0f} MB/s)")
        print(
            f"worker VmRSS before: {rss_before / 1024:.1f} MB, after: {rss_after / 1024:.1f} MB; "
            f"VmHWM before: {hwm_before / 1024:.1f} MB, after: {hwm_after / 1024:.1f} MB"
        )
        print(f"peak RSS growth (VmHWM after − VmRSS before): {growth_mb:.1f} MB")
        print(f"peak RSS growth seen by sampling VmRSS every 20 ms: {sampled_peak_mb:.1f} MB")
        ok = status == 200 and payload.get("ok") and growth_mb <= GOAL_MB
        print(f"goal ≤ {GOAL_MB} MB: {'met' if ok else 'NOT met'}")
        return 0 if ok else 1
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
