"""Issue 14 in Chromium: Korean error pages in production mode (item 13) and one request per
edit when Enter is pressed in a rubric editor field (item 15)."""

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
