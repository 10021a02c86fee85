"""Issue 15: with REQUIRE_2FA on, an admin enrols an authenticator at the first log-in (QR code
and key, a code, recovery codes) and enters a code at the next; the journeys' log-in helper
does the same wherever the setting is on."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_enrols_then_logs_in_with_a_code(page, login, admin_user, settings):
    settings.REQUIRE_2FA = True
    page.goto("/accounts/login/")
    page.get_by_label("아이디").fill(admin_user.username)
    from ..conftest import PASSWORD

    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/2fa/setup/" in page.url
    assert page.locator("figure svg").is_visible()
    secret = page.locator("[data-testid=totp-secret]").inner_text().strip()
    from .conftest import totp_now

    page.get_by_label("인증 코드").fill(totp_now(secret))
    page.get_by_role("button", name="등록").click()
    assert page.locator("[data-testid=recovery-codes] li").count() == 10
    page.get_by_role("link", name="계속").click()
    assert page.get_by_role("heading", name="관리자 업무").is_visible()

    # log out, log in again: the code page, then home
    page.get_by_role("button", name="로그아웃").click()
    page.context.totp_secret = secret
    login(admin_user.username)
    assert page.get_by_role("heading", name="관리자 업무").is_visible()
