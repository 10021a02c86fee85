"""Issue 14, item 16: on the embedded SQLite default, two tabs saving the same item at the
same moment get 200 and 409 (the second carries a stale version), as on PostgreSQL, never
503 "database is locked". A real server (gunicorn, 2 workers) on a SQLite file."""

from __future__ import annotations

import threading

from .app import AppServer, Browser, app_env, appctl, fragment_version, page_versions

ROUNDS = 6


def test_two_tabs_saving_one_item_on_sqlite_get_200_and_409(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    env = app_env(f"sqlite:///{var / 'db.sqlite3'}", var)
    seed = appctl("seed", env)
    server = AppServer(env, tmp_path / "gunicorn.log", workers=2)
    try:
        server.start()
        tabs = [Browser(server.base) for _ in range(2)]
        for tab in tabs:
            tab.login(seed["username"], seed["password"])
        code, grades = next(iter(seed["grades"].items()))
        path = f"/sheets/{seed['assignment']}/items/{code}/"
        version = page_versions(tabs[0].get(f"/sheets/{seed['assignment']}/").text)[code]
        outcomes = []
        for n in range(ROUNDS):
            barrier = threading.Barrier(2)
            answers = [None, None]

            def save(i, tab, sent=version, n=n, barrier=barrier, answers=answers):
                data = {
                    "version": sent,
                    "grade": grades[(n + i) % len(grades)],
                    "strength": f"탭 {i} 라운드 {n}",
                    "improvement": "",
                }
                barrier.wait()
                answers[i] = tab.post(path, data, htmx=True)

            threads = [threading.Thread(target=save, args=(i, tab)) for i, tab in enumerate(tabs)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            statuses = sorted(a.status_code for a in answers)
            outcomes.append(statuses)
            winner = next((a for a in answers if a.status_code == 200), None)
            if winner is not None:
                version = fragment_version(winner.text)
        assert outcomes == [[200, 409]] * ROUNDS, (outcomes, server.log_tail())
        assert version == page_versions(tabs[1].get(f"/sheets/{seed['assignment']}/").text)[code]
    finally:
        server.stop()
