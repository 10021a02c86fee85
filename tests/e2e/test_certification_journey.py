"""Browser journey through the whole process (issue 12, ADR 011): an institution applies and
submits; the admin closes 신청 early through the gate's confirmation page; three evaluators
sign the pledge, score and confirm; the admin advances stage by stage, records the committee's
decision and, once the objection window has passed, 확정; the institution sees its result; an
anonymous visitor opens the certificate's verification address."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from evaluation import services
from evaluation.models import (
    Application,
    ApplicationStatus,
    Certification,
    CycleStageAdvance,
    Stage,
)
from evaluation.services.assignment import assignment_create
from institutions.roles import Role

from ..conftest import PASSWORD
from ..factories import build_rubric

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _advance(page, cycle, *, reason: str = ""):
    """The admin's way through a gate: the cycle page's checklist, then the confirmation."""
    page.goto(reverse("evaluation:cycle_detail", args=[cycle.slug]))
    expect(page.get_by_test_id("gate-clear")).to_be_visible()
    page.get_by_role("link", name="단계로 진행…").click()
    expect(page.get_by_test_id("consequence")).to_contain_text("되돌릴 수 없습니다")
    if reason:
        page.get_by_label("조기 마감 사유").fill(reason)
    page.get_by_label("이 단계 진행은 되돌릴 수 없음을 확인했습니다.").check()
    page.get_by_role("button", name="단계로 진행").click()
    page.wait_for_url(f"**{reverse('evaluation:cycle_detail', args=[cycle.slug])}")
    cycle.refresh_from_db()
    return cycle


def test_from_application_to_a_verified_certificate(
    page, login, admin_user, member, institution, make_user
):
    version = build_rubric(n_items=5, n_areas=5, code="e2e-process")
    cycle = services.cycle_create(
        by=admin_user,
        title="2026 인증 평가 (전 과정)",
        slug="e2e-process",
        rubric_version=version,
        reference_date=date(2026, 1, 1),
        evidence_deadline=timezone.now() + timedelta(days=7),
        pass_threshold=Decimal("30"),
    )
    cycle = services.cycle_advance_stage(
        cycle=cycle, by=admin_user, expected_stage=Stage.ANNOUNCEMENT
    )
    panel = [make_user(f"judge{i}", Role.EVALUATOR) for i in (1, 2, 3)]

    # 1. The institution applies and submits.
    login(member.username)
    page.goto(reverse("evaluation:apply", args=[cycle.slug]))
    page.get_by_role("button", name="신청하기").click()
    application = Application.objects.get(cycle=cycle, institution=institution)
    page.goto(reverse("evaluation:checklist", args=[application.pk]))
    page.get_by_test_id("submit-link").click()
    page.get_by_role("button", name="누락 항목이 있지만 제출합니다").click()
    page.get_by_test_id("application-status").get_by_text("제출 완료").wait_for()

    # 2. The admin closes 신청 early (the gate asks for a reason) and assigns the panel.
    page.context.clear_cookies()
    login(admin_user.username)
    page.goto(reverse("evaluation:cycle_detail", args=[cycle.slug]))
    expect(page.get_by_test_id("gate-blockers")).to_contain_text("조기 마감 사유")
    page.get_by_role("link", name="단계로 진행…").click()
    page.get_by_label("이 단계 진행은 되돌릴 수 없음을 확인했습니다.").check()
    page.get_by_role("button", name="단계로 진행").click()
    expect(page.get_by_test_id("advance-errors")).to_contain_text("조기 마감 사유")
    page.get_by_label("조기 마감 사유").fill("신청 기관 전원 제출 완료")
    page.get_by_label("이 단계 진행은 되돌릴 수 없음을 확인했습니다.").check()
    page.get_by_role("button", name="단계로 진행").click()
    expect(page.get_by_test_id("current-stage")).to_have_text("서류심사")
    for evaluator in panel:
        assignment_create(application=application, evaluator=evaluator, by=admin_user)

    # 3. Three evaluators: pledge, declaration, five items, 확정 with the password.
    codes = list(version.items.order_by("pk").values_list("code", flat=True))
    for evaluator in panel:
        page.context.clear_cookies()
        login(evaluator.username)
        assignment = application.assignments.get(evaluator=evaluator)
        page.goto(reverse("evaluation:open_assignment", args=[assignment.pk]))
        page.get_by_label("위 서약 내용을 읽고 이해하였으며, 이에 서약합니다.").check()
        page.get_by_role("button", name="서약하고 평가 시작").click()
        page.get_by_label("이해충돌 없음 — 이 기관과 이해관계가 없습니다.").check()
        page.get_by_role("button", name="신고").click()
        for code in codes:
            card = page.locator(f'[data-item="{code}"]')
            card.get_by_label("A 우수").check()
            card.get_by_label("강점").fill(f"{code} 근거가 충실함")
            card.get_by_label("강점").press("Tab")
            expect(card.get_by_test_id(f"state-{code}")).to_have_text("✔ 완료")
        page.get_by_test_id("confirm-link").click()
        page.get_by_label("비밀번호 (서명)").fill(PASSWORD)
        page.get_by_role("button", name="확정합니다").click()
        expect(page.get_by_test_id("sheet-status")).to_contain_text("확정")

    # 4. The admin: 현장실사, 인증위원회 (the decision), 결과통보, 이의신청.
    page.context.clear_cookies()
    login(admin_user.username)
    cycle = _advance(page, cycle)  # 서류심사 → 현장실사
    cycle = _advance(page, cycle)  # 현장실사 → 인증위원회: every sheet confirmed
    page.goto(reverse("evaluation:cycle_detail", args=[cycle.slug]))
    expect(page.get_by_test_id("gate-blockers")).to_contain_text("인증위원회 결정이 없습니다")
    page.goto(reverse("evaluation:application_result", args=[application.pk]))
    page.get_by_role("button", name="결정 기록").click()
    expect(page.get_by_test_id("committee-decision")).to_contain_text("인증")
    cycle = _advance(page, cycle)  # → 결과통보
    cycle = _advance(page, cycle)  # → 이의신청

    # 5. The institution sees its result (and may object within the window).
    page.context.clear_cookies()
    login(member.username)
    page.goto(reverse("evaluation:application_result", args=[application.pk]))
    expect(page.get_by_test_id("result-total")).to_contain_text("40.00 / 50")
    expect(page.get_by_test_id("result-decision")).to_contain_text("인증")
    expect(page.get_by_role("link", name="이의신청하기")).to_be_visible()

    # 6. The window passes (the clock: the 결과통보 advance is moved back), then 확정.
    CycleStageAdvance.objects.filter(cycle=cycle, to_stage=Stage.NOTIFICATION).update(
        advanced_at=timezone.now() - timedelta(days=cycle.objection_days + 1)
    )
    page.context.clear_cookies()
    login(admin_user.username)
    cycle = _advance(page, cycle)  # → 확정
    assert cycle.stage == Stage.FINAL
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECIDED
    certification = Certification.objects.get(application=application)
    assert certification.number == f"제{timezone.localdate().year}-0001호"

    # 7. Anyone with the certificate's address (its QR code) verifies it, without logging in.
    page.context.clear_cookies()
    verify = reverse("evaluation:certification_verify", args=[certification.verification_code])
    page.goto(verify)
    body = page.locator("main")
    expect(body).to_contain_text(certification.number)
    expect(body).to_contain_text(institution.name)
    expect(body).to_contain_text("유효")
    assert page.goto("/verify/" + "x" * 32 + "/").status == 404
