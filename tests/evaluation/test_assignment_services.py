"""Services and queries other modules build on: assignment_create, pledge_sign,
conflict_declare, scorable_assignment, has_signed_pledge, counted_assignments, and the
evaluator branch of the access policy."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from evaluation import queries
from evaluation.models import Assignment, Declaration, Exclusion, Pledge
from evaluation.queries import assignment as aq
from evaluation.services import assignment as services
from evaluation.services.applications import application_withdraw
from institutions.roles import Role
from institutions.services import membership_add


@pytest.fixture
def evaluator_with_mail(make_user):
    return make_user("evaluator5", Role.EVALUATOR, email="ev5@example.kr")


# --- assignment_create ---------------------------------------------------------------------


def test_assignment_create_writes_and_mails_after_commit(
    application, evaluator_with_mail, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        a = services.assignment_create(
            application=application, evaluator=evaluator_with_mail, by=admin_user
        )
    assert len(callbacks) == 1
    assert a.is_active and a.declaration == Declaration.PENDING and a.assigned_by == admin_user
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["ev5@example.kr"]
    assert "평가위원 배정" in msg.subject
    assert application.institution.name in msg.body
    assert application.cycle.title in msg.body
    assert "서약서" in msg.body


def test_no_mail_before_commit(application, evaluator_with_mail, admin_user):
    services.assignment_create(
        application=application, evaluator=evaluator_with_mail, by=admin_user
    )
    assert mail.outbox == []  # the test transaction never commits


def test_mail_failure_keeps_the_assignment(
    application, evaluator_with_mail, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.evaluation.test_assignment_services.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_create(
            application=application, evaluator=evaluator_with_mail, by=admin_user
        )
    assert Assignment.objects.filter(evaluator=evaluator_with_mail).count() == 1


class BrokenBackend:
    def __init__(self, *a, **kw):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")


def test_only_admin_assigns(application, evaluator, manager):
    with pytest.raises(PermissionDenied):
        services.assignment_create(application=application, evaluator=evaluator, by=manager)
    assert not Assignment.objects.exists()


def test_refusals_write_nothing(application, evaluator, admin_user, member, make_user):
    services.assignment_create(application=application, evaluator=evaluator, by=admin_user)
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(application=application, evaluator=evaluator, by=admin_user)
    assert exc.value.messages == [
        f"{application.institution.name} · evaluator1: 이미 배정되어 있습니다."
    ]
    # not an evaluator
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(application=application, evaluator=member, by=admin_user)
    assert "평가위원 역할" in exc.value.messages[0]
    # an evaluator who is a member of the institution
    insider = make_user("insider", Role.EVALUATOR)
    membership_add(user=insider, institution=application.institution)
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(application=application, evaluator=insider, by=admin_user)
    assert exc.value.messages == [
        f"{application.institution.name} · insider: 신청 기관의 구성원은 그 기관을 평가할 수 없습니다."
    ]
    assert Assignment.objects.count() == 1


def test_withdrawn_application_refused(application, evaluator, admin_user, member):
    application_withdraw(application=application, by=member, reason="사정 변경")
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(application=application, evaluator=evaluator, by=admin_user)
    assert "'철회' 상태의 신청에는 배정할 수 없습니다" in exc.value.messages[0]
    assert not Assignment.objects.exists()


def test_excluded_evaluator_cannot_come_back(assignment, admin_user, evaluator):
    services.assignment_disqualify(assignment=assignment, reason="친족 관계", by=admin_user)
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(
            application=assignment.application, evaluator=evaluator, by=admin_user
        )
    assert (
        "제척 사유로 배제된 평가위원은 같은 신청에 다시 배정할 수 없습니다" in exc.value.messages[0]
    )


# --- pledge --------------------------------------------------------------------------------


def test_pledge_sign_once_per_cycle(cycle, evaluator):
    assert not aq.has_signed_pledge(evaluator, cycle)
    first = services.pledge_sign(cycle=cycle, evaluator=evaluator, ip="10.0.0.1")
    again = services.pledge_sign(cycle=cycle, evaluator=evaluator, ip="10.0.0.2")
    assert first.pk == again.pk and again.ip_address == "10.0.0.1"
    assert Pledge.objects.count() == 1
    assert aq.has_signed_pledge(evaluator, cycle)


def test_pledge_only_for_evaluators(cycle, member):
    with pytest.raises(PermissionDenied):
        services.pledge_sign(cycle=cycle, evaluator=member, ip=None)
    assert not Pledge.objects.exists()


# --- declarations --------------------------------------------------------------------------


def test_declare_no_conflict(assignment, evaluator):
    a = services.conflict_declare(assignment=assignment, conflict=False, by=evaluator)
    assert a.declaration == Declaration.NONE and a.declared_at is not None and a.is_active


def test_declare_conflict_recuses(assignment, evaluator):
    a = services.conflict_declare(
        assignment=assignment, conflict=True, reason="전 직장", by=evaluator
    )
    a.refresh_from_db()
    assert a.declaration == Declaration.CONFLICT
    assert a.exclusion == Exclusion.RECUSAL and a.exclusion_reason == "전 직장"
    assert a.excluded_by == evaluator and not a.is_active


def test_conflict_needs_reason_and_writes_nothing(assignment, evaluator):
    with pytest.raises(ValidationError) as exc:
        services.conflict_declare(assignment=assignment, conflict=True, reason="  ", by=evaluator)
    assert exc.value.messages == [
        f"{assignment.application.institution.name}: 이해충돌(회피) 사유를 입력하십시오."
    ]
    assignment.refresh_from_db()
    assert assignment.declaration == Declaration.PENDING and assignment.is_active


def test_only_the_assigned_evaluator_declares(assignment, other_evaluator, admin_user):
    for who in (other_evaluator, admin_user):
        with pytest.raises(PermissionDenied):
            services.conflict_declare(assignment=assignment, conflict=False, by=who)


def test_late_recusal_after_no_conflict(cleared_assignment, evaluator):
    a = services.conflict_declare(
        assignment=cleared_assignment, conflict=True, reason="나중에 알게 됨", by=evaluator
    )
    assert a.exclusion == Exclusion.RECUSAL
    with pytest.raises(ValidationError):
        services.conflict_declare(assignment=a, conflict=False, by=evaluator)
    a.refresh_from_db()
    assert a.declaration == Declaration.CONFLICT


# --- what B and C build on ------------------------------------------------------------------


def test_scorable_assignment(assignment, evaluator, other_evaluator, admin_user, member):
    assert aq.scorable_assignment(evaluator, assignment.pk) == assignment
    for user in (other_evaluator, admin_user, member):
        with pytest.raises(Http404):
            aq.scorable_assignment(user, assignment.pk)
    services.assignment_disqualify(assignment=assignment, reason="이해관계", by=admin_user)
    with pytest.raises(Http404):
        aq.scorable_assignment(evaluator, assignment.pk)


def test_counted_assignments(application, admin_user, make_user):
    evs = [make_user(f"ev{i}", Role.EVALUATOR) for i in range(4)]
    made = [
        services.assignment_create(application=application, evaluator=e, by=admin_user) for e in evs
    ]
    services.pledge_sign(cycle=application.cycle, evaluator=evs[0], ip=None)
    services.conflict_declare(assignment=made[0], conflict=True, reason="친구", by=evs[0])
    services.assignment_disqualify(assignment=made[1], reason="친족", by=admin_user)
    ch = services.challenge_request(
        assignment=made[2], reason="공정성 의심", by=application.created_by
    )
    services.challenge_decide(challenge=ch, upheld=True, reason="타당", by=admin_user)
    assert list(aq.counted_assignments(application)) == [made[3]]
    assert list(aq.cycle_counted_assignments(application.cycle)) == [made[3]]


def test_entry_redirect_order(assignment, evaluator):
    cycle = assignment.application.cycle
    assert aq.entry_redirect(assignment) == f"/cycles/{cycle.slug}/pledge/"
    services.pledge_sign(cycle=cycle, evaluator=evaluator, ip=None)
    assert aq.entry_redirect(assignment, next_url="/x/") == (
        f"/assignments/{assignment.pk}/declare/?next=%2Fx%2F"
    )
    declared = services.conflict_declare(assignment=assignment, conflict=False, by=evaluator)
    assert aq.entry_redirect(declared) is None


def test_policy_grants_only_cleared_active_assignments(assignment, evaluator, admin_user):
    application = assignment.application
    visible = lambda: list(queries.visible_applications(evaluator))  # noqa: E731
    assert visible() == []  # assigned, but no pledge
    services.pledge_sign(cycle=application.cycle, evaluator=evaluator, ip=None)
    assert visible() == []  # pledge, but no declaration
    services.conflict_declare(assignment=assignment, conflict=False, by=evaluator)
    assert visible() == [application]
    services.assignment_disqualify(assignment=assignment, reason="제척 사유", by=admin_user)
    assert visible() == []


def test_policy_never_shows_other_applications(other_application, cleared_assignment, evaluator):
    assert list(queries.visible_applications(evaluator)) == [cleared_assignment.application]
    assert (
        not queries.visible_evidence_files(evaluator).filter(application=other_application).exists()
    )
