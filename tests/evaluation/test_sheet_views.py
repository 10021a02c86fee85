"""The score sheet pages per persona: the sheet, htmx autosave (200/422/409/404), 확정 with
the password, others' sheets after 확정, unlock, and the audit page."""

import html as htmllib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import (
    AreaSubstitution,
    AuditAction,
    ItemScore,
    ScoreAudit,
    Sheet,
    SheetStatus,
)
from evaluation.services.assignment import (
    assignment_create,
    conflict_declare,
    pledge_sign,
)
from evaluation.services.sheet import sheet_confirm
from institutions.models import Certificate

from ..conftest import PASSWORD, PERSONAS
from ..process import open_for_scoring
from . import files as F
from .helpers import without_data_marks
from .sheet_data import fill, mixed_rubric

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def rubric_version(db):
    return mixed_rubric()


@pytest.fixture
def pdf(application, member):
    [stored] = services.evidence_files_add(
        application=application,
        item=application.cycle.rubric_version.items.get(code="A.1.1"),
        uploads=[(F.upload("운영계획서.pdf", F.pdf_bytes("plan")), "운영계획서.pdf")],
        by=member,
    )
    services.evidence_narrative_save(
        application=application,
        item=application.cycle.rubric_version.items.get(code="A.1.1"),
        narrative="2026년 운영계획과 투자계획",
        by=member,
    )
    return stored


def _url(name, assignment, *args):
    return reverse(f"evaluation:{name}", args=[assignment.pk, *args])


def _save(client, assignment, code, data, htmx=True):
    return client.post(_url("score_save", assignment, code), data, headers=HTMX if htmx else {})


def _text(response) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(without_data_marks(response.content.decode())))


def _cleared(application, evaluator, admin_user):
    assignment = assignment_create(application=application, evaluator=evaluator, by=admin_user)
    pledge_sign(cycle=application.cycle, evaluator=evaluator, ip=None)
    return conflict_declare(assignment=assignment, conflict=False, by=evaluator)


# --- the sheet page ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_sheet_page_per_persona(persona, persona_client, pdf, cleared_assignment):
    user, client = persona_client
    response = client.get(_url("sheet", cleared_assignment))
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona == "evaluator":
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_sheet_page_shows_guidance_evidence_and_inputs(client_for, pdf, cleared_assignment):
    response = client_for(cleared_assignment.evaluator).get(_url("sheet", cleared_assignment))
    html = _text(response)
    # grouped by area and indicator, with purpose and checkpoints
    assert html.index('id="area-A"') < html.index('id="area-B"')
    assert "A.1 지표 A.1" in html
    assert "A.1.1 평가목적" in html and "A.1.1 착안사항" in html
    # the evidence, with the permission-checked preview and download views
    assert "2026년 운영계획과 투자계획" in html
    assert reverse("evaluation:file_preview", args=[pdf.pk]) in html
    assert reverse("evaluation:file_download", args=[pdf.pk]) in html
    # grade: labelled radios with the points each gives
    assert 'id="grade-A.1.1-S" value="S"' in html
    assert (
        '<label class="form-check-label" for="grade-A.1.1-A"><span class="fw-semibold">A</span> 우수 <span class="text-muted">(8점)</span></label>'
        in html
    )
    # points, bands, penalty inputs with their rules in the label
    assert "A.1.2 점수 (0~10점, 0.5점 단위)" in html
    assert 'name="value" id="value-A.1.2" min="0" max="10" step="0.5"' in html
    assert "A.1.3 측정값 (%)" in html and "≥ 80" in html
    assert "A.1.4 위반 건수 (건당 -3점, 최대 -10점)" in html
    assert 'for="strength-A.1.1"' in html and 'for="improvement-A.1.1"' in html
    assert "0 / 19 항목 완료" in html
    assert "합계 0점 / 190점" in html
    assert 'name="version" value="0"' in html


def test_sheet_page_redirects_to_pledge_then_declaration(client_for, assignment, evaluator):
    client = client_for(evaluator)
    response = client.get(_url("sheet", assignment))
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("evaluation:pledge", args=[assignment.application.cycle.slug])
    )
    pledge_sign(cycle=assignment.application.cycle, evaluator=evaluator, ip=None)
    response = client.get(_url("sheet", assignment))
    assert response["Location"].startswith(reverse("evaluation:declare", args=[assignment.pk]))


