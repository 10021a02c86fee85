"""The institution portal for every persona."""

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import (
    Application,
    ApplicationStatus,
    Cycle,
    Evidence,
    EvidenceFile,
    EvidenceReopening,
    FileState,
)
from institutions.models import Certificate

from ..personas import PERSONAS, expect
from . import files as F
from .helpers import post_files, without_data_marks

pytestmark = pytest.mark.django_db


def _text(response):
    return html.unescape(without_data_marks(response.content.decode()))


@pytest.mark.parametrize("persona", PERSONAS)
def test_portal_per_persona(persona, persona_client, cycle):
    _user, client = persona_client
    response = client.get(reverse("evaluation:portal"))
    expect(response, persona, {"member": 200, "other_member": 200})
    if response.status_code == 200:
        assert "2026 인증 평가" in _text(response)  # open for applications


@pytest.mark.parametrize("persona", PERSONAS)
def test_apply_per_persona(persona, persona_client, cycle):
    _user, client = persona_client
    url = reverse("evaluation:apply", args=[cycle.slug])
    expect(client.get(url), persona, {"member": 200, "other_member": 200})


def test_member_applies_through_the_portal(client_for, member, cycle, institution):
    client = client_for(member)
    response = client.post(
        reverse("evaluation:apply", args=[cycle.slug]), {"institution": institution.pk}
    )
    application = Application.objects.get()
    assert response.url == reverse("evaluation:checklist", args=[application.pk])
    assert application.institution == institution
    # Once applied the cycle is no longer offered, and applying again is 404.
    assert "신청하기" not in _text(client.get(reverse("evaluation:portal")))
    assert client.get(reverse("evaluation:apply", args=[cycle.slug])).status_code == 404


def test_member_cannot_apply_for_another_institution(client_for, member, cycle, other_institution):
    response = client_for(member).post(
        reverse("evaluation:apply", args=[cycle.slug]), {"institution": other_institution.pk}
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_ineligible_institution_sees_every_reason(client_for, member, cycle, institution):
    institution.registered_on = date(2024, 1, 1)
    institution.sanctioned = True
    institution.save()
    response = client_for(member).post(
        reverse("evaluation:apply", args=[cycle.slug]), {"institution": institution.pk}
    )
    assert response.status_code == 400
    text = _text(response)
    assert "등록일(2024-01-01)은 기준일 2026-01-01보다 3년 이상 앞서야 합니다" in text
    assert "제재 이력이 있는 기관은 신청할 수 없습니다." in text
    assert not Application.objects.exists()


CHECKLIST_ACCESS = {"member": 200, "admin_user": 200, "manager": 200}


@pytest.mark.parametrize("persona", PERSONAS)
def test_checklist_per_persona(persona, persona_client, application):
    _user, client = persona_client
    response = client.get(reverse("evaluation:checklist", args=[application.pk]))
    expect(response, persona, CHECKLIST_ACCESS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_item_page_per_persona(persona, persona_client, application):
    _user, client = persona_client
    response = client.get(reverse("evaluation:item_evidence", args=[application.pk, "A.1.1"]))
    expect(response, persona, CHECKLIST_ACCESS)
    if response.status_code == 200:
        text = _text(response)
        assert "A.1.1 평가목적" in text and "A.1.1 착안사항" in text  # the item's guidance
        assert ("파일 올리기" in text) == (persona == "member")


def test_unknown_item_is_404(client_for, member, application):
    url = reverse("evaluation:item_evidence", args=[application.pk, "Z.9.9"])
    assert client_for(member).get(url).status_code == 404


def test_checklist_shows_status_guidance_and_progress(client_for, member, application):
    item = application.cycle.rubric_version.items.get(code="B.1.1")
    services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("a.pdf", F.pdf_bytes()), "a.pdf")],
        by=member,
    )
    text = _text(client_for(member).get(reverse("evaluation:checklist", args=[application.pk])))
    assert "증빙 첨부 1 / 19 항목" in text
    assert text.count('data-status="attached"') == 1
    assert text.count('data-status="missing"') == 18
    assert "✔ 첨부됨" in text and "✖ 없음" in text  # not colour alone
    assert "B.1.1 평가목적" in text and "B.1.1 착안사항" in text
    assert 'max="19"' in text


def test_checklist_notes_a_valid_certificate_for_the_substitutable_area(
    client_for, member, application, institution
):
    Certificate.objects.create(
        institution=institution,
        kind="ISMS",
        number="ISMS-1",
        issuer="KISA",
        valid_from=date(2025, 1, 1),
        valid_until=date(2027, 12, 31),
    )
    text = _text(client_for(member).get(reverse("evaluation:checklist", args=[application.pk])))
    assert "ISMS 인증 보유 (~2027-12-31) · 영역 대체 인정 대상" in text


@pytest.mark.parametrize("persona", PERSONAS)
def test_upload_per_persona(persona, persona_client, application, _uploads_in_tmp):
    _user, client = persona_client
    response = post_files(client, application, [("보고서.pdf", F.pdf_bytes())])
    if persona == "member":
        assert response.status_code == 302
        assert EvidenceFile.objects.count() == 1
    else:
        expect(response, persona, {})
        assert not EvidenceFile.objects.exists()


