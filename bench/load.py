"""Load test: evaluators autosave their score sheets against the production server, then every
score a client saved is checked against the database.

Set-up: a throw-away PostgreSQL database (``certeval_load_<pid>`` on 127.0.0.1:5432, user
postgres, or ``--pg``), migrated and seeded through the project's own services
(``bench/_common.py``: the 19-item seed rubric, one cycle, ``--users`` evaluators, three per
application, each having signed the pledge and declared no conflict). The server is gunicorn
(``config.wsgi``, ``--workers`` sync workers, default 2 × CPUs + 1) in production mode
(``APP_ENV=production``: DEBUG off, WhiteNoise manifest storage after a ``collectstatic`` into
a temporary VAR_DIR, Redis database ``--redis-db`` of 127.0.0.1:6379 as the broker, so
``/healthz`` checks it). Production mode redirects plain HTTP to HTTPS and sets secure cookies;
rather than switch that off, the clients talk to it as the TLS-terminating proxy of a real
deployment does: ``X-Forwarded-Proto: https`` (``SECURE_PROXY_SSL_HEADER``) and the browser's
``Origin``/``Referer`` (Django's CSRF check of HTTPS requests needs them).

The simulated evaluators, each a browser with its own cookies, run as threads of this process:
log in through the real log-in page, open the sheet, then for ``--duration`` seconds pick a
random item and autosave it as htmx does (the item's whole form: its CSRF field, a random valid
entry for the item's method, random 강점/개선사항 comments with Korean, markup characters and
CRLF line breaks, and the ``version`` the last answer put in the form; ADR 007). A 200 answer's
version goes back into the form. ``--second-tab`` of the evaluators have the sheet open in a
second tab of the same browser, so their saves can meet: a 409 is handled as the screen offers
it, either "내 입력으로 덮어쓰기" (send again with the stored version from
``data-adopt-version``) or "저장된 값으로 새로 고침" (reload the page, which refreshes every
form). A 409 for an evaluator with one tab is an error. ``--think`` adds a random pause
between saves (default none: a closed loop, i.e. the server's saturated throughput).

Afterwards each evaluator's last successful save of every item (highest version answered 200,
over its tabs) is compared with the database: a missing row or an older version is *lost*;
other values (entry, points as answered, comments with line breaks normalised to ``\\n``), or a
newer version nobody was told about, are *mismatched*. The audit trail must hold one ``save``
row per version. Prints one table (requests, requests/s, p50/p95/p99, errors per request kind),
the errors by kind, and the check. Exits 1 unless there were no errors and nothing lost or
mismatched. Drops the database and stops gunicorn whatever happens.

Why not locust: it would be a new dependency, with gevent, for what threads and
``http.client`` already do here; the server, not the client, is the bottleneck (each request is
mostly waiting on the socket, so the GIL is released), and the helpers of
``bench/sheet_latency.py`` (database, seed, gunicorn, log-in) are reused as they are. Each
request opens a new connection, as gunicorn's sync workers close it after every answer anyway.

    .venv/bin/python bench/load.py                    # 50 users, 60 s
    .venv/bin/python bench/load.py --quick            # 5 users, 5 s (development)
    .venv/bin/python bench/load.py --users 50 --duration 60 --workers 5 \\
        [--worker-class sync|gthread] [--threads 4] [--second-tab 0.1] [--think 0] [--seed 1]

Needs PostgreSQL and Redis; takes about a minute more than ``--duration``. ``make bench``
does not run it.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from _common import (
    DEFAULT_PG,
    PASSWORD,
    PYTHON,
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
from _load_check import Evaluator, Saved, check
from _load_screen import ENTRY_FIELD, Form, parse_sheet, random_comment, random_entry

HOST = "127.0.0.1"
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
ADOPT_RE = re.compile(r'data-adopt-version="(\d+)"')
POINTS_RE = re.compile(r'<output id="points-[^"]+" hx-swap-oob="innerHTML">([^<]*)</output>')


class Stats:
    """Latency per (phase, request kind), and errors by (request kind, what happened)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter = collections.Counter()
        self.example: dict[tuple[str, str], str] = {}
        self.conflicts = collections.Counter()

    def timed(self, phase: str, kind: str, seconds: float) -> None:
        with self.lock:
            self.latency[phase, kind].append(seconds)

    def error(self, kind: str, what: str, example: str = "") -> None:
        with self.lock:
            self.errors[kind, what] += 1
            self.example.setdefault((kind, what), example[:300])


