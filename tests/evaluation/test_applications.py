"""Applications: eligibility, uniqueness, transitions (each logged), submit, reopen, withdraw."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluation import services
from evaluation.models import (
    Application,
    ApplicationStatus,
    ApplicationTransition,
    Cycle,
    EvidenceFile,
    EvidenceReopening,
    FileState,
    Stage,
)
from institutions.roles import Role
from institutions.services import membership_add

from . import files as F
from .helpers import stored_files

pytestmark = pytest.mark.django_db


def _add(application, member, code="A.1.1", name="보고서.pdf", content=None):
    item = application.cycle.rubric_version.items.get(code=code)
    content = content or F.pdf_bytes(f"{code}-{name}")
    return services.evidence_files_add(
        application=application, item=item, uploads=[(F.upload(name, content), name)], by=member
    )[0]


def test_member_applies_and_the_creation_is_logged(cycle, institution, member):
    application = services.application_create(cycle=cycle, institution=institution, by=member)
    assert application.status == ApplicationStatus.DRAFT
    log = application.transitions.get()
    assert (log.from_status, log.to_status, log.by) == ("", "draft", member)


def test_refusal_lists_every_reason_at_once(cycle, make_institution, make_user):
    young = make_institution("신생기관", registered_on=date(2024, 6, 1), sanctioned=True)
    user = make_user("young1", Role.INSTITUTION)
    membership_add(user=user, institution=young)
    with pytest.raises(ValidationError) as caught:
        services.application_create(cycle=cycle, institution=young, by=user)
    assert caught.value.messages == [
        "신생기관: 등록일(2024-06-01)은 기준일 2026-01-01보다 3년 이상 앞서야 합니다 "
        "(2023-01-01 이전 등록 기관만 신청할 수 있습니다).",
        "신생기관: 제재 이력이 있는 기관은 신청할 수 없습니다.",
    ]
    assert not Application.objects.exists()


def test_registered_exactly_three_years_before_is_eligible(cycle, make_institution, make_user):
    inst = make_institution("경계기관", registered_on=date(2023, 1, 1))
    user = make_user("edge1", Role.INSTITUTION)
    membership_add(user=user, institution=inst)
    assert services.application_create(cycle=cycle, institution=inst, by=user).pk


def test_cycle_not_open_and_duplicate_are_refused(cycle, institution, member, admin_user):
    services.application_create(cycle=cycle, institution=institution, by=member)
    with pytest.raises(ValidationError) as caught:
        services.application_create(cycle=cycle, institution=institution, by=member)
    assert caught.value.messages == ["한빛잡정보 기관은 이미 '2026 인증 평가'에 신청했습니다."]
    services.cycle_advance_stage(
        cycle=cycle, by=admin_user, expected_stage=Stage.APPLICATION, reason="조기 마감"
    )
    with pytest.raises(
        ValidationError, match="지금 신청을 받지 않습니다 \\(현재 단계: 서류심사\\)"
    ):
        services.application_create(cycle=cycle, institution=institution, by=member)
    assert Application.objects.count() == 1


def test_one_application_per_institution_and_cycle_in_the_database(application, member):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            cycle=application.cycle, institution=application.institution, created_by=member
        )


def test_outsider_cannot_apply_for_an_institution(cycle, institution, other_member):
    with pytest.raises(PermissionDenied):
        services.application_create(cycle=cycle, institution=institution, by=other_member)


def test_transitions_follow_the_map_and_are_each_logged(application, member, admin_user):
    services.application_submit(application=application, by=member)
    services.application_transition(application=application, to="under_review", by=admin_user)
    services.application_transition(application=application, to="scored", by=admin_user)
    services.application_transition(application=application, to="decided", by=admin_user)
    application.refresh_from_db()
    assert application.status == "decided"
    assert [(t.from_status, t.to_status) for t in ApplicationTransition.objects.order_by("pk")] == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "scored"),
        ("scored", "decided"),
    ]
    with pytest.raises(
        ValidationError, match="'결과 확정' 상태에서 '작성 중' 상태로 바꿀 수 없습니다"
    ):
        services.application_transition(application=application, to="draft", by=admin_user)
    assert ApplicationTransition.objects.count() == 5


def test_submit_locks_evidence_and_purges_replaced_versions(
    application, member, _uploads_in_tmp, django_capture_on_commit_callbacks
):
    old = _add(application, member, name="초안.pdf")
    item = old.evidence.item
    new = services.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("최종.pdf", F.pdf_bytes("final")), "최종.pdf")],
        by=member,
        replaces=old,
    )[0]
    removed = _add(application, member, code="B.1.1", name="잘못.pdf")
    services.evidence_file_remove(file=removed, by=member)
    assert len(stored_files(_uploads_in_tmp)) == 3  # kept until submission

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=member)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at is not None
    assert [p.name for p in stored_files(_uploads_in_tmp)] == [new.storage_key.rsplit("/")[-1]]
    old.refresh_from_db()
    assert old.state == FileState.SUPERSEDED and old.purged_at is not None
    with pytest.raises(ValidationError, match="'제출 완료' 상태이므로 증빙을 변경할 수 없습니다"):
        _add(application, member, code="C.1.1")
    with pytest.raises(ValidationError):
        services.evidence_file_remove(file=new, by=member)
    assert EvidenceFile.objects.filter(state=FileState.CURRENT).count() == 1


def test_submit_rolled_back_keeps_every_file(application, member, _uploads_in_tmp):
    old = _add(application, member, name="초안.pdf")
    services.evidence_files_add(
        application=application,
        item=old.evidence.item,
        uploads=[(F.upload("최종.pdf", F.pdf_bytes("final")), "최종.pdf")],
        by=member,
        replaces=old,
    )

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.application_submit(application=application, by=member)
        raise Boom
    assert len(stored_files(_uploads_in_tmp)) == 2
    assert Application.objects.get().status == ApplicationStatus.DRAFT


def test_submit_after_the_deadline_is_refused(application, member):
    Cycle.objects.filter(pk=application.cycle_id).update(
        evidence_deadline=timezone.now() - timedelta(hours=1)
    )
    application.refresh_from_db()
    with pytest.raises(ValidationError, match="증빙 제출 기한"):
        services.application_submit(application=application, by=member)
    assert Application.objects.get().status == ApplicationStatus.DRAFT


def test_only_members_submit(application, other_member, admin_user):
    for outsider in (other_member, admin_user):
        with pytest.raises(PermissionDenied):
            services.application_submit(application=application, by=outsider)


def test_admin_reopens_with_a_reason_and_the_member_can_edit_again(application, member, admin_user):
    services.application_submit(application=application, by=member)
    Cycle.objects.filter(pk=application.cycle_id).update(
        evidence_deadline=timezone.now() - timedelta(hours=1)
    )
    until = timezone.now() + timedelta(days=2)
    services.evidence_reopen(
        application=application, by=admin_user, reason="D.1.2 파일 손상", open_until=until
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.evidence_open_until == until
    reopening = EvidenceReopening.objects.get()
    assert (reopening.reopened_by, reopening.reason) == (admin_user, "D.1.2 파일 손상")
    last = application.transitions.order_by("-pk").first()
    assert (last.from_status, last.to_status, last.by, last.reason) == (
        "submitted",
        "draft",
        admin_user,
        "증빙 재개방: D.1.2 파일 손상",
    )
    assert _add(application, member, code="D.1.2").pk  # past the deadline, but reopened


def test_reopen_needs_an_admin_a_reason_and_a_future_time(application, manager, admin_user):
    with pytest.raises(PermissionDenied):
        services.evidence_reopen(
            application=application,
            by=manager,
            reason="x",
            open_until=timezone.now() + timedelta(days=1),
        )
    with pytest.raises(ValidationError) as caught:
        services.evidence_reopen(
            application=application,
            by=admin_user,
            reason="  ",
            open_until=timezone.now() - timedelta(days=1),
        )
    assert caught.value.messages[0] == "재개방 사유를 입력하십시오."
    assert "지금 이후여야 합니다" in caught.value.messages[1]
    assert not EvidenceReopening.objects.exists()


def test_withdraw_needs_a_reason_and_is_final(application, member):
    with pytest.raises(ValidationError, match="철회 사유"):
        services.application_withdraw(application=application, by=member, reason="")
    services.application_withdraw(application=application, by=member, reason="내부 사정")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.application_transition(application=application, to="draft", by=member)


def test_django_admin_cannot_add_an_application_around_the_eligibility_check(
    client, django_user_model, cycle, institution
):
    """Applications are made through ``application_create`` (eligibility, transition log);
    Django admin, even for a superuser, only shows and repairs existing ones."""
    root = django_user_model.objects.create_superuser("root", "root@example.invalid", "pw-1234!")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/django-admin/evaluation/application/add/").status_code == 403
    response = client.post(
        "/django-admin/evaluation/application/add/",
        {"cycle": cycle.pk, "institution": institution.pk},
    )
    assert response.status_code == 403
    assert not Application.objects.exists()
