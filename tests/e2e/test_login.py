import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("admin_user", "관리자 업무"),
        ("manager", "관리책임자 업무"),
        ("evaluator", "배정된 평가"),
        ("member", "소속 기관"),
    ],
)
def test_each_role_logs_in_and_sees_its_korean_home(request, page, login, persona, heading):
    user = request.getfixturevalue(persona)
    login(user.username)
    assert page.locator("[data-testid=home-title]").inner_text().endswith("안녕하십니까")
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator("html").get_attribute("lang") == "ko"
    assert user.display_name in page.locator("[data-testid=whoami]").inner_text()


def test_wrong_password_shows_korean_error(page, login, evaluator):
    login(evaluator.username, "wrong-password")
    assert "아이디 또는 비밀번호가 올바르지 않습니다" in page.content()
    assert page.url.endswith("/accounts/login/")