class Tab:
    """One browser tab showing the evaluator's sheet; runs in its own thread."""

    def __init__(self, evaluator: Evaluator, index: int, port: int, stats: Stats, seed: int):
        self.evaluator, self.index, self.stats = evaluator, index, stats
        origin = f"https://{HOST}:{port}"
        self.page = f"/sheets/{evaluator.assignment}/"
        self.session = Session(
            HOST,
            port,
            evaluator.username,
            evaluator.assignment,
            {},
            headers={
                "X-Forwarded-Proto": "https",
                "Origin": origin,
                "Referer": origin + self.page,
                "User-Agent": "certeval-bench-load",
            },
        )
        self.session.cookies = evaluator.cookies  # one browser: the tabs share its cookies
        self.origin = origin
        self.rng = random.Random(f"{seed}-{evaluator.username}-{index}")
        self.forms: dict[str, Form] = {}
        self.phase = "start"
        self.saves = 0

    def request(self, kind: str, method: str, path: str, body=None, headers=None):
        """One request, timed; an exception is counted as an error and returns None."""
        began = time.perf_counter()
        try:
            answer = self.session.request(method, path, body, headers)
        except Exception as exc:  # the network or the server: counted, the tab carries on
            self.stats.timed(self.phase, kind, time.perf_counter() - began)
            self.stats.error(kind, type(exc).__name__, str(exc))
            return None
        self.stats.timed(self.phase, kind, time.perf_counter() - began)
        return answer

    # --- start: log in (first tab) and open the sheet ---------------------------------------

    def start(self) -> bool:
        evaluator = self.evaluator
        if self.index == 0:
            answer = self.request("log-in", "GET", "/accounts/login/")
            match = answer and re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', answer[1])
            if not match:
                self.stats.error("log-in", f"log-in page {answer and answer[0]}")
                return False
            form = urllib.parse.urlencode(
                {
                    "username": evaluator.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": match.group(1).decode(),
                }
            ).encode()
            answer = self.request(
                "log-in",
                "POST",
                "/accounts/login/",
                form,
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            if answer is None or answer[0] != 302 or "sessionid" not in evaluator.cookies:
                self.stats.error("log-in", f"log-in refused ({answer and answer[0]})")
                return False
            evaluator.logged_in.set()
        elif not evaluator.logged_in.wait(timeout=120):
            return False
        return self.load("open sheet")

    def load(self, kind: str) -> bool:
        answer = self.request(kind, "GET", self.page)
        if answer is None:
            return False
        status, body, _ = answer
        forms = parse_sheet(body) if status == 200 else {}
        if len(forms) == 0:
            self.stats.error(kind, f"HTTP {status}" if status != 200 else "no item forms")
            return False
        self.forms = forms
        return True

    # --- run: autosave random items until the time is up ------------------------------------

    def run(self, stop_at: float, think: float) -> None:
        self.phase = "run"
        codes = sorted(self.forms)
        while time.perf_counter() < stop_at:
            form = self.forms[self.rng.choice(codes)]
            self.edit(form)
            self.autosave(form)
            if think:
                time.sleep(self.rng.uniform(0, 2 * think))

    def edit(self, form: Form) -> None:
        """What the evaluator changes on screen before the autosave fires."""
        self.saves += 1
        tag = f"[{self.evaluator.username} {form.code} 탭{self.index} #{self.saves}]"
        what = self.rng.random()
        if what < 0.6:
            form.entry = random_entry(form, self.rng)
        if what >= 0.3:
            form.strength = random_comment(self.rng, tag)
            if self.rng.random() < 0.5:
                form.improvement = random_comment(self.rng, tag)

    def autosave(self, form: Form, *, retry: bool = True) -> None:
        data = {"csrfmiddlewaretoken": form.csrf}
        if form.entry or form.method != "grade":  # an unchecked radio group sends nothing
            data[ENTRY_FIELD[form.method]] = form.entry
        data.update(strength=form.strength, improvement=form.improvement, version=form.version)
        entry = form.entry
        # Stored with line breaks normalised to "\n" (ADR 007); the browser sends CRLF.
        strength = form.strength.replace("\r\n", "\n")
        improvement = form.improvement.replace("\r\n", "\n")
        answer = self.request(
            "autosave",
            "POST",
            f"{self.page}items/{form.code}/",
            urllib.parse.urlencode(data).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                "HX-Request": "true",
                "HX-Current-URL": self.origin + self.page,
                "HX-Target": f"status-{form.code}",
            },
        )
        if answer is None:
            with self.evaluator.lock:
                self.evaluator.uncertain.add(form.code)
            return  # the screen keeps its version, as sheet.js does
        status, body, _ = answer
        text = body.decode(errors="replace")
        if status == 200:
            match, points = VERSION_RE.search(text), POINTS_RE.search(text)
            if not match or not points:
                self.stats.error("autosave", "200 without version or points", text)
                return
            version = int(match.group(1))
            if version not in (form.version, form.version + 1):
                self.stats.error("autosave", "version did not move by one", text)
            form.version = version
            points_text = points.group(1).removesuffix("점")
            self.evaluator.remember(
                form.code, Saved(version, entry, points_text, strength, improvement)
            )
        elif status == 409:
            adopt = ADOPT_RE.search(text)
            if self.evaluator.tabs < 2:
                self.stats.error("autosave", "409 with only one tab open", text)
            if not adopt:
                self.stats.error("autosave", "409 without the stored version", text)
                return
            if self.rng.random() < 0.5 and retry:
                self.stats.conflicts["overwrite"] += 1
                form.version = int(adopt.group(1))  # "내 입력으로 덮어쓰기"
                self.autosave(form, retry=False)
            else:
                self.stats.conflicts["reload"] += 1
                self.load("reload after 409")  # "저장된 값으로 새로 고침"
        elif status == 422:
            self.stats.error("autosave", "422 refused input", _status_line(text))
        elif status == 302:
            self.stats.error("autosave", "302 to the log-in page", "")
        else:
            self.stats.error("autosave", f"HTTP {status}", text)


