"""Browser journey on the demo itself (``seed_demo``), as the README tells a newcomer to start:
inst1 uploads a file to an item still missing in its ``demo-open`` draft; evaluator1 goes on
with its half-scored sheet in ``demo-review`` (autosave, progress); on ``demo-2026`` (이의신청)
the same evaluator's sheet offers nothing to score."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from evaluation.models import Application, Assignment, EvidenceFile, FileState, ItemScore
from operations.demo.accounts import DEMO_PASSWORD

from ..evaluation import files as F

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _codes(cycle):
    return list(
        cycle.rubric_version.items.order_by(
            "indicator__area__order", "indicator__order", "order"
        ).values_list("code", flat=True)
    )


def test_newcomer_uploads_on_demo_open_and_scores_on_demo_review(page, login, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())

    # inst1: its draft in demo-open has evidence on 10 of 19 items; it adds one.
    draft = Application.objects.get(
        cycle__slug="demo-open", institution__memberships__user__username="inst1"
    )
    attached = set(
        EvidenceFile.objects.filter(application=draft, state=FileState.CURRENT).values_list(
            "evidence__item__code", flat=True
        )
    )
    code = next(c for c in _codes(draft.cycle) if c not in attached)
    pdf_path = tmp_path / "추가자료.pdf"
    pdf_path.write_bytes(F.pdf_bytes("demo upload"))
    login("inst1", DEMO_PASSWORD)
    page.goto(reverse("evaluation:checklist", args=[draft.pk]))
    expect(page.get_by_test_id("progress")).to_contain_text("증빙 첨부 10 / 19 항목")
    row = page.locator(f"tr[data-item='{code}']")
    assert "없음" in row.inner_text()
    row.get_by_role("link", name=re.compile(rf"^{re.escape(code)} ")).click()
    page.get_by_label("파일 올리기 (여러 개 가능)").set_input_files(str(pdf_path))
    page.get_by_role("button", name="올리기", exact=True).click()
    status = page.get_by_test_id("upload-form").locator("[data-upload-status]")
    status.get_by_text(f"✔ {code}: 파일 1개를 첨부했습니다.").wait_for()
    page.goto(reverse("evaluation:checklist", args=[draft.pk]))
    expect(page.get_by_test_id("progress")).to_contain_text("증빙 첨부 11 / 19 항목")

    # evaluator1: the half-scored sheet of demo-review, saved as it is entered.
    page.context.clear_cookies()
    login("evaluator1", DEMO_PASSWORD)
    assignment = Assignment.objects.get(
        application__cycle__slug="demo-review",
        application__institution__memberships__user__username="inst2",
        evaluator__username="evaluator1",
    )
    codes = _codes(assignment.application.cycle)
    page.goto(reverse("evaluation:sheet", args=[assignment.pk]))
    progress = page.get_by_test_id("progress-label")
    expect(progress).to_contain_text("10 / 19 항목 완료")
    card = page.locator(f'[data-item="{codes[10]}"]')
    card.get_by_label(re.compile(r"^A ")).check()
    card.get_by_label("강점").fill(f"{codes[10]} 근거 자료가 충실함")
    card.get_by_label("강점").press("Tab")
    expect(card.get_by_test_id(f"state-{codes[10]}")).to_have_text("✔ 완료")
    expect(progress).to_contain_text("11 / 19 항목 완료")
    assert ItemScore.objects.get(sheet__assignment=assignment, item__code=codes[10]).grade == "A"

    # demo-2026 is at 이의신청: the same evaluator's confirmed sheet is read-only.
    done = Assignment.objects.get(
        application__cycle__slug="demo-2026",
        application__institution__memberships__user__username="inst2",
        evaluator__username="evaluator1",
    )
    page.goto(reverse("evaluation:sheet", args=[done.pk]))
    expect(page.get_by_test_id("sheet-status")).to_contain_text("확정")
    expect(
        page.locator(f'[data-item="{codes[0]}"]').get_by_label(re.compile(r"^S "))
    ).to_be_disabled()
