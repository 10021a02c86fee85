"""Browser journey: evaluator1 signs the cycle's pledge, declares no conflict, scores every
item of the institution's application (autosave, keyboard on the grade radios), confirms with
the password and sees the total; then the manager sees the result on the cycle dashboard."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from evaluation.models import ItemScore, Pledge, Result, Sheet, SheetStatus
from evaluation.services.sheet import sheet_content_hash

from ..conftest import PASSWORD
from ..process import open_for_scoring

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GRADES = ["S", "A", "B", "C", "D"]  # 10, 8, 6, 4, 2 points on the 19-item test rubric


def test_evaluator_scores_confirms_and_manager_sees_the_result(
    page, login, assignment, evaluator, manager, admin_user
):
    open_for_scoring(assignment.application.cycle, admin_user)  # submitted, in 서류심사
    application = assignment.application
    items = list(
        application.cycle.rubric_version.items.order_by(
            "indicator__area__order", "indicator__order", "order"
        ).values_list("code", flat=True)
    )
    assert len(items) == 19
    sheet_url = reverse("evaluation:sheet", args=[assignment.pk])

    login(evaluator.username)
    page.goto(sheet_url)

    # 1. The pledge (서약서), once per cycle; then the declaration of no conflict.
    expect(page.get_by_role("heading", name="평가위원 서약서")).to_be_visible()
    page.get_by_label("위 서약 내용을 읽고 이해하였으며, 이에 서약합니다.").check()
    page.get_by_role("button", name="서약하고 평가 시작").click()
    expect(page.get_by_role("heading", name="이해충돌 신고")).to_be_visible()
    page.get_by_label("이해충돌 없음 — 이 기관과 이해관계가 없습니다.").check()
    page.get_by_role("button", name="신고").click()
    assert Pledge.objects.filter(evaluator=evaluator, cycle=application.cycle).exists()

    # 2. The sheet: every item, saved as it is entered.
    page.wait_for_url(f"**{sheet_url}")
    progress = page.get_by_test_id("progress-label")
    expect(progress).to_contain_text("0 / 19 항목 완료")
    expected_total = 0
    for n, code in enumerate(items):
        card = page.locator(f'[data-item="{code}"]')
        grade = GRADES[n % len(GRADES)]
        if n == 0:
            # Keyboard only: focus the first level, select it, move down to the next level.
            card.get_by_label("S 탁월").focus()
            page.keyboard.press("Space")
            page.keyboard.press("ArrowDown")
            grade = "A"
        else:
            card.get_by_label(re.compile(rf"^{grade} ")).check()
        expected_total += {"S": 10, "A": 8, "B": 6, "C": 4, "D": 2}[grade]
        card.get_by_label("강점").fill(f"{code} 근거 자료가 충실함")
        card.get_by_label("강점").press("Tab")  # leaving the field saves at once
        expect(card.get_by_test_id(f"state-{code}")).to_have_text("✔ 완료")
    expect(progress).to_contain_text("19 / 19 항목 완료 (100%)")
    total_text = f"합계 {expected_total}점 / 190점"
    expect(page.get_by_test_id("running-total")).to_contain_text(total_text)
    assert ItemScore.objects.filter(sheet__assignment=assignment).count() == 19
    assert ItemScore.objects.get(sheet__assignment=assignment, item__code=items[0]).grade == "A"

    # 3. 확정 with the password as signature.
    page.get_by_test_id("confirm-link").click()
    expect(page.get_by_test_id("confirm-summary")).to_contain_text(total_text)
    page.get_by_label("비밀번호 (서명)").fill(PASSWORD)
    page.get_by_role("button", name="확정합니다").click()
    page.wait_for_url(f"**{sheet_url}")
    expect(page.get_by_text(f"평가표를 확정했습니다. {total_text}.")).to_be_visible()
    expect(page.get_by_test_id("sheet-status")).to_contain_text("확정")
    sheet = Sheet.objects.get(assignment=assignment)
    assert sheet.status == SheetStatus.CONFIRMED
    expect(page.get_by_test_id("content-hash")).to_have_text(sheet.content_hash)
    assert sheet.content_hash == sheet_content_hash(sheet)
    expect(page.locator(f'[data-item="{items[0]}"]').get_by_label("S 탁월")).to_be_disabled()
    result = Result.objects.get(application=application)
    assert result.total == expected_total

    # 4. The manager sees it on the cycle dashboard.
    page.context.clear_cookies()
    login(manager.username)
    page.goto(reverse("evaluation:cycle_dashboard", args=[application.cycle.slug]))
    row = page.locator(f'tr[data-application="{application.pk}"]')
    expect(row).to_contain_text(application.institution.name)
    expect(row).to_contain_text(str(expected_total))
    expect(row).to_contain_text("1 / 1")
