"""Issue 15, finding 4: eight wrong current passwords on 비밀번호 변경 from a stolen session
answered 200 every time. Now they count as failed log-ins: at the limit the session ends and
the account is locked out of log-in for the cool-off, the right password included."""

from django.test import Client
from django.urls import reverse

from ..conftest import PASSWORD

NEW = "Brand-new-pass-8765!"


def _change(client, old):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": NEW, "new_password2": NEW},
    )


def test_wrong_current_passwords_end_the_session_at_the_limit(evaluator, client_for, settings):
    client = client_for(evaluator)
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _change(client, f"guess-{attempt}")
        assert response.status_code == 200
        assert "현재 비밀번호가 맞지 않습니다" in response.content.decode()
    locked = _change(client, "guess-last")
    assert locked.status_code == 429
    assert "로그인이 일시적으로 제한되었습니다" in locked.content.decode()
    # the session is over: the page now asks for a log-in
    after = client.get(reverse("password_change"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("login"))
    # and the account is locked: even the right password does not log in
    relogin = Client().post(
        reverse("login"), {"username": evaluator.username, "password": PASSWORD}
    )
    assert relogin.status_code == 429
    evaluator.refresh_from_db()
    assert evaluator.check_password(PASSWORD) and not evaluator.check_password(NEW)


def test_the_right_current_password_still_changes_it(evaluator, client_for):
    client = client_for(evaluator)
    assert _change(client, "one-wrong-guess").status_code == 200
    response = _change(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    evaluator.refresh_from_db()
    assert evaluator.check_password(NEW)
