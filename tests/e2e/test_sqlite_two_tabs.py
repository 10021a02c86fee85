"""Issue 14, item 16 in Chromium: on the embedded SQLite default, two tabs of one evaluator
saving the same item at the same moment get 200 and 409 (the stale one), never 503. The app
runs as gunicorn (2 workers) on a SQLite file, as `make run` would after `gunicorn`."""

import pytest

from tests.faults.app import AppServer, app_env, appctl

pytestmark = [pytest.mark.e2e]

ROUNDS = 3

SAVE_TWICE = """async ([path, version, grades]) => {
  // the token htmx sends (the cookie is HttpOnly in production mode)
  const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  const save = (grade, tab) => {
    const body = new FormData();
    body.append("version", version);
    body.append("grade", grade);
    body.append("strength", "탭 " + tab);
    body.append("improvement", "");
    return fetch(path, {method: "POST", body, headers: {"X-CSRFToken": token, "HX-Request": "true"}})
      .then(r => r.text().then(t => [r.status, t]));
  };
  return Promise.all([save(grades[0], 1), save(grades[1], 2)]);
}"""


def test_two_tabs_on_sqlite_get_200_and_409_in_chromium(browser, tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    env = app_env(f"sqlite:///{var / 'db.sqlite3'}", var)
    seed = appctl("seed", env)
    server = AppServer(env, tmp_path / "gunicorn.log", workers=2)
    context = None
    try:
        server.start()
        context = browser.new_context(locale="ko-KR", base_url=server.base)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("아이디").fill(seed["username"])
        page.get_by_label("비밀번호").fill(seed["password"])
        page.get_by_role("button", name="로그인").click()
        page.wait_for_load_state("networkidle")
        code, grades = next(iter(seed["grades"].items()))
        page.goto(f"/sheets/{seed['assignment']}/")
        card = page.locator(f'[data-item="{code}"]')
        version = int(card.locator('input[name="version"]').input_value())
        path = f"/sheets/{seed['assignment']}/items/{code}/"
        outcomes = []
        for n in range(ROUNDS):
            pair = [grades[n % len(grades)], grades[(n + 1) % len(grades)]]
            answers = page.evaluate(SAVE_TWICE, [path, version, pair])
            outcomes.append(sorted(status for status, _ in answers))
            won = next(text for status, text in answers if status == 200)
            version = int(won.split('name="version" value="', 1)[1].split('"', 1)[0])
        assert outcomes == [[200, 409]] * ROUNDS, (outcomes, server.log_tail())
    finally:
        if context is not None:
            context.close()
        server.stop()
