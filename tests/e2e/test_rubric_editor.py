"""An admin imports the seed rubric, clones it to a draft, fixes a sum mismatch in the editor
(htmx, live sums) and publishes -- in Chromium."""

import re
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from indicators.models import RubricVersion, VersionStatus
from operations.demo.rubric import SEED_RUBRIC

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_imports_clones_fixes_a_mismatch_and_publishes(page, login, admin_user):
    login(admin_user.username)

    # Import the seed file through the upload form, published at once.
    page.goto("/rubrics/import/")
    page.get_by_label("평가지표 파일 (YAML 또는 JSON)").set_input_files(str(SEED_RUBRIC))
    page.get_by_label("가져온 뒤 바로 게시").check()
    page.get_by_role("button", name="가져오기").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "고용서비스 우수기관 인증제 직업정보제공사업 평가항목"
    )
    expect(page.locator("[data-testid=points-table] tfoot")).to_contain_text("1000")
    expect(page.locator("[data-status=published]").first).to_be_visible()

    # Clone it to a new draft: the only way to change a published rubric.
    page.get_by_text("새 초안으로 복제").click()
    page.get_by_label("새 버전").fill("2")
    page.get_by_role("button", name="복제하여 초안 만들기").click()
    expect(page).to_have_url(re.compile(r"/rubrics/\d+/edit/$"))
    expect(page.locator("[data-testid=sum-total]")).to_contain_text("영역 합계 1000 = 1000")
    expect(page.locator("[data-testid=sum-B]")).to_contain_text("지표 합계 380 = 380")
    expect(page.locator("[data-testid=sum-B\\.3]")).to_contain_text("항목 합계 230 = 230")

    # Raise one item: the sum of its indicator no longer matches, and that is where it shows.
    points = page.get_by_label("B.3.1 배점", exact=True)
    points.fill("85")
    points.press("Tab")
    mismatch = page.locator("[data-testid=sum-B\\.3]")
    expect(mismatch).to_have_attribute("data-ok", "false")
    expect(mismatch).to_contain_text("항목 합계 235 ≠ 230 · 불일치")
    expect(page.locator("[data-testid=sum-B]")).to_have_attribute("data-ok", "true")
    expect(page.locator("[data-testid=problems-B\\.3]")).to_contain_text(
        "B.3: 항목 배점 합계 235 ≠ 지표 배점 230"
    )

    # Publishing asks first (a dialog naming the consequence), then is refused and lists the
    # blocking problems once, as links to their nodes.
    page.get_by_role("link", name="게시…").click()
    dialog = page.locator("#publish-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("더 이상 바꿀 수 없고")
    dialog.get_by_role("button", name="게시합니다").click()
    expect(page.get_by_text("게시하지 않았습니다. '게시' 칸에 나열한 문제 1건을")).to_be_visible()
    expect(page.locator("[data-testid=blocking-problems]")).to_contain_text(
        "B.3: 항목 배점 합계 235 ≠ 지표 배점 230"
    )
    draft = RubricVersion.objects.get(rubric__code="job-information-provider", version="2")
    assert draft.status == VersionStatus.DRAFT

    # Fix it by lowering a sibling, then publish.
    sibling = page.get_by_label("B.3.2 배점", exact=True)
    sibling.fill("35")
    sibling.press("Tab")
    expect(page.locator("[data-testid=sum-B\\.3]")).to_have_attribute("data-ok", "true")
    expect(page.locator("[data-testid=ready]")).to_be_visible()
    page.get_by_role("link", name="게시…").click()
    page.locator("#publish-dialog").get_by_role("button", name="취소").click()
    expect(page.locator("#publish-dialog")).to_be_hidden()
    assert RubricVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT  # cancelled
    page.get_by_role("link", name="게시…").click()
    page.locator("#publish-dialog").get_by_role("button", name="게시합니다").click()
    expect(page.get_by_text("2 버전을 게시했습니다")).to_be_visible()

    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert {i.code: i.points for i in draft.items.filter(code__startswith="B.3.")} == {
        "B.3.1": D(85),
        "B.3.2": D(35),
        "B.3.3": D(40),
        "B.3.4": D(70),
    }
    original = RubricVersion.objects.get(rubric__code="job-information-provider", version="1")
    assert original.items.get(code="B.3.1").points == D(80)  # the published original is untouched
