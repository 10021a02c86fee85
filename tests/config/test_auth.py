import pytest
from django.test import Client
from django.urls import reverse

from institutions.roles import Role

from ..conftest import PASSWORD

GENERIC_ERROR = "아이디 또는 비밀번호가 올바르지 않습니다"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_korean(db):
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="ko">' in body
    assert "로그인" in body and "아이디" in body and "비밀번호" in body


def test_a_browser_asking_for_english_still_gets_korean_errors(db):
    """No English catalogue ships, so Accept-Language must not switch Django's own messages
    (required-field errors and the like) to English among Korean pages."""
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).post(
        reverse("login"), {"username": "", "password": ""}
    )
    body = response.content.decode()
    assert '<html lang="ko">' in body
    assert "필수 항목입니다" in body
    assert "This field is required" not in body


def test_wrong_password_and_unknown_user_get_the_same_korean_error(evaluator):
    wrong_password = _login(Client(), evaluator.username, "not-the-password")
    unknown_user = _login(Client(), "no-such-user", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert GENERIC_ERROR in wrong_password.content.decode()
    assert GENERIC_ERROR in unknown_user.content.decode()


def test_errors_do_not_reveal_whether_the_user_exists(evaluator):
    a = _login(Client(), evaluator.username, "wrong").context["form"].non_field_errors()
    b = _login(Client(), "ghost", "wrong").context["form"].non_field_errors()
    assert list(a) == list(b)
    assert GENERIC_ERROR in a[0]


def test_repeated_failures_lock_the_account_with_a_clear_message(evaluator, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, evaluator.username, "wrong").status_code == 200
    locked = _login(client, evaluator.username, "wrong")
    assert locked.status_code == 429
    assert "로그인이 일시적으로 제한되었습니다" in locked.content.decode()
    assert "15분" in locked.content.decode()
    # Even the right password is refused while locked out.
    still_locked = _login(Client(), evaluator.username, PASSWORD)
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in still_locked.wsgi_request.session


def test_successful_login_lands_on_home(evaluator):
    client = Client()
    response = _login(client, evaluator.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(evaluator.pk)


def test_logout_is_a_post_and_ends_the_session(client_for, evaluator):
    client = client_for(evaluator)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client_for, evaluator):
    client = client_for(evaluator)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "비밀번호 변경" in page.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Another-pass-987",
            "new_password2": "Another-pass-987",
        },
    )
    assert response.status_code == 302
    evaluator.refresh_from_db()
    assert evaluator.check_password("Another-pass-987")


def test_password_change_requires_login(db):
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_requires_login(db):
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "role", "heading"),
    [
        ("admin_user", Role.ADMIN, "관리자 업무"),
        ("manager", Role.MANAGER, "관리책임자 업무"),
        ("evaluator", Role.EVALUATOR, "배정된 평가"),
        ("member", Role.INSTITUTION, "소속 기관"),
    ],
)
def test_each_role_gets_its_own_home(request, client_for, persona, role, heading):
    user = request.getfixturevalue(persona)
    body = client_for(user).get(reverse("home")).content.decode()
    assert f'data-role="{role.value}"' in body
    assert heading in body
    others = {r for r in Role} - {role}
    for other in others:
        assert f'data-role="{other.value}"' not in body
    assert "coming soon" not in body.lower() and "준비 중" not in body


def test_member_home_lists_own_institution_only(client_for, member, other_member):
    body = client_for(member).get(reverse("home")).content.decode()
    assert member.institutions.get().name in body
    assert other_member.institutions.get().name not in body


def test_user_without_role_is_told_so(make_user, client_for):
    body = client_for(make_user("nobody")).get(reverse("home")).content.decode()
    assert "역할이 지정되지 않았습니다" in body
