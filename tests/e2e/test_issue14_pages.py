"""Issue 14 in Chromium: Korean error pages in production mode (item 13), one request per edit
when Enter is pressed in a rubric editor field (item 15), and the publish confirmation without
JavaScript (item 14; the dialog with JavaScript is in test_rubric_editor.py)."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from indicators.models import Item
from tests.factories import build_rubric

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@override_settings(DEBUG=False)
def test_unknown_page_is_the_korean_404_with_navigation(page, login, member):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("페이지를 찾을 수 없습니다")
    expect(page.get_by_role("link", name="로그인", exact=True)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "ko"

    login(member.username)
    response = page.goto("/cycles/no-such-cycle/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("페이지를 찾을 수 없습니다")
    expect(page.locator("[data-testid=whoami]")).to_contain_text(member.display_name)
    page.get_by_role("link", name="처음 화면으로").click()
    expect(page.locator("[data-testid=home-title]")).to_be_visible()


@pytest.mark.parametrize("key", ["Enter", "Tab"])
def test_enter_in_a_rubric_points_field_posts_once(page, login, admin_user, key):
    draft = build_rubric(code="draft", published=False)
    login(admin_user.username)
    page.goto(f"/rubrics/{draft.pk}/edit/")
    posts = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/update/" in r.url else None,
    )
    points = page.get_by_label("A.1.1 배점", exact=True)
    points.fill("12")
    points.press(key)
    expect(page.locator("[data-testid=sum-A\\.1]")).to_contain_text("항목 합계 42")
    page.wait_for_timeout(500)  # a second post, if any, would have gone out by now
    assert len(posts) == 1, posts
    assert Item.objects.get(version=draft, code="A.1.1").points == 12
    # Enter again without a change sends nothing; a new value is a new edit.
    points.press("Enter")
    page.wait_for_timeout(300)
    assert len(posts) == 1, posts
    points.fill("11")
    points.press("Enter")
    expect(page.locator("[data-testid=sum-A\\.1]")).to_contain_text("항목 합계 41")
    page.wait_for_timeout(300)
    assert len(posts) == 2, posts


def test_publish_confirmation_works_without_javascript(
    admin_user, live_server, monkeypatch, browser
):
    """Item 14: with JavaScript off, 게시… opens the confirmation page; its form publishes."""
    from indicators.models import RubricVersion, VersionStatus

    from ..conftest import PASSWORD

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls beside Playwright
    draft = build_rubric(code="nojs", published=False)
    context = browser.new_context(
        locale="ko-KR", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("아이디").fill(admin_user.username)
        page.get_by_label("비밀번호").fill(PASSWORD)
        page.get_by_role("button", name="로그인").click()
        page.goto(f"/rubrics/{draft.pk}/edit/")
        page.get_by_role("link", name="게시…").click()
        expect(page).to_have_url(f"{live_server.url}/rubrics/{draft.pk}/publish/")
        expect(page.locator("[data-testid=publish-consequence]")).to_contain_text(
            "되돌릴 수 없으며"
        )
        assert RubricVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
        page.get_by_role("button", name="게시합니다").click()
        expect(page.get_by_text("게시했습니다")).to_be_visible()
        assert RubricVersion.objects.get(pk=draft.pk).status == VersionStatus.PUBLISHED
    finally:
        context.close()