def _status_line(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- main ----------------------------------------------------------------------------------------


def run_threads(tabs: list[Tab], target) -> None:
    threads = [threading.Thread(target=target, args=(tab,)) for tab in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def print_table(stats: Stats, walls: dict[str, float]) -> None:
    header = (
        f"{'phase':<7}{'request':<18}{'count':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    errors_of = collections.Counter()
    for (kind, _), n in stats.errors.items():
        errors_of[kind] += n
    order = ["log-in", "open sheet", "autosave", "reload after 409"]
    rows = sorted(
        stats.latency.items(), key=lambda kv: (kv[0][0] != "start", order.index(kv[0][1]))
    )
    for phase in ("start", "run"):
        for (p, kind), values in rows:
            if p != phase:
                continue
            print(_row(phase, kind, values, walls[phase], errors_of[kind]))
        every = [v for (p, _), values in rows if p == phase for v in values]
        if phase == "run" and every:
            print(_row(phase, "all", every, walls[phase], sum(errors_of.values())))
    print("-" * len(header))


def _row(phase, kind, values, wall, errors) -> str:
    return (
        f"{phase:<7}{kind:<18}{len(values):>7}{len(values) / wall:>8.1f}"
        f"{statistics.median(values) * 1000:>9.1f}{pct(values, 95) * 1000:>9.1f}"
        f"{pct(values, 99) * 1000:>9.1f}{errors:>8}"
    )


def main() -> int:
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=None, help="evaluators (default 50)")
    parser.add_argument("--duration", type=float, default=None, help="seconds (default 60)")
    parser.add_argument("--quick", action="store_true", help="5 users, 5 s unless given")
    parser.add_argument("--workers", type=int, default=2 * cpus + 1)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="per worker, for gthread")
    parser.add_argument(
        "--second-tab",
        type=float,
        default=0.1,
        help="share of evaluators with the sheet open in two tabs (at least one if > 0)",
    )
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between saves (s)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the clients")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--redis-db", type=int, default=7, help="the broker's database number")
    args = parser.parse_args()
    users = args.users or (5 if args.quick else 50)
    duration = args.duration or (5.0 if args.quick else 60.0)
    two_tabs = max(1, round(users * args.second_tab)) if args.second_tab > 0 else 0

    name = f"certeval_load_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="certeval-bench-load-"))
    server = None
    created = False
    log_path = work / "gunicorn.log"
    try:
        broker = f"{args.redis.rstrip('/')}/{args.redis_db}"
        _ping_redis(broker)
        url = create_database(args.pg, name)
        created = True
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "INTEGRITY_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": broker,
            "VAR_DIR": str(work / "var"),
            "MEDIA_ROOT": str(work / "media"),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("DEBUG", None)
        print(
            f"database {name}: migrating, seeding {users} evaluators, collectstatic …", flush=True
        )
        data = seed(env, users, per_application=3, prescored=0)
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        port = free_port()
        with open(log_path, "wb") as log:
            server = gunicorn_start(
                env,
                port,
                workers=args.workers,
                worker_class=args.worker_class,
                threads=args.threads,
                log=log,
            )
        probe = Session(HOST, port, "", 0, {}, headers={"X-Forwarded-Proto": "https"})
        gunicorn_wait(server, probe)
        print(f"/healthz says: {probe.request('GET', '/healthz')[1].decode()}")

        evaluators = [
            Evaluator(ev["username"], ev["assignment"], 2 if i < two_tabs else 1)
            for i, ev in enumerate(data["evaluators"])
        ]
        stats = Stats()
        tabs = [
            Tab(ev, index, port, stats, args.seed) for ev in evaluators for index in range(ev.tabs)
        ]
        worker = args.worker_class + (
            f" × {args.threads} threads" if args.worker_class == "gthread" else ""
        )
        print(
            f"{users} evaluators ({two_tabs} with a second tab: {len(tabs)} tabs) · {duration:g} s"
            f" · think {args.think:g} s · gunicorn {args.workers} {worker} workers, production "
            f"mode · {cpus} CPUs shared by gunicorn, PostgreSQL, Redis and the clients",
            flush=True,
        )
        walls = {}
        began = time.perf_counter()
        ready = {}
        run_threads(tabs, lambda tab: ready.__setitem__(tab, tab.start()))
        walls["start"] = time.perf_counter() - began
        live = [tab for tab in tabs if ready[tab]]
        stop_at = time.perf_counter() + duration
        cpu, load = time.process_time(), os.getloadavg()[0]
        run_threads(live, lambda tab: tab.run(stop_at, args.think))
        walls["run"] = duration
        cpu = time.process_time() - cpu

        print()
        print_table(stats, walls)
        if stats.conflicts:
            print(
                f"409 conflicts between two tabs (expected): {sum(stats.conflicts.values())}, "
                f"resolved by overwrite {stats.conflicts['overwrite']}, "
                f"by reload {stats.conflicts['reload']}"
            )
        print(
            f"the clients (this process) used {cpu:.1f} CPU-s of the {cpus * duration:g} the "
            f"machine had during the run; load average {load:.2f} before it, "
            f"{os.getloadavg()[0]:.2f} at the end"
        )
        errors = sum(stats.errors.values())
        print(f"\nerrors: {errors}")
        for (kind, what), n in stats.errors.most_common():
            example = stats.example[kind, what]
            print(f"  {n:>6}  {kind}: {what}" + (f"  e.g. {example[:160]!r}" if example else ""))

        forms = next(iter(t.forms for t in live), {})
        methods = {code: form.method for code, form in forms.items()}
        problems = check(env, evaluators, methods)
        items_saved = sum(len(ev.saved) for ev in evaluators)
        print(
            f"\ndatabase check: {items_saved} (evaluator, item) pairs saved at least once, "
            f"out of {users} × {len(methods)}"
        )
        labels = {
            "lost": "lost (saved, not in the database)",
            "mismatched": "mismatched (database differs)",
            "audit": "audit rows ≠ version",
            "uncertain": "newer than told (request unanswered)",
        }
        for key, label in labels.items():
            print(f"  {label:<40}{len(problems[key]):>6}")
            for line in problems[key][:10]:
                print(f"      {line}")
        if errors and log_path.exists():
            tail = log_path.read_text(errors="replace").splitlines()[-30:]
            if tail:
                print("\ngunicorn log (last lines):\n  " + "\n  ".join(tail))
        failed = (
            errors
            or len(live) < len(tabs)
            or any(problems[k] for k in ("lost", "mismatched", "audit"))
        )
        print("\nresult:", "FAILED" if failed else "ok (0 errors, 0 lost or mismatched)")
        return 1 if failed else 0
    finally:
        gunicorn_stop(server)
        if created:
            drop_database(args.pg, name)
            print(f"database {name} dropped")
        shutil.rmtree(work, ignore_errors=True)


def _ping_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=2).ping()


if __name__ == "__main__":
    sys.exit(main())
