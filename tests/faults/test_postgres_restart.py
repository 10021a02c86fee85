"""PostgreSQL restarted under autosaves, against a private cluster this test owns.

A real server (gunicorn, DEBUG off, persistent connections like production) runs on the
private cluster; three evaluator "tabs" autosave their own items over HTTP (htmx requests with
CSRF, each item's saves one after another with the version the last answer gave back, as the
sheet's JS does). The cluster is stopped twice while they type -- a clean fast shutdown, then a
crash (``immediate``, WAL recovery on start) -- and started again.

Proved: every failed save got a handled 503 with a Korean line and ``Retry-After`` (no 500, no
traceback, no English error page); nothing is half-written -- the saves the database holds are
exactly the ones the client was told succeeded (the audit trail, one row per stored change,
chains old → new without gaps and ends in the stored row), so nothing was stored behind a
failure and nothing acknowledged was lost; saves succeed again after each restart; the sheet
page shows the stored versions, and 확정 afterwards hashes exactly the stored rows.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from .app import AppServer, Browser, app_env, appctl, fragment_version, page_versions
from .private import PrivatePostgres

pytestmark = pytest.mark.services

TABS = 3
ITEMS_PER_TAB = 2
OUTAGE_SECONDS = 1.5


@dataclass
class Save:
    code: str
    sent_version: int
    grade: str
    strength: str
    improvement: str
    status: int
    body: str
    version: int | None = None  # the version the answer gave back (200 only)
    retry_after: str | None = None


@dataclass
class Tab:
    """One browser tab typing into its own items until told to stop."""

    browser: Browser
    assignment: int
    grades: dict[str, list[str]]
    versions: dict[str, int]
    saves: list[Save] = field(default_factory=list)
    crashed: list[BaseException] = field(default_factory=list)

    def ok_count(self) -> int:
        return sum(s.status == 200 for s in self.saves)

    def run(self, stop: threading.Event) -> None:
        try:
            for n in itertools.count(1):
                for code in self.versions:
                    if stop.is_set():
                        return
                    self.save(code, n)
                time.sleep(0.01)
        except BaseException as exc:  # reported by the test
            self.crashed.append(exc)

    def save(self, code: str, n: int) -> None:
        grades = self.grades[code]
        sent = Save(
            code=code,
            sent_version=self.versions[code],
            grade=grades[n % len(grades)],
            strength=f"{code} 강점 {n}",
            improvement=f"{code} 개선 {n}",
            status=0,
            body="",
        )
        response = self.browser.post(
            f"/sheets/{self.assignment}/items/{code}/",
            {
                "version": sent.sent_version,
                "grade": sent.grade,
                "strength": sent.strength,
                "improvement": sent.improvement,
            },
            htmx=True,
        )
        sent.status, sent.body = response.status_code, response.text
        sent.retry_after = response.headers.get("Retry-After")
        if response.status_code == 200:
            sent.version = fragment_version(response.text)
            self.versions[code] = sent.version
        self.saves.append(sent)
        if response.status_code == 503:
            time.sleep(0.1)  # the sheet's JS waits Retry-After; a tenth of it here


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _snapshot(save: Save) -> tuple:
    return (save.version, save.grade, save.strength, save.improvement)


def test_autosaves_through_postgres_restarts_are_all_or_nothing(tmp_path):
    pg = PrivatePostgres()
    server = None
    try:
        pg.init()
        pg.start()
        pg.createdb("certeval")
        env = app_env(pg.url("certeval"), tmp_path / "var")
        seed = appctl("seed", env)
        server = AppServer(env, tmp_path / "gunicorn.log")
        server.start()

        codes = list(seed["grades"])[: TABS * ITEMS_PER_TAB]
        tabs = []
        for t in range(TABS):
            browser = Browser(server.base)
            browser.login(seed["username"], seed["password"])
            mine = codes[t * ITEMS_PER_TAB : (t + 1) * ITEMS_PER_TAB]
            tabs.append(
                Tab(
                    browser=browser,
                    assignment=seed["assignment"],
                    grades={c: seed["grades"][c] for c in mine},
                    versions=dict.fromkeys(mine, 1),  # the seed saved every item once
                )
            )
        stop = threading.Event()
        threads = [threading.Thread(target=tab.run, args=(stop,), daemon=True) for tab in tabs]
        for thread in threads:
            thread.start()

        outages = []
        try:
            for mode in ("fast", "immediate"):
                before = [tab.ok_count() for tab in tabs]
                _wait(
                    lambda b=before: all(
                        t.ok_count() >= n + 3 for t, n in zip(tabs, b, strict=True)
                    ),
                    30,
                    "saves while PostgreSQL is up",
                )
                started = [len(tab.saves) for tab in tabs]
                pg.stop(mode)
                time.sleep(OUTAGE_SECONDS)
                pg.start()
                outages.append((mode, started))
            after = [tab.ok_count() for tab in tabs]
            _wait(
                lambda: all(t.ok_count() >= n + 3 for t, n in zip(tabs, after, strict=True)),
                30,
                "saves after the last restart",
            )
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)
        assert [t.crashed for t in tabs] == [[]] * TABS, server.log_tail()

        saves = [s for tab in tabs for s in tab.saves]
        statuses = {s.status for s in saves}
        failed = [s for s in saves if s.status != 200]
        # Each outage made saves fail, and only with the handled answer.
        assert statuses == {200, 503}, (statuses, [s.body[:300] for s in failed][:5])
        for mode, started in outages:
            during = [s for tab, n in zip(tabs, started, strict=True) for s in tab.saves[n:]]
            assert any(s.status == 503 for s in during), f"no save failed in the {mode} outage"
        for s in failed:
            assert "데이터베이스에 잠시 연결할 수 없어" in s.body, s.body[:1000]
            assert "data-service-unavailable" in s.body and "Traceback" not in s.body
            assert s.retry_after == "5"
        # Saves work again after each restart (the last ones of every tab succeeded).
        assert all(tab.saves[-1].status == 200 for tab in tabs)

        state = appctl("state", env)
        rows, audit = state["rows"], state["audit"]
        for code in codes:
            acked = [s for s in saves if s.code == code and s.status == 200]
            row = rows[code]
            last = acked[-1]
            # The stored row is the last save the client was told succeeded, all fields of it.
            assert (row["version"], row["entry"], row["strength"], row["improvement"]) == (
                _snapshot(last)
            ), code
            trail = [a for a in audit if a["item"] == code and a["action"] == "save"]
            # One audit row per stored change (the seed's first save, then ours), chained.
            assert [a["new"]["version"] for a in trail] == list(range(1, row["version"] + 1))
            assert trail[0]["old"] is None
            for earlier, later in itertools.pairwise(trail):
                assert later["old"] == earlier["new"], code
            stored = [
                (
                    a["new"]["version"],
                    a["new"]["entry"],
                    a["new"]["strength"],
                    a["new"]["improvement"],
                )
                for a in trail[1:]
            ]
            # Committed == acknowledged: no write behind a 503, no acknowledged write lost.
            assert stored == [_snapshot(s) for s in acked], code
            assert Decimal(trail[-1]["new"]["points"]) == Decimal(row["points"])
        untouched = set(rows) - set(codes)
        assert all(rows[c]["version"] == 1 for c in untouched)
        assert len([a for a in audit if a["action"] == "save"]) == sum(
            r["version"] for r in rows.values()
        )

        # The page shows the stored versions, and 확정 hashes exactly the stored rows.
        browser = tabs[0].browser
        page = browser.get(f"/sheets/{seed['assignment']}/")
        assert page.status_code == 200
        assert page_versions(page.text) == {c: r["version"] for c, r in rows.items()}
        confirmed = browser.post(
            f"/sheets/{seed['assignment']}/confirm/", {"password": seed["password"]}
        )
        assert confirmed.status_code == 302, confirmed.text[:2000]
        state = appctl("state", env)
        assert state["status"] == "confirmed"
        assert state["content_hash"] == state["recomputed_hash"] != ""
        assert state["rows"] == rows
        print(
            f"saves: {len(saves)}, failed with 503: {len(failed)}, "
            f"outages: {[m for m, _ in outages]}"
        )
    finally:
        if server is not None:
            server.stop()
        pg.destroy()
