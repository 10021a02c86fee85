"""Issue 15, finding 7, in a browser: the idle warning appears a minute before the server's
deadline as an alert dialog with the focus on 연장; extending keeps the session; once the server
has logged the session out, the page goes to the log-in page."""

import pytest

from institutions import sessions

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_warning_extend_and_log_out(page, login, evaluator, settings, monkeypatch):
    settings.SESSION_IDLE_TIMEOUT = 1  # one minute: the warning is due at once
    clock = {"t": 1_800_000_000}
    monkeypatch.setattr(sessions, "now", lambda: clock["t"])
    login(evaluator.username)
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for(state="visible")
    assert "곧 자동으로 로그아웃됩니다" in dialog.inner_text()
    extend = page.get_by_role("button", name="로그인 연장")
    assert extend.evaluate("el => el === document.activeElement")

    clock["t"] += 30
    with page.expect_response("**/accounts/session/extend/") as extended:
        extend.click()
    assert extended.value.json() == {"authenticated": True, "remaining": 60}

    clock["t"] += 61  # the server's deadline passed: the next check finds the session gone
    page.wait_for_url("**/accounts/login/?next=*", timeout=20_000)  # rechecks every 10 s
    assert "1분 동안 사용하지 않아 자동으로 로그아웃되었습니다" in page.content()