def test_conflicted_evaluator_gets_404_everywhere(client_for, pdf, cleared_assignment, evaluator):
    conflict_declare(assignment=cleared_assignment, conflict=True, reason="친족", by=evaluator)
    client = client_for(evaluator)
    assert client.get(_url("sheet", cleared_assignment)).status_code == 404
    response = _save(client, cleared_assignment, "A.1.1", {"version": 0, "grade": "A"})
    assert response.status_code == 404
    assert (
        client.post(_url("sheet_confirm", cleared_assignment), {"password": PASSWORD}).status_code
        == 404
    )
    assert client.get(reverse("evaluation:file_preview", args=[pdf.pk])).status_code == 404
    assert not ItemScore.objects.exists()


def test_substituted_area_shows_as_substituted(
    client_for, cleared_assignment, admin_user, institution
):
    certificate = Certificate.objects.create(
        institution=institution,
        kind="ISMS",
        number="ISMS-KISA-1",
        issuer="KISA",
        valid_from="2025-01-01",
        valid_until="2027-12-31",
    )
    AreaSubstitution.objects.create(
        application=cleared_assignment.application,
        area=cleared_assignment.application.cycle.rubric_version.areas.get(code="D"),
        certificate=certificate,
        confirmed_by=admin_user,
    )
    html = _text(client_for(cleared_assignment.evaluator).get(_url("sheet", cleared_assignment)))
    assert "대체" in html
    assert "ISMS 인증(ISMS-KISA-1)으로 이 영역 전체가 대체 인정되어 채점하지 않습니다." in html
    assert "인정 점수: 40점 × 1 = 40점" in html
    assert 'id="item-D.1.1"' not in html
    assert "0 / 15 항목 완료" in html
    assert "합계 40점 / 190점" in html and "대체 영역 40점 포함" in html
    response = _save(
        client_for(cleared_assignment.evaluator),
        cleared_assignment,
        "D.1.1",
        {"version": 0, "grade": "A"},
    )
    assert response.status_code == 422
    assert "D.1.1: 인증서로 대체 인정된 영역의 항목이므로 채점하지 않습니다." in _text(response)


# --- autosave ------------------------------------------------------------------------------


def test_autosave_returns_version_points_and_progress(client_for, cleared_assignment):
    client = client_for(cleared_assignment.evaluator)
    response = _save(
        client, cleared_assignment, "A.1.1", {"version": 0, "grade": "A", "strength": "계획 구체적"}
    )
    assert response.status_code == 200
    html = _text(response)
    assert '<input type="hidden" name="version" value="1">' in html
    assert '<output id="points-A.1.1" hx-swap-oob="innerHTML">8점</output>' in html
    assert "1 / 19 항목 완료" in html and "합계 8점 / 190점" in html
    assert 'id="state-A.1.1"' in html and "✔ 완료" in html
    row = ItemScore.objects.get()
    assert (row.grade, row.points, row.strength, row.version) == (
        "A",
        Decimal("8"),
        "계획 구체적",
        1,
    )
    response = _save(client, cleared_assignment, "A.1.4", {"version": 0, "count": "2"})
    html = _text(response)
    assert "-6점" in html
    assert "1 / 19 항목 완료" in html  # no comment yet: not complete
    assert "합계 2점 / 190점" in html


def test_autosave_bad_input_is_422_and_stores_nothing(client_for, cleared_assignment):
    client = client_for(cleared_assignment.evaluator)
    cases = [
        ("A.1.1", {"version": 0, "grade": "Q"}, "A.1.1: 'Q' 등급은 척도에 없습니다"),
        ("A.1.2", {"version": 0, "value": "11"}, "A.1.2: 점수(11)는 0~10 범위를 벗어납니다"),
        ("A.1.2", {"version": 0, "value": "2.25"}, "A.1.2: 점수(2.25)는 0.5 단위가 아닙니다"),
        ("A.1.4", {"version": 0, "count": "-2"}, "A.1.4: 건수 '-2': 음수일 수 없습니다"),
        ("A.1.1", {"version": "x", "grade": "A"}, "A.1.1: 화면의 버전 정보가 올바르지 않습니다."),
    ]
    for code, data, message in cases:
        response = _save(client, cleared_assignment, code, data)
        assert response.status_code == 422, code
        html = _text(response)
        assert message in html
        assert f'name="version" value="{data["version"]}"' in html  # the screen keeps its version
        assert "hx-swap-oob" not in html
    assert not ItemScore.objects.exists()
    assert not ScoreAudit.objects.exists()