def test_xhr_upload_returns_the_new_file_list(client_for, member, application):
    response = post_files(
        client_for(member), application, [("운영계획서.pdf", F.pdf_bytes())], json=True
    )
    body = response.json()
    assert body["ok"] is True
    assert body["message"] == "A.1.1: 파일 1개를 첨부했습니다."
    assert "운영계획서.pdf" in body["files_html"]
    assert 'id="evidence-files"' in body["files_html"]


def test_replace_through_the_view_keeps_the_old_version_listed(client_for, member, application):
    client = client_for(member)
    post_files(client, application, [("v1.pdf", F.pdf_bytes("1"))])
    old = EvidenceFile.objects.get()
    response = post_files(
        client, application, [("v2.pdf", F.pdf_bytes("2"))], fields={"replaces": old.pk}
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.state == FileState.SUPERSEDED
    page = _text(client.get(reverse("evaluation:item_evidence", args=[application.pk, "A.1.1"])))
    assert "v2.pdf" in page
    assert "이전 버전·뺀 파일 1개 (제출하면 삭제됩니다)" in page


def test_replacing_another_items_file_is_404(client_for, member, application):
    client = client_for(member)
    post_files(client, application, [("v1.pdf", F.pdf_bytes("1"))], code="B.1.1")
    other_item_file = EvidenceFile.objects.get()
    response = post_files(
        client, application, [("v2.pdf", F.pdf_bytes("2"))], fields={"replaces": other_item_file.pk}
    )
    assert response.status_code == 404
    assert EvidenceFile.objects.count() == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_narrative_per_persona(persona, persona_client, application):
    _user, client = persona_client
    response = client.post(
        reverse("evaluation:narrative_save", args=[application.pk, "A.1.1"]),
        {"narrative": "계획서 첨부"},
    )
    if persona == "member":
        assert response.status_code == 302
        assert Evidence.objects.get().narrative == "계획서 첨부"
    else:
        expect(response, persona, {})
        assert not Evidence.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_remove_per_persona(persona, persona_client, application, member):
    [stored] = services.evidence_files_add(
        application=application,
        item=application.cycle.rubric_version.items.get(code="A.1.1"),
        uploads=[(F.upload("a.pdf", F.pdf_bytes()), "a.pdf")],
        by=member,
    )
    _user, client = persona_client
    response = client.post(reverse("evaluation:file_remove", args=[stored.pk]))
    stored.refresh_from_db()
    if persona == "member":
        assert response.status_code == 302
        assert stored.state == FileState.REMOVED
    else:
        expect(response, persona, {})
        assert stored.state == FileState.CURRENT


@pytest.mark.parametrize("persona", PERSONAS)
def test_submit_per_persona(persona, persona_client, application):
    _user, client = persona_client
    url = reverse("evaluation:submit", args=[application.pk])
    expect(client.get(url), persona, {"member": 200})
    response = client.post(url)
    application.refresh_from_db()
    if persona == "member":
        assert response.status_code == 302
        assert application.status == ApplicationStatus.SUBMITTED
    else:
        expect(response, persona, {})
        assert application.status == ApplicationStatus.DRAFT


def test_submit_confirmation_lists_the_missing_items(client_for, member, application):
    item = application.cycle.rubric_version.items.get(code="A.1.1")
    services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("a.pdf", F.pdf_bytes()), "a.pdf")],
        by=member,
    )
    text = _text(client_for(member).get(reverse("evaluation:submit", args=[application.pk])))
    assert "증빙이 없는 항목이 18개 있습니다." in text
    assert "A.1.2 항목 A.1.2" in text
    assert "A.1.1 항목 A.1.1" not in text
    assert "누락 항목이 있지만 제출합니다" in text


def test_after_the_deadline_the_pages_say_why_nothing_can_change(client_for, member, application):
    Cycle.objects.filter(pk=application.cycle_id).update(
        evidence_deadline=timezone.now() - timedelta(minutes=5)
    )
    client = client_for(member)
    checklist = _text(client.get(reverse("evaluation:checklist", args=[application.pk])))
    assert "이 지나 증빙을 변경할 수 없습니다" in checklist
    assert "제출하기" not in checklist
    item = _text(client.get(reverse("evaluation:item_evidence", args=[application.pk, "A.1.1"])))
    assert "파일 올리기" not in item
    response = client.post(reverse("evaluation:submit", args=[application.pk]), follow=True)
    assert "이 지나 증빙을 변경할 수 없습니다" in _text(response)
    assert Application.objects.get().status == ApplicationStatus.DRAFT


@pytest.mark.parametrize("persona", PERSONAS)
def test_reopen_per_persona(persona, persona_client, application, member):
    services.application_submit(application=application, by=member)
    _user, client = persona_client
    until = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("evaluation:reopen", args=[application.pk]),
        {"reason": "파일 손상", "open_until": until},
    )
    application.refresh_from_db()
    if persona == "admin_user":
        assert response.status_code == 302
        assert application.status == ApplicationStatus.DRAFT
        assert EvidenceReopening.objects.get().reason == "파일 손상"
    else:
        expect(response, persona, {})
        assert application.status == ApplicationStatus.SUBMITTED
        assert not EvidenceReopening.objects.exists()


def test_reopen_without_reason_shows_korean_error(client_for, admin_user, application, member):
    services.application_submit(application=application, by=member)
    response = client_for(admin_user).post(
        reverse("evaluation:reopen", args=[application.pk]),
        {"reason": "", "open_until": "2030-01-01T10:00"},
        follow=True,
    )
    assert "재개방 사유:" in _text(response)
    assert not EvidenceReopening.objects.exists()
