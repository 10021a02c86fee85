"""Retention: purge_expired destroys what passed its period, records each 파기 (kept), holds
what a 인증서 or a pending 이의신청 still needs, and --dry-run touches nothing."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from institutions.models import (
    Affiliation,
    Destruction,
    PeopleEvent,
    Registration,
    RegistrationStatus,
    User,
)
from institutions.people import retention, services

pytestmark = pytest.mark.django_db


def _registration(number: str, *, status, days_ago: int) -> Registration:
    when = timezone.now() - timedelta(days=days_ago)
    registration = Registration.objects.create(
        institution_name="옛기관",
        business_number=number,
        institution_type="wide",
        registered_on=date(2015, 1, 1),
        representative="대표",
        address="주소",
        contact_name="담당",
        email="old@x.example",
        phone="010",
        username=f"u{number}",
        password_hash="!",
        privacy_consent_at=when,
        privacy_consent_version="t",
        terms_consent_at=when,
        status=status,
        email_confirmed_at=when if status != RegistrationStatus.UNCONFIRMED else None,
        decided_at=when if status == RegistrationStatus.REJECTED else None,
    )
    Registration.objects.filter(pk=registration.pk).update(created_at=when)
    return registration


def test_dry_run_then_purge_records_destruction(settings, capsys):
    settings.RETENTION = {**settings.RETENTION, "rejected_registration": 365}
    old = _registration("1234567891", status=RegistrationStatus.REJECTED, days_ago=400)
    recent = _registration("2208162517", status=RegistrationStatus.REJECTED, days_ago=30)
    call_command("purge_expired", "--dry-run")
    out = capsys.readouterr().out
    assert "반려된 가입 신청 (보유기간 365일): 파기 예정 1건" in out
    assert Registration.objects.count() == 2 and not Destruction.objects.exists()
    call_command("purge_expired")
    assert list(Registration.objects.values_list("pk", flat=True)) == [recent.pk]
    record = Destruction.objects.get(rule="rejected_registration")
    assert (record.count, record.retention_days, record.what) == (1, 365, f"가입 신청 #{old.pk}")
    assert "old@x.example" not in record.what  # the record itself holds no personal data
    with pytest.raises(PermissionError):
        record.delete()
    # a second run finds nothing and records nothing more
    call_command("purge_expired")
    assert Destruction.objects.count() == 1


def test_unconfirmed_registrations_go_after_their_period(settings):
    settings.RETENTION = {**settings.RETENTION, "unconfirmed_registration": 30}
    _registration("1234567891", status=RegistrationStatus.UNCONFIRMED, days_ago=31)
    keep = _registration("2208162517", status=RegistrationStatus.UNCONFIRMED, days_ago=2)
    retention.purge_expired(dry_run=False)
    assert list(Registration.objects.values_list("pk", flat=True)) == [keep.pk]


def test_deactivated_accounts_are_anonymised(member, admin_user, institution, settings):
    settings.RETENTION = {**settings.RETENTION, "inactive_account": 10}
    User.objects.filter(pk=member.pk).update(email="m1@hanbit.example")
    Affiliation.objects.create(user=member, institution=institution, started_on=date(2020, 1, 1))
    services.member_deactivate(membership=member.memberships.get(), by=admin_user, reason="퇴사")
    # not yet: deactivated just now
    retention.purge_expired(dry_run=False)
    assert User.objects.get(pk=member.pk).email == "m1@hanbit.example"
    later = timezone.now() + timedelta(days=11)
    retention.purge_expired(dry_run=False, now=later)
    user = User.objects.get(pk=member.pk)
    assert (user.username, user.name, user.email, user.has_usable_password()) == (
        f"purged-{member.pk}",
        "(파기됨)",
        "",
        False,
    )
    assert not Affiliation.objects.exists()
    assert PeopleEvent.objects.filter(kind="deactivated").exists()  # the record of it stays
    assert Destruction.objects.get(rule="inactive_account").count == 1


def test_a_registered_hold_keeps_what_is_still_needed(settings):
    settings.RETENTION = {**settings.RETENTION, "rejected_registration": 1}
    held = _registration("1234567891", status=RegistrationStatus.REJECTED, days_ago=5)
    _registration("2208162517", status=RegistrationStatus.REJECTED, days_ago=5)

    def hold(obj):
        return "이의신청 처리 중" if getattr(obj, "pk", None) == held.pk else ""

    retention.register_hold(hold)
    try:
        [outcome] = [
            o
            for o in retention.purge_expired(dry_run=False)
            if o.rule.name == "rejected_registration"
        ]
    finally:
        retention._HOLDS.remove(hold)
    assert list(Registration.objects.values_list("pk", flat=True)) == [held.pk]
    assert [(o.pk, why) for o, why in outcome.held] == [(held.pk, "이의신청 처리 중")]
    assert Destruction.objects.get(rule="rejected_registration").held == 1


def test_evidence_rules_are_registered_by_evaluation():
    names = {r.name for r in retention.rules()}
    assert {"evidence_after_final", "access_log", "rejected_registration"} <= names


def test_evidence_of_a_final_cycle_is_destroyed_unless_held(
    application, admin_user, member, settings, django_capture_on_commit_callbacks
):
    """An evidence file of a cycle 확정 long ago: its bytes go, the row stays as a tombstone
    (``purged_at``)."""
    from django.core.files.storage import default_storage

    from evaluation.models import CycleStageAdvance, Stage
    from evaluation.retention import still_needed

    from ..evaluation import files as F

    item = application.cycle.rubric_version.items.order_by("pk").first()
    from evaluation import services as ev

    [stored] = ev.evidence_files_add(
        application=application,
        item=item,
        uploads=[(F.upload("계획서.pdf", F.pdf_bytes("plan")), "계획서.pdf")],
        by=member,
    )
    assert default_storage.exists(stored.storage_key)
    CycleStageAdvance.objects.create(
        cycle=application.cycle,
        from_stage=Stage.APPEAL,
        to_stage=Stage.FINAL,
        advanced_by=admin_user,
        advanced_at=timezone.now() - timedelta(days=10),
    )
    settings.RETENTION = {**settings.RETENTION, "evidence_after_final": 5}
    assert still_needed(stored) == ""
    with django_capture_on_commit_callbacks(execute=True):
        retention.purge_expired(dry_run=False)
    stored.refresh_from_db()
    assert stored.purged_at is not None
    assert not default_storage.exists(stored.storage_key)
    assert Destruction.objects.get(rule="evidence_after_final").count == 1


def test_subject_access_download(member, institution, client, django_capture_on_commit_callbacks):
    """열람 청구: the person's own data, theirs only, as a JSON download."""
    import json

    from django.urls import reverse

    User.objects.filter(pk=member.pk).update(email="m1@hanbit.example")
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("people:account"))
    assert page.status_code == 200 and reverse("people:account_data") in page.content.decode()
    response = client.get(reverse("people:account_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.content)
    assert data["account"]["username"] == "member1"
    assert data["account"]["email"] == "m1@hanbit.example"
    assert data["account"]["roles"] == ["기관담당자"]
    assert [m["institution"] for m in data["memberships"]] == [institution.name]
    assert set(data["evaluation"]) == {"assignments", "pledges", "uploads", "evidence_access_log"}
    assert client.get(reverse("people:account_data")).status_code == 200
    assert client.post(reverse("people:account_data")).status_code == 405


def test_evaluation_holds_pending_objection_and_valid_certification(
    application, admin_user, member
):
    """What a pending 이의신청 or a valid 인증서 still needs is never destroyed."""
    from evaluation.models import Certification, Objection
    from evaluation.retention import still_needed
    from evaluation.services.certification import new_verification_code

    assert still_needed(application) == ""
    objection = Objection.objects.create(application=application, filed_by=member)
    assert still_needed(application) == "처리 중인 이의신청이 있는 신청의 자료"
    Objection.objects.filter(pk=objection.pk).delete()
    today = timezone.localdate()
    Certification.objects.create(
        programme="p",
        year=today.year,
        sequence=1,
        number=f"제{today.year}-0001호",
        institution=application.institution,
        application=application,
        cycle=application.cycle,
        rubric_version=application.cycle.rubric_version,
        valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=365),
        verification_code=new_verification_code(),
        issued_by=admin_user,
    )
    assert still_needed(application) == "유효한 인증서가 있는 신청의 자료"