def test_autosave_stale_version_is_409_with_the_stored_value(client_for, cleared_assignment):
    tab1 = client_for(cleared_assignment.evaluator)
    tab2 = client_for(cleared_assignment.evaluator)
    assert (
        _save(
            tab1,
            cleared_assignment,
            "A.1.1",
            {"version": 0, "grade": "B", "strength": "첫 탭 의견"},
        ).status_code
        == 200
    )
    response = _save(
        tab2, cleared_assignment, "A.1.1", {"version": 0, "grade": "S", "strength": "둘째 탭"}
    )
    assert response.status_code == 409
    html = _text(response)
    assert (
        "A.1.1: 다른 창(탭)에서 이 항목이 먼저 저장되어(저장된 버전 1, 이 화면의 버전 0) 이 입력은 저장하지 않았습니다."
        in html
    )
    assert 'data-testid="conflict-entry">B (6점)' in html
    assert "첫 탭 의견" in html
    assert '<input type="hidden" name="version" value="0">' in html
    assert 'data-adopt-version="1"' in html
    row = ItemScore.objects.get()
    assert (row.grade, row.strength, row.version) == ("B", "첫 탭 의견", 1)
    assert ScoreAudit.objects.count() == 1
    # Choosing "keep mine" sends the stored version: the save goes through, audited.
    response = _save(
        tab2, cleared_assignment, "A.1.1", {"version": 1, "grade": "S", "strength": "둘째 탭"}
    )
    assert response.status_code == 200
    assert ItemScore.objects.get().grade == "S"
    assert ScoreAudit.objects.count() == 2


@pytest.mark.parametrize(
    "persona", ["admin_user", "manager", "other_evaluator", "member", "other_member"]
)
def test_autosave_by_anyone_else_is_404(persona, persona_client, cleared_assignment):
    user, client = persona_client
    response = _save(client, cleared_assignment, "A.1.1", {"version": 0, "grade": "A"})
    assert response.status_code == 404
    assert not ItemScore.objects.exists()


def test_autosave_by_anonymous_redirects_to_login(client, cleared_assignment):
    response = _save(client, cleared_assignment, "A.1.1", {"version": 0, "grade": "A"})
    assert response.status_code == 302
    assert not ItemScore.objects.exists()


def test_autosave_of_unknown_item_is_404(client_for, cleared_assignment):
    client = client_for(cleared_assignment.evaluator)
    assert _save(client, cleared_assignment, "Z.9.9", {"version": 0}).status_code == 404


