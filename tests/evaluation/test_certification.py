"""Certifications (인증서): issue at 확정, numbering, computed status, revocation, renewal."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluation import services
from evaluation.models import (
    Application,
    Certification,
    CertificationCounter,
    CertificationStatus,
    Cycle,
    Decision,
    Stage,
)
from evaluation.services.certification import (
    certification_blockers,
    certification_revoke,
    certifications_issue_for_cycle,
    renewal_candidate,
    validity,
)

from .certification_data import at_stage, with_result

pytestmark = pytest.mark.django_db


def _issue(cycle, by, on=None):
    return certifications_issue_for_cycle(cycle=at_stage(cycle), by=by, on=on)


# --- issuing ---------------------------------------------------------------------------------


def test_only_passing_applications_are_certified(
    application, other_application, admin_user, make_institution, make_user
):
    with_result(application, Decision.PASS)
    with_result(other_application, Decision.FAIL)
    [cert] = _issue(application.cycle, admin_user, on=date(2027, 2, 3))
    assert cert.application == application
    assert cert.institution == application.institution
    assert cert.number == "제2027-0001호"
    assert cert.programme == application.cycle.rubric_version.rubric.code
    assert cert.rubric_version == application.cycle.rubric_version
    assert (cert.valid_from, cert.valid_until) == (date(2027, 2, 3), date(2030, 2, 2))
    assert cert.issued_by == admin_user
    assert not Certification.objects.filter(application=other_application).exists()


def test_committee_decision_overrides_the_computed_one(application, other_application, admin_user):
    with_result(application, Decision.PASS, committee=Decision.FAIL, by=admin_user)
    with_result(other_application, Decision.FAIL, committee=Decision.PASS, by=admin_user)
    [cert] = _issue(application.cycle, admin_user)
    assert cert.application == other_application


def test_issue_is_idempotent(application, other_application, admin_user):
    with_result(application)
    # a first run before 확정 (the results are frozen at 확정)
    first = certifications_issue_for_cycle(cycle=application.cycle, by=admin_user)
    assert len(first) == 1
    assert certifications_issue_for_cycle(cycle=application.cycle, by=admin_user) == []
    with_result(other_application)
    [second] = _issue(application.cycle, admin_user)
    assert _issue(application.cycle, admin_user) == []
    assert second.application == other_application
    assert Certification.objects.count() == 2
    assert sorted(Certification.objects.values_list("sequence", flat=True)) == [1, 2]


def test_withdrawn_application_is_never_certified(application, admin_user):
    with_result(application)
    Application.objects.filter(pk=application.pk).update(status="withdrawn")
    assert _issue(application.cycle, admin_user) == []


def test_numbers_are_per_programme_and_year(
    application, other_application, admin_user, rubric_version, make_institution, member
):
    from tests.factories import build_rubric

    issue = certifications_issue_for_cycle  # before 확정: results may still be added
    with_result(application)
    [a] = issue(cycle=application.cycle, by=admin_user, on=date(2026, 12, 30))
    with_result(other_application)
    [b] = issue(cycle=application.cycle, by=admin_user, on=date(2027, 1, 2))
    assert (a.number, b.number) == ("제2026-0001호", "제2027-0001호")
    # another programme starts its own sequence
    other_version = build_rubric(code="other-programme")
    cycle2 = services.cycle_create(
        by=admin_user,
        title="다른 인증",
        slug="other-2026",
        rubric_version=other_version,
        reference_date=date(2026, 1, 1),
        evidence_deadline=timezone.now() + timedelta(days=7),
        pass_threshold=100,
    )
    cycle2 = services.cycle_advance_stage(
        cycle=cycle2, by=admin_user, expected_stage=Stage.ANNOUNCEMENT
    )
    app3 = services.application_create(cycle=cycle2, institution=application.institution, by=member)
    with_result(app3)
    [c] = _issue(cycle2, admin_user, on=date(2026, 12, 31))
    assert c.number == "제2026-0001호" and c.programme == "other-programme"
    assert CertificationCounter.objects.get(programme=a.programme, year=2026).last == 1


def test_sequence_continues_from_the_counter(application, admin_user):
    CertificationCounter.objects.create(
        programme=application.cycle.rubric_version.rubric.code, year=2026, last=41
    )
    with_result(application)
    [cert] = _issue(application.cycle, admin_user, on=date(2026, 6, 1))
    assert cert.number == "제2026-0042호"


def test_number_is_unique_per_programme_in_the_database(application, other_application, admin_user):
    with_result(application)
    [cert] = _issue(application.cycle, admin_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certification.objects.create(
            programme=cert.programme,
            year=cert.year,
            sequence=99,
            number=cert.number,
            institution=other_application.institution,
            application=other_application,
            cycle=cert.cycle,
            rubric_version=cert.rubric_version,
            valid_from=cert.valid_from,
            valid_until=cert.valid_until,
            verification_code="another-code",
            issued_by=admin_user,
        )


def test_verification_code_is_unguessable(application, other_application, admin_user):
    with_result(application)
    with_result(other_application)
    a, b = _issue(application.cycle, admin_user)
    for cert in (a, b):
        # token_urlsafe(24): 32 characters of 6 bits = 192 bits (≥ 128)
        assert len(cert.verification_code) >= 32
        assert cert.number not in cert.verification_code
    assert a.verification_code != b.verification_code


def test_validity_years_is_a_cycle_setting(application, admin_user):
    Cycle.objects.filter(pk=application.cycle_id).update(certificate_years=5)
    with_result(application)
    [cert] = _issue(application.cycle, admin_user, on=date(2028, 2, 29))
    assert cert.valid_until == date(2033, 2, 27)  # 2033-02-28 (no 29th) minus one day
    assert validity(date(2026, 1, 1), 3) == date(2028, 12, 31)


def test_blockers_name_a_passing_result_without_total(application, admin_user):
    result = with_result(application)
    result.total = None
    result.save()
    problems = certification_blockers(application.cycle)
    assert problems == [
        f"{application.institution.name}: 인증 판정이지만 총점이 계산되지 않아 인증서를 발급할 수 "
        "없습니다 (결과를 다시 계산하십시오)."
    ]
    with pytest.raises(ValidationError) as exc:
        _issue(application.cycle, admin_user)
    assert exc.value.messages == problems
    assert not Certification.objects.exists()


def test_no_passing_result_is_not_a_blocker(application, admin_user):
    with_result(application, Decision.FAIL)
    assert certification_blockers(application.cycle) == []
    assert _issue(application.cycle, admin_user) == []


# --- status: computed, never stored ------------------------------------------------------------


@pytest.fixture
def cert(application, admin_user):
    with_result(application)
    [cert] = _issue(application.cycle, admin_user, on=date(2026, 3, 1))
    return cert


def test_status_is_computed_from_the_dates(cert):
    assert cert.valid_until == date(2029, 2, 28)
    assert cert.status_on(date(2026, 3, 1)) == CertificationStatus.VALID
    assert cert.status_on(date(2029, 2, 28)) == CertificationStatus.VALID
    assert cert.status_on(date(2029, 3, 1)) == CertificationStatus.EXPIRED
    qs = Certification.objects.all()
    assert list(qs.valid_on(date(2029, 2, 28))) == [cert]
    assert list(qs.valid_on(date(2029, 3, 1))) == []
    assert list(qs.expired_on(date(2029, 3, 1))) == [cert]
    assert not hasattr(cert, "status_flag")
    assert "status" not in {f.name for f in Certification._meta.fields}


def test_expired_label_names_the_date(cert):
    Certification.objects.filter(pk=cert.pk).update(
        valid_from=date(2020, 1, 1), valid_until=date(2022, 12, 31)
    )
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.EXPIRED
    assert cert.status_label == "만료 (2022-12-31)"


# --- revocation --------------------------------------------------------------------------------


def test_admin_revokes_with_a_reason(cert, admin_user):
    revoked = certification_revoke(certification=cert, by=admin_user, reason=" 업무정지 처분 ")
    assert revoked.revocation_reason == "업무정지 처분"
    assert revoked.revoked_by == admin_user
    today = timezone.localdate()
    assert revoked.status == CertificationStatus.REVOKED
    assert revoked.status_label == f"취소 ({today:%Y-%m-%d})"
    assert list(Certification.objects.valid_on(today)) == []
    assert list(Certification.objects.revoked_by(today)) == [revoked]
    # before the revocation it was valid
    assert revoked.status_on(today - timedelta(days=1)) == CertificationStatus.VALID


def test_revocation_refusals_change_nothing(cert, admin_user, manager, member):
    for user in (manager, member):
        with pytest.raises(PermissionDenied):
            certification_revoke(certification=cert, by=user, reason="사유")
    with pytest.raises(ValidationError) as exc:
        certification_revoke(certification=cert, by=admin_user, reason="  ")
    assert exc.value.messages == [f"인증서 {cert.number}: 취소 사유를 입력하십시오."]
    cert.refresh_from_db()
    assert cert.revoked_at is None and cert.revocation_reason == ""
    certification_revoke(certification=cert, by=admin_user, reason="제재")
    with pytest.raises(ValidationError) as exc:
        certification_revoke(certification=cert, by=admin_user, reason="다시")
    assert "이미" in exc.value.messages[0]
    cert.refresh_from_db()
    assert cert.revocation_reason == "제재"


def test_revocation_is_complete_in_the_database(cert):
    with pytest.raises(IntegrityError), transaction.atomic():
        Certification.objects.filter(pk=cert.pk).update(revoked_at=timezone.now())


# --- renewal (재인증) -----------------------------------------------------------------------------


def _next_cycle(admin_user, rubric_version, reference: date, slug="renew-2029"):
    cycle = services.cycle_create(
        by=admin_user,
        title="재인증 평가",
        slug=slug,
        rubric_version=rubric_version,
        reference_date=reference,
        evidence_deadline=timezone.now() + timedelta(days=7),
        pass_threshold=100,
    )
    return services.cycle_advance_stage(
        cycle=cycle, by=admin_user, expected_stage=Stage.ANNOUNCEMENT
    )


def test_application_near_expiry_is_a_renewal(cert, admin_user, member, rubric_version):
    # valid until 2029-02-28; the new cycle's reference date is within 365 days of it
    cycle = _next_cycle(admin_user, rubric_version, date(2028, 9, 1))
    application = services.application_create(cycle=cycle, institution=cert.institution, by=member)
    assert application.renewal_of == cert
    assert application.transitions.get().reason == f"재인증 신청 (이전 인증서 {cert.number})"


def test_window_is_a_setting(cert, admin_user, member, rubric_version, settings):
    settings.RENEWAL_WINDOW_DAYS = 90
    cycle = _next_cycle(admin_user, rubric_version, date(2028, 9, 1))
    assert renewal_candidate(institution=cert.institution, cycle=cycle) is None
    application = services.application_create(cycle=cycle, institution=cert.institution, by=member)
    assert application.renewal_of is None


def test_far_from_expiry_or_revoked_or_other_institution_is_no_renewal(
    cert, admin_user, member, other_institution, rubric_version
):
    far = _next_cycle(admin_user, rubric_version, date(2026, 9, 1), slug="far")
    assert renewal_candidate(institution=cert.institution, cycle=far) is None
    near = _next_cycle(admin_user, rubric_version, date(2029, 1, 1), slug="near")
    assert renewal_candidate(institution=other_institution, cycle=near) is None
    assert renewal_candidate(institution=cert.institution, cycle=near) == cert
    certification_revoke(certification=cert, by=admin_user, reason="제재")
    assert renewal_candidate(institution=cert.institution, cycle=near) is None


def test_other_programme_is_no_renewal(cert, admin_user):
    from tests.factories import build_rubric

    other = _next_cycle(
        admin_user, build_rubric(code="another"), date(2029, 1, 1), slug="another-2029"
    )
    assert renewal_candidate(institution=cert.institution, cycle=other) is None
