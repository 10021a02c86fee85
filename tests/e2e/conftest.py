"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium), never its own."""

import os
import shutil

import pytest

from ..conftest import REQUIRE_SERVICES

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def browser():
    # Function scope on purpose: Playwright's sync API keeps an asyncio loop running in this
    # thread while it is started, and Django refuses ORM calls from such a thread. A browser
    # that outlived its test would break every database test pytest-django orders after it.
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if REQUIRE_SERVICES:
            pytest.fail(f"Chromium is required at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread, so Django's async-safety check
    # would refuse the ORM calls that tests make between browser steps. Only for this test.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    context = browser.new_context(locale="ko-KR", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(page):
    from ..conftest import PASSWORD

    def do_login(username: str, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("아이디").fill(username)
        page.get_by_label("비밀번호").fill(password)
        page.get_by_role("button", name="로그인").click()
        page.wait_for_load_state("networkidle")
        second_factor(page)  # where REQUIRE_2FA asks for one (issue 15)

    return do_login


def totp_now(secret_base32: str, offset: int = 0) -> str:
    import base64

    from django_otp.oath import totp

    return f"{totp(base64.b32decode(secret_base32), drift=offset):06d}"


def second_factor(page) -> None:
    """Enrol an authenticator or enter its code, as a person with the app would. The key is
    read from the enrolment page (the text under the QR code) and kept on the page's context,
    so a later log-in in the same test computes the next code."""
    context = page.context
    if "/accounts/2fa/setup/" in page.url:
        context.totp_secret = page.locator("[data-testid=totp-secret]").inner_text().strip()
        page.get_by_label("인증 코드").fill(totp_now(context.totp_secret))
        page.get_by_role("button", name="등록").click()
        page.get_by_role("link", name="계속").click()
        page.wait_for_load_state("networkidle")
    elif "/accounts/2fa/" in page.url:
        page.get_by_label("인증 코드").fill(totp_now(context.totp_secret, offset=1))
        page.get_by_role("button", name="확인").click()
        page.wait_for_load_state("networkidle")