def test_plain_form_post_without_js_redirects_with_message(client_for, cleared_assignment):
    client = client_for(cleared_assignment.evaluator)
    response = _save(
        client, cleared_assignment, "A.1.2", {"version": 0, "value": "7.5"}, htmx=False
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#item-A.1.2")
    assert ItemScore.objects.get().points == Decimal("7.5")
    response = _save(client, cleared_assignment, "A.1.2", {"version": 0, "value": "8"}, htmx=False)
    assert response.status_code == 302
    page = _text(client.get(response["Location"]))
    assert "A.1.2: 다른 창(탭)에서 이 항목이 먼저 저장되어" in page
    assert ItemScore.objects.get().points == Decimal("7.5")


def test_autosave_after_confirm_is_refused(client_for, cleared_assignment):
    fill(cleared_assignment)
    sheet_confirm(assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD)
    client = client_for(cleared_assignment.evaluator)
    response = _save(client, cleared_assignment, "A.1.1", {"version": 1, "grade": "S"})
    assert response.status_code == 422
    assert "A.1.1: 확정된 평가표는 수정할 수 없습니다" in _text(response)
    assert ItemScore.objects.get(item__code="A.1.1").grade == "A"


# --- 확정 ----------------------------------------------------------------------------------


def test_confirm_page_lists_missing_items(client_for, cleared_assignment):
    fill(cleared_assignment, skip={"B.1.2"})
    client = client_for(cleared_assignment.evaluator)
    html = _text(client.get(_url("sheet_confirm", cleared_assignment)))
    assert "입력이 끝나지 않은 항목이 1개 있어 아직 확정할 수 없습니다." in html
    assert "B.1.2 항목 B.1.2: 등급 미입력, 강점 또는 개선사항 의견 없음" in html
    # Issue 14, item 17: each unfinished item links to its card on the sheet.
    sheet_url = _url("sheet", cleared_assignment)
    assert f'<a href="{sheet_url}#item-B.1.2">B.1.2 항목 B.1.2: 등급 미입력' in html
    # …and the sheet has an index of its 19 items that stays in view while scrolling.
    sheet = _text(client.get(sheet_url))
    index = sheet[
        sheet.index('data-testid="sheet-index"') : sheet.index(
            "</nav>", sheet.index('data-testid="sheet-index"')
        )
    ]
    assert index.count('<a href="#item-') == 19
    assert '<a href="#item-B.1.2">B.1.2</a>' in index  # unfinished: no ✔
    assert "완료 </span>B.1.1</a>" in index
    assert 'name="password"' not in html
    response = client.post(_url("sheet_confirm", cleared_assignment), {"password": PASSWORD})
    assert response.status_code == 400
    html = _text(response)
    assert "입력이 끝나지 않은 항목이 1개 있어 확정하지 않았습니다." in html
    assert "B.1.2 항목 B.1.2: 등급 미입력" in html
    assert Sheet.objects.get().status == SheetStatus.DRAFT


def test_confirm_with_wrong_password_then_right(client_for, cleared_assignment):
    fill(cleared_assignment)
    client = client_for(cleared_assignment.evaluator)
    page = _text(client.get(_url("sheet_confirm", cleared_assignment)))
    assert '<label class="form-label" for="id_password">비밀번호 (서명)</label>' in page
    assert "합계 140.5점 / 190점" in page
    response = client.post(_url("sheet_confirm", cleared_assignment), {"password": "nope"})
    assert response.status_code == 400
    assert "비밀번호가 맞지 않아 확정하지 않았습니다." in _text(response)
    assert Sheet.objects.get().status == SheetStatus.DRAFT
    response = client.post(_url("sheet_confirm", cleared_assignment), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == _url("sheet", cleared_assignment)
    sheet = Sheet.objects.get()
    assert sheet.status == SheetStatus.CONFIRMED
    html = _text(client.get(response["Location"]))
    assert "평가표를 확정했습니다. 합계 140.5점 / 190점." in html
    assert sheet.content_hash in html
    assert "✔ 확정" in html
    # Issue 14, item 17: the confirmed sheet offers its 평가표 PDF.
    pdf_url = reverse("reports:request_sheet", args=[cleared_assignment.pk])
    assert f'<form method="post" action="{pdf_url}"' in html and "평가표 PDF 받기" in html
    # …and its button says it is working once pressed (static/js/app.js)
    assert 'data-busy-label="만드는 중…"' in html
    assert "hx-post" not in html  # locked: no autosave
    assert html.count(" disabled>") >= 19


def test_repeated_wrong_passwords_lock_confirmation(client_for, cleared_assignment, settings):
    fill(cleared_assignment)
    client = client_for(cleared_assignment.evaluator)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(_url("sheet_confirm", cleared_assignment), {"password": "guess"})
    response = client.post(_url("sheet_confirm", cleared_assignment), {"password": PASSWORD})
    assert response.status_code in (403, 429)
    assert Sheet.objects.get().status == SheetStatus.DRAFT


@pytest.mark.parametrize("persona", ["admin_user", "manager", "other_evaluator", "member"])
def test_confirm_by_anyone_else_is_404(persona, persona_client, cleared_assignment):
    fill(cleared_assignment)
    user, client = persona_client
    assert client.get(_url("sheet_confirm", cleared_assignment)).status_code == 404
    response = client.post(_url("sheet_confirm", cleared_assignment), {"password": PASSWORD})
    assert response.status_code == 404
    assert Sheet.objects.get().status == SheetStatus.DRAFT


# --- others' sheets ------------------------------------------------------------------------


@pytest.fixture
def three_sheets(application, evaluator, make_user, admin_user):
    from institutions.roles import Role

    mine = _cleared(application, evaluator, admin_user)
    open_for_scoring(application.cycle, admin_user)  # submitted, in 서류심사 (ADR 011)
    others = []
    for name, comment in (("박위원", "박 위원의 강점 의견"), ("최위원", "최 위원의 강점 의견")):
        user = make_user(name, Role.EVALUATOR)
        assignment = _cleared(application, user, admin_user)
        fill(assignment, comment=comment)
        sheet_confirm(assignment=assignment, by=user, password=PASSWORD)
        others.append(assignment)
    return mine, others


def test_others_never_visible_before_confirm(client_for, three_sheets):
    mine, _ = three_sheets
    cycle = mine.application.cycle
    cycle.show_other_sheets_after_confirm = True
    cycle.save(update_fields=["show_other_sheets_after_confirm"])
    fill(mine, comment="내 의견")
    html = _text(client_for(mine.evaluator).get(_url("sheet", mine)))
    assert "박 위원의 강점 의견" not in html and "최 위원의 강점 의견" not in html
    assert "평가위원 A" not in html and "other-sheets" not in html


def test_others_anonymised_after_confirm_when_allowed(client_for, three_sheets):
    mine, _ = three_sheets
    cycle = mine.application.cycle
    cycle.show_other_sheets_after_confirm = True
    cycle.save(update_fields=["show_other_sheets_after_confirm"])
    fill(mine, comment="내 의견")
    sheet_confirm(assignment=mine, by=mine.evaluator, password=PASSWORD)
    html = _text(client_for(mine.evaluator).get(_url("sheet", mine)))
    assert "다른 평가위원의 확정 평가표 (익명)" in html
    assert "평가위원 A" in html and "평가위원 B" in html and "평가위원 C" not in html
    assert "박 위원의 강점 의견" in html and "최 위원의 강점 의견" in html
    assert "박위원" not in html and "최위원" not in html


def test_others_hidden_after_confirm_when_not_allowed(client_for, three_sheets):
    mine, _ = three_sheets
    fill(mine, comment="내 의견")
    sheet_confirm(assignment=mine, by=mine.evaluator, password=PASSWORD)
    html = _text(client_for(mine.evaluator).get(_url("sheet", mine)))
    assert "박 위원의 강점 의견" not in html and "평가위원 A" not in html


def test_conflicted_others_are_not_shown(client_for, three_sheets, admin_user):
    mine, others = three_sheets
    cycle = mine.application.cycle
    cycle.show_other_sheets_after_confirm = True
    cycle.save(update_fields=["show_other_sheets_after_confirm"])
    services.assignment.assignment_disqualify(
        assignment=others[0], reason="제척 사유", by=admin_user
    )
    fill(mine, comment="내 의견")
    sheet_confirm(assignment=mine, by=mine.evaluator, password=PASSWORD)
    html = _text(client_for(mine.evaluator).get(_url("sheet", mine)))
    assert "박 위원의 강점 의견" not in html
    assert "최 위원의 강점 의견" in html and "평가위원 A" in html and "평가위원 B" not in html


# --- unlock and audit ----------------------------------------------------------------------


@pytest.fixture
def confirmed(cleared_assignment):
    fill(cleared_assignment)
    sheet_confirm(assignment=cleared_assignment, by=cleared_assignment.evaluator, password=PASSWORD)
    return cleared_assignment


@pytest.mark.parametrize("persona", PERSONAS)
def test_unlock_per_persona(persona, persona_client, confirmed):
    user, client = persona_client
    response = client.post(_url("sheet_unlock", confirmed), {"reason": "A.1.1 재검토"})
    sheet = Sheet.objects.get()
    if persona == "admin_user":
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "evaluation:sheet_audit", args=[confirmed.application_id]
        )
        assert sheet.status == SheetStatus.DRAFT
        assert ScoreAudit.objects.filter(action=AuditAction.UNLOCK, reason="A.1.1 재검토").exists()
    else:
        assert response.status_code == (302 if persona == "anonymous" else 404)
        assert sheet.status == SheetStatus.CONFIRMED


def test_unlock_without_reason_is_refused(client_for, confirmed, admin_user):
    client = client_for(admin_user)
    response = client.post(_url("sheet_unlock", confirmed), {"reason": ""}, follow=True)
    assert "확정 해제 사유를 입력하십시오." in _text(response)
    assert Sheet.objects.get().status == SheetStatus.CONFIRMED


@pytest.mark.parametrize("persona", PERSONAS)
def test_audit_page_per_persona(persona, persona_client, confirmed):
    user, client = persona_client
    response = client.get(reverse("evaluation:sheet_audit", args=[confirmed.application_id]))
    if persona in ("admin_user", "manager"):
        assert response.status_code == 200
        html = _text(response)
        assert "점수 변경 이력" in html
        assert Sheet.objects.get().content_hash in html
        assert html.count('data-action="save"') == 19
        assert html.count('data-action="confirm"') == 1
        assert "입력: A · 점수: 8 · 강점: 근거가 충분함 · 버전: 1" in html
        assert ("확정 해제 사유" in html) == (persona == "admin_user")
    elif persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", ["admin_user", "manager", "member"])
def test_checklist_links_to_the_audit_page_for_staff(persona, persona_client, application):
    user, client = persona_client
    html = _text(client.get(reverse("evaluation:checklist", args=[application.pk])))
    link = reverse("evaluation:sheet_audit", args=[application.pk])
    assert (link in html) == (persona != "member")
