"""The certification process (ADR 011): each stage gate with each blocker alone, scoring only
where the process allows it, the freeze at 확정, withdrawals after 확정, and 이의신청/재심."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from evaluation import process
from evaluation.models import (
    Application,
    ApplicationStatus,
    Assignment,
    AuditAction,
    CycleStageAdvance,
    FrozenCycleError,
    ItemScore,
    Objection,
    ObjectionStatus,
    Result,
    ScoreAudit,
    Sheet,
    SheetStatus,
    Stage,
    WithdrawalRequest,
)
from evaluation.services import assignment as assignment_services
from evaluation.services import objections
from evaluation.services.cycles import GateBlocked, cycle_advance_stage, cycle_advance_to
from evaluation.services.results import result_committee_decide
from evaluation.services.sheet import score_record, sheet_confirm, sheet_unlock
from institutions.roles import Role

from ..conftest import PASSWORD
from ..process import EARLY, open_for_scoring


def _items(cycle):
    return list(cycle.rubric_version.items.order_by("pk"))


def _clear(application, evaluator, admin):
    assignment = assignment_services.assignment_create(
        application=application, evaluator=evaluator, by=admin
    )
    assignment_services.pledge_sign(cycle=application.cycle, evaluator=evaluator, ip=None)
    return assignment_services.conflict_declare(
        assignment=assignment, conflict=False, reason="", by=evaluator
    )


def _score_all(assignment, grade="A", *, confirm=True):
    for item in _items(assignment.application.cycle):
        row = ItemScore.objects.filter(sheet__assignment=assignment, item=item).first()
        score_record(
            assignment=assignment,
            item=item,
            by=assignment.evaluator,
            version=row.version if row else 0,
            entry=grade,
            strength="근거가 충분함",
        )
    if confirm:
        sheet_confirm(assignment=assignment, by=assignment.evaluator, password=PASSWORD)


@pytest.fixture
def panel(make_user):
    return [make_user(f"panel{i}", Role.EVALUATOR) for i in range(1, 4)]


@pytest.fixture
def evaluated(cycle, application, other_application, panel, admin_user, member):
    """``application`` submitted, three sheets confirmed (grades A, A, B), cycle at 현장실사;
    ``other_application`` never submitted (미제출)."""
    from evaluation.services.applications import application_submit

    application_submit(application=application, by=member)
    assignments = [_clear(application, ev, admin_user) for ev in panel]
    cycle = open_for_scoring(cycle, admin_user, submit=False)
    for assignment, grade in zip(assignments, "AAB", strict=True):
        _score_all(assignment, grade)
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.DOCUMENT_REVIEW)
    application.refresh_from_db()
    return cycle, application, assignments


def _decide_all(cycle, admin):
    for result in Result.objects.filter(application__cycle=cycle):
        result_committee_decide(result=result, by=admin)


def _to_appeal(cycle, admin):
    cycle = cycle_advance_stage(cycle=cycle, by=admin, expected_stage=Stage.SITE_VISIT)
    _decide_all(cycle, admin)
    return cycle_advance_to(cycle=cycle, by=admin, to=Stage.APPEAL)


# --- gates: each blocker alone -----------------------------------------------------------------


def test_leaving_application_before_the_deadline_needs_a_reason(cycle, application, admin_user):
    with pytest.raises(GateBlocked) as caught:
        cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.APPLICATION)
    assert len(caught.value.blockers) == 1
    assert "조기 마감 사유" in caught.value.blockers[0].message
    cycle.refresh_from_db()
    assert cycle.stage == Stage.APPLICATION
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT  # nothing changed


def test_leaving_application_turns_drafts_into_not_submitted(
    cycle, application, other_application, admin_user
):
    from evaluation.services.applications import application_transition

    application_transition(application=application, to=ApplicationStatus.SUBMITTED, by=admin_user)
    cycle = cycle_advance_stage(
        cycle=cycle, by=admin_user, expected_stage=Stage.APPLICATION, reason=EARLY
    )
    assert cycle.stage == Stage.DOCUMENT_REVIEW
    assert cycle.closed_early_reason == EARLY
    other_application.refresh_from_db()
    application.refresh_from_db()
    assert other_application.status == ApplicationStatus.NOT_SUBMITTED
    assert application.status == ApplicationStatus.SUBMITTED
    assert other_application.transitions.last().reason == "신청 마감 시 미제출"


def test_after_the_deadline_no_reason_is_needed(cycle, admin_user):
    later = cycle.evidence_deadline + timedelta(minutes=1)
    cycle = cycle_advance_stage(
        cycle=cycle, by=admin_user, expected_stage=Stage.APPLICATION, now=later
    )
    assert cycle.stage == Stage.DOCUMENT_REVIEW
    assert cycle.closed_early_reason == ""


def test_only_admins_advance(cycle, manager):
    with pytest.raises(PermissionDenied):
        cycle_advance_stage(cycle=cycle, by=manager, expected_stage=Stage.APPLICATION, reason="x")


def test_leaving_site_visit_needs_every_sheet_confirmed(
    cycle, application, member, panel, admin_user
):
    from evaluation.services.applications import application_submit

    application_submit(application=application, by=member)
    assignments = [_clear(application, ev, admin_user) for ev in panel]
    cycle = open_for_scoring(cycle, admin_user, submit=False)
    _score_all(assignments[0])
    _score_all(assignments[1])
    _score_all(assignments[2], confirm=False)
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.DOCUMENT_REVIEW)
    with pytest.raises(GateBlocked) as caught:
        cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    [blocker] = caught.value.blockers
    assert "확정하지 않은 평가표가 1개" in blocker.message
    assert blocker.url.endswith(f"/applications/{application.pk}/result/")


def test_leaving_site_visit_needs_enough_evaluators(cycle, application, member, panel, admin_user):
    from evaluation.services.applications import application_submit

    application_submit(application=application, by=member)
    [assignment] = [_clear(application, panel[0], admin_user)]
    cycle = open_for_scoring(cycle, admin_user, submit=False)
    _score_all(assignment)
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.DOCUMENT_REVIEW)
    with pytest.raises(GateBlocked) as caught:
        cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    [blocker] = caught.value.blockers
    assert "평가위원 3명이 필요" in blocker.message


def test_leaving_site_visit_is_blocked_by_a_pending_withdrawal(evaluated, admin_user):
    cycle, application, assignments = evaluated
    first = assignments[0]
    assignment_services.conflict_declare(
        assignment=first, conflict=True, reason="확정 뒤 알게 된 관계", by=first.evaluator
    )
    with pytest.raises(GateBlocked) as caught:
        cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    [blocker] = caught.value.blockers
    assert "회피 요청을 결정하지 않았습니다" in blocker.message


def test_leaving_committee_needs_a_decision_for_each_evaluated_application(evaluated, admin_user):
    cycle, application, _ = evaluated
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    with pytest.raises(GateBlocked) as caught:
        cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.COMMITTEE)
    [blocker] = caught.value.blockers  # the 미제출 application needs none
    assert blocker.message == f"{application.institution.name}: 인증위원회 결정이 없습니다."
    _decide_all(cycle, admin_user)
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.COMMITTEE)
    assert cycle.stage == Stage.NOTIFICATION


def test_committee_decides_only_in_its_stages(evaluated, admin_user):
    cycle, application, _ = evaluated
    with pytest.raises(ValidationError, match="인증위원회·이의신청 단계에서만"):
        result_committee_decide(result=application.result, by=admin_user)


def test_leaving_appeal_waits_for_the_window(evaluated, admin_user):
    cycle, application, _ = evaluated
    cycle = _to_appeal(cycle, admin_user)
    with pytest.raises(GateBlocked) as caught:
        cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.APPEAL)
    [blocker] = caught.value.blockers
    assert "이의신청 기간이" in blocker.message
    after = timezone.now() + timedelta(days=cycle.objection_days, minutes=1)
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.APPEAL, now=after)
    assert cycle.stage == Stage.FINAL


def test_leaving_appeal_needs_every_objection_decided(evaluated, admin_user, member):
    cycle, application, _ = evaluated
    cycle = _to_appeal(cycle, admin_user)
    item = _items(cycle)[0]
    objections.objection_file(application=application, by=member, reasons={item.pk: "근거 누락"})
    after = timezone.now() + timedelta(days=cycle.objection_days, minutes=1)
    with pytest.raises(GateBlocked) as caught:
        cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.APPEAL, now=after)
    [blocker] = caught.value.blockers
    assert "이의신청이 '접수' 상태" in blocker.message


def test_advance_to_stops_at_the_first_gate_and_keeps_what_passed(
    cycle, application, member, admin_user
):
    from evaluation.services.applications import application_submit

    application_submit(application=application, by=member)
    with pytest.raises(GateBlocked) as caught:
        cycle_advance_to(cycle=cycle, by=admin_user, to=Stage.NOTIFICATION, reason=EARLY)
    assert "확정된 평가표가 없습니다" in caught.value.blockers[0].message
    cycle.refresh_from_db()
    assert cycle.stage == Stage.SITE_VISIT  # 신청 and 서류심사 passed; 현장실사 holds


def test_a_stale_decision_blocks_committee(evaluated, admin_user):
    cycle, application, assignments = evaluated
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    _decide_all(cycle, admin_user)
    sheet_unlock(assignment=assignments[0], by=admin_user, reason="재확인")
    # the unlocked sheet no longer counts: the decision stood on another set
    result = Result.objects.get(application=application)
    assert process.stale_decisions([result]) == {result.pk}
    with pytest.raises(GateBlocked) as caught:
        cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.COMMITTEE)
    assert any("다시 하십시오" in b.message for b in caught.value.blockers)


# --- scoring only where the process allows it ---------------------------------------------------


def test_a_draft_application_is_never_scored(cycle, application, panel, admin_user):
    assignment = _clear(application, panel[0], admin_user)
    item = _items(cycle)[0]
    with pytest.raises(ValidationError) as caught:
        score_record(
            assignment=assignment, item=item, by=panel[0], version=0, entry="A", strength="x"
        )
    text = " ".join(caught.value.messages)
    assert "'작성 중' 상태이므로 채점할 수 없습니다" in text
    assert "'신청' 단계입니다" in text
    assert not ItemScore.objects.exists()


def test_no_scoring_after_site_visit(evaluated, admin_user):
    cycle, application, assignments = evaluated
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    first = assignments[0]
    sheet_unlock(assignment=first, by=admin_user, reason="오기 수정")
    row = ItemScore.objects.filter(sheet__assignment=first).first()
    with pytest.raises(ValidationError, match="'인증위원회' 단계입니다"):
        score_record(
            assignment=first,
            item=row.item,
            by=first.evaluator,
            version=row.version,
            entry="S",
            strength="x",
        )
    with pytest.raises(ValidationError, match="'인증위원회' 단계입니다"):
        sheet_confirm(assignment=first, by=first.evaluator, password=PASSWORD)
    row.refresh_from_db()
    assert row.grade == "A"


def test_pledge_is_refused_once_scoring_is_over(evaluated, admin_user, make_user):
    cycle, _, _ = evaluated
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    latecomer = make_user("latecomer", Role.EVALUATOR)
    with pytest.raises(ValidationError, match="서약서에 새로 서명할 수 없습니다"):
        assignment_services.pledge_sign(cycle=cycle, evaluator=latecomer, ip=None)


# --- withdrawals after 확정 --------------------------------------------------------------------


def test_recusal_after_confirmation_is_a_request(evaluated, admin_user):
    cycle, application, assignments = evaluated
    first = assignments[0]
    before = Result.objects.get(application=application).total
    assignment_services.conflict_declare(
        assignment=first, conflict=True, reason="확정 뒤 알게 된 관계", by=first.evaluator
    )
    first.refresh_from_db()
    assert first.is_active  # still counted
    assert Result.objects.get(application=application).total == before
    request = WithdrawalRequest.objects.get(assignment=first)
    assert request.decision == "pending"


def test_accepted_withdrawal_is_audited_and_makes_the_decision_stale(evaluated, admin_user):
    cycle, application, assignments = evaluated
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    _decide_all(cycle, admin_user)
    first = assignments[0]
    assignment_services.conflict_declare(
        assignment=first, conflict=True, reason="친족 관계", by=first.evaluator
    )
    request = WithdrawalRequest.objects.get(assignment=first)
    with pytest.raises(ValidationError, match="결정 사유"):
        assignment_services.withdrawal_decide(
            request=request, accept=True, reason=" ", by=admin_user
        )
    assignment_services.withdrawal_decide(
        request=request, accept=True, reason="관계 확인", by=admin_user
    )
    first.refresh_from_db()
    assert not first.is_active
    audit = ScoreAudit.objects.get(sheet__assignment=first, action=AuditAction.EXCLUDE)
    assert "관계 확인" in audit.reason and audit.actor == admin_user
    result = Result.objects.get(application=application)
    assert result.sheets_counted == 2
    assert process.stale_decisions([result]) == {result.pk}


def test_rejected_withdrawal_changes_nothing(evaluated, admin_user):
    cycle, application, assignments = evaluated
    first = assignments[0]
    assignment_services.conflict_declare(
        assignment=first, conflict=True, reason="관계", by=first.evaluator
    )
    request = WithdrawalRequest.objects.get(assignment=first)
    assignment_services.withdrawal_decide(
        request=request, accept=False, reason="관계 없음 확인", by=admin_user
    )
    first.refresh_from_db()
    assert first.is_active
    assert not ScoreAudit.objects.filter(action=AuditAction.EXCLUDE).exists()


# --- 확정 freezes the cycle ---------------------------------------------------------------------


@pytest.fixture
def final(evaluated, admin_user, settings, tmp_path):
    cycle, application, assignments = evaluated
    cycle = _to_appeal(cycle, admin_user)
    after = timezone.now() + timedelta(days=cycle.objection_days, minutes=1)
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.APPEAL, now=after)
    return cycle, application, assignments


def test_final_decides_applications(final):
    cycle, application, _ = final
    application.refresh_from_db()
    assert cycle.stage == Stage.FINAL
    assert application.status == ApplicationStatus.DECIDED


@pytest.mark.parametrize(
    "write",
    [
        "item_save",
        "item_update",
        "item_bulk_create",
        "sheet_save",
        "sheet_delete",
        "result_save",
        "result_update",
        "assignment_exclude",
        "audit_create",
    ],
)
def test_final_refuses_every_write_path(final, write, admin_user):
    cycle, application, assignments = final
    score = ItemScore.objects.filter(sheet__assignment=assignments[0]).first()
    sheet = Sheet.objects.get(assignment=assignments[0])
    result = Result.objects.get(application=application)
    with pytest.raises(FrozenCycleError):
        if write == "item_save":
            score.strength = "바꿈"
            score.save()
        elif write == "item_update":
            ItemScore.objects.filter(pk=score.pk).update(points=Decimal("0"))
        elif write == "item_bulk_create":
            ItemScore.objects.bulk_create([ItemScore(sheet=sheet, item=score.item)])
        elif write == "sheet_save":
            sheet.status = SheetStatus.DRAFT
            sheet.save()
        elif write == "sheet_delete":
            Sheet.objects.filter(pk=sheet.pk).delete()
        elif write == "result_save":
            result.committee_decision = "fail"
            result.save()
        elif write == "result_update":
            Result.objects.filter(pk=result.pk).update(total=Decimal("1"))
        elif write == "assignment_exclude":
            Assignment.objects.filter(pk=assignments[0].pk).update(exclusion="recusal")
        elif write == "audit_create":
            ScoreAudit.objects.create(sheet=sheet, actor=admin_user, action=AuditAction.SAVE)
    score.refresh_from_db()
    assert score.strength == "근거가 충분함"


def test_final_refuses_services_with_a_message(final, admin_user):
    cycle, application, assignments = final
    with pytest.raises(ValidationError, match="확정되었으므로"):
        assignment_services.assignment_disqualify(
            assignment=assignments[0], reason="사유", by=admin_user
        )
    with pytest.raises((ValidationError, FrozenCycleError)):
        sheet_unlock(assignment=assignments[0], by=admin_user, reason="사유")
    with pytest.raises(GateBlocked):
        cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.FINAL)


# --- 이의신청 and 재심 ------------------------------------------------------------------------------


@pytest.fixture
def appeal(evaluated, admin_user):
    cycle, application, assignments = evaluated
    return _to_appeal(cycle, admin_user), application, assignments


def test_objection_is_refused_outside_the_window(evaluated, member):
    cycle, application, _ = evaluated
    item = _items(cycle)[0]
    with pytest.raises(ValidationError, match="결과가 통보되지 않은"):
        objections.objection_file(application=application, by=member, reasons={item.pk: "x"})


def test_objection_after_the_window_is_refused(appeal, member):
    cycle, application, _ = appeal
    CycleStageAdvance.objects.filter(cycle=cycle, to_stage=Stage.NOTIFICATION).update(
        advanced_at=timezone.now() - timedelta(days=cycle.objection_days + 1)
    )
    item = _items(cycle)[0]
    with pytest.raises(ValidationError, match="이의신청 기간"):
        objections.objection_file(application=application, by=member, reasons={item.pk: "x"})


def test_objection_by_another_institution_is_refused(appeal, other_member):
    cycle, application, _ = appeal
    item = _items(cycle)[0]
    with pytest.raises(PermissionDenied):
        objections.objection_file(application=application, by=other_member, reasons={item.pk: "x"})


def test_objection_needs_a_reason_per_item_and_items_of_its_rubric(appeal, member):
    from tests.factories import build_rubric

    cycle, application, _ = appeal
    foreign = build_rubric(code="foreign").items.first()
    item = _items(cycle)[0]
    with pytest.raises(ValidationError) as caught:
        objections.objection_file(
            application=application, by=member, reasons={item.pk: "  ", foreign.pk: "사유"}
        )
    text = " ".join(caught.value.messages)
    assert f"{item.code} 이의 사유: 내용을 입력하십시오" in text
    assert "평가지표에 없습니다" in text
    assert not Objection.objects.exists()


def test_objection_dismissed(appeal, member, admin_user):
    cycle, application, _ = appeal
    item = _items(cycle)[0]
    objection = objections.objection_file(
        application=application, by=member, reasons={item.pk: "근거 누락"}
    )
    assert objection.items.get().points_before is not None
    objections.objection_dismiss(objection=objection, by=admin_user, reason="근거가 충분함")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    assert objection.decision_reason == "근거가 충분함"


def test_rereview_reopens_items_then_concludes(appeal, member, admin_user):
    cycle, application, assignments = appeal
    items = _items(cycle)
    contested, other = items[0], items[1]
    objection = objections.objection_file(
        application=application,
        by=member,
        reasons={contested.pk: "실적 누락", other.pk: "오류"},
    )
    total_before = Result.objects.get(application=application).total
    objections.objection_rereview(
        objection=objection, by=admin_user, reason="실적 재확인 필요", item_ids=[contested.pk]
    )
    sheets = Sheet.objects.filter(assignment__in=assignments)
    assert set(sheets.values_list("status", flat=True)) == {SheetStatus.DRAFT}
    assert ScoreAudit.objects.filter(action=AuditAction.REOPEN).count() == 3
    # only the reopened item may be re-scored
    third = assignments[2]
    row = ItemScore.objects.get(sheet__assignment=third, item=other)
    with pytest.raises(ValidationError, match="재심으로 다시 열린 항목만"):
        score_record(
            assignment=third,
            item=other,
            by=third.evaluator,
            version=row.version,
            entry="S",
            strength="x",
        )
    with pytest.raises(ValidationError, match="다시 확정하지 않은"):
        objections.objection_conclude(
            objection=objection, by=admin_user, outcome=ObjectionStatus.UPHELD, reason="인용"
        )
    for assignment in assignments:
        row = ItemScore.objects.get(sheet__assignment=assignment, item=contested)
        score_record(
            assignment=assignment,
            item=contested,
            by=assignment.evaluator,
            version=row.version,
            entry="S",
            strength="재심: 실적 확인",
        )
        sheet_confirm(assignment=assignment, by=assignment.evaluator, password=PASSWORD)
    objections.objection_conclude(
        objection=objection,
        by=admin_user,
        outcome=ObjectionStatus.PARTLY_UPHELD,
        reason="일부 인용",
    )
    objection.refresh_from_db()
    line = objection.items.get(item=contested)
    assert objection.status == ObjectionStatus.PARTLY_UPHELD
    assert line.points_after > line.points_before
    assert objection.total_after > total_before
    result = Result.objects.get(application=application)
    assert result.total == objection.total_after
    assert process.stale_decisions([result]) == set()  # the decision was re-taken
    from evaluation.queries.results import results_differences

    assert results_differences(cycle) == []


# --- the command ------------------------------------------------------------------------------


def test_advance_cycle_command_prints_every_blocker(cycle, application, admin_user):
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("advance_cycle", cycle.slug, "--by", admin_user.username, stderr=err)
    assert caught.value.returncode == 1
    assert "조기 마감 사유" in err.getvalue()
    out = StringIO()
    call_command(
        "advance_cycle", cycle.slug, "--by", admin_user.username, "--reason", EARLY, stdout=out
    )
    assert "'신청' → '서류심사'" in out.getvalue()
    cycle.refresh_from_db()
    assert cycle.stage == Stage.DOCUMENT_REVIEW


def test_advance_cycle_command_refuses_a_non_admin(cycle, manager):
    with pytest.raises(CommandError) as caught:
        call_command("advance_cycle", cycle.slug, "--by", manager.username, "--reason", "x")
    assert caught.value.returncode == 1


# --- who is told (issue 13's outbox) ------------------------------------------------------------


def test_result_notice_is_held_for_release_and_reaches_only_evaluated_applicants(
    evaluated, admin_user, member, other_member
):
    from notifications.models import Notification, Status

    cycle, application, _ = evaluated
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    _decide_all(cycle, admin_user)
    cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.COMMITTEE)
    rows = Notification.objects.filter(event="result_notified")
    assert [(n.recipient, n.status) for n in rows] == [(member, Status.HELD)]
    assert rows[0].url == f"/applications/{application.pk}/result/"
    assert not rows.filter(recipient=other_member).exists()  # 미제출: no result, no notice


def test_objection_steps_notify_the_institution_admins_and_evaluators(appeal, member, admin_user):
    from notifications.models import Notification

    cycle, application, assignments = appeal
    item = _items(cycle)[0]
    objection = objections.objection_file(
        application=application, by=member, reasons={item.pk: "누락"}
    )
    received = Notification.objects.filter(event="objection_received")
    assert set(received.values_list("recipient__username", flat=True)) == {
        member.username,
        admin_user.username,
    }
    objections.objection_rereview(
        objection=objection, by=admin_user, reason="재확인", item_ids=[item.pk]
    )
    reopened = Notification.objects.filter(event="sheet_reopened")
    assert {n.recipient for n in reopened} == {a.evaluator for a in assignments}
    decided = Notification.objects.get(event="objection_decided")
    assert decided.recipient == member and decided.context["decision"] == "재심 중"


def test_verify_results_reports_a_decision_taken_on_another_sheet_set(evaluated, admin_user):
    from evaluation.queries.results import results_differences

    cycle, application, assignments = evaluated
    cycle = cycle_advance_stage(cycle=cycle, by=admin_user, expected_stage=Stage.SITE_VISIT)
    _decide_all(cycle, admin_user)
    assert results_differences(cycle) == []
    sheet_unlock(assignment=assignments[0], by=admin_user, reason="재확인")
    assert results_differences(cycle) == [
        f"신청 {application.pk} ({application.institution.name}): 인증위원회 결정 이후 반영 "
        "평가표가 바뀌었습니다 (결정의 근거와 현재 반영 평가표가 다릅니다)"
    ]


def test_announcement_is_held_for_the_members_of_eligible_institutions(
    rubric_version, admin_user, member, other_member
):
    from datetime import date

    from evaluation.services.cycles import cycle_create
    from notifications.models import Notification, Status

    cycle_create(
        by=admin_user,
        title="2027 공고",
        slug="notice-2027",
        rubric_version=rubric_version,
        reference_date=date(2027, 1, 1),
        evidence_deadline=timezone.now() + timedelta(days=30),
        pass_threshold=Decimal("100"),
    )
    rows = Notification.objects.filter(event="cycle_announced")
    assert {n.recipient for n in rows} == {member, other_member}
    assert {n.status for n in rows} == {Status.HELD}


def test_digest_names_a_cycle_whose_planned_stage_came_while_its_gate_holds(
    cycle, application, admin_user
):
    from evaluation.models import CycleStageDate
    from evaluation.notices import gates_blocked

    assert gates_blocked(timezone.localdate()) is None  # no planned date yet
    CycleStageDate.objects.create(
        cycle=cycle, stage=Stage.DOCUMENT_REVIEW, starts_on=timezone.localdate()
    )
    section = gates_blocked(timezone.localdate())
    [line] = section.lines
    assert cycle.title in line and "조기 마감 사유" in line


def test_renewal_open_reaches_a_certified_institution_that_has_not_applied(
    cycle, admin_user, member, institution
):
    from evaluation.models import Certification, Cycle
    from evaluation.notices import renewal_open_reminders
    from evaluation.services.certification import new_verification_code, programme_of
    from notifications.models import Notification

    earlier = Cycle.objects.create(
        title="2023 인증 평가",
        slug="cert-2023",
        rubric_version=cycle.rubric_version,
        reference_date=cycle.reference_date - timedelta(days=3 * 365),
        evidence_deadline=timezone.now() - timedelta(days=3 * 365),
        pass_threshold=Decimal("100"),
        stage=Stage.FINAL,
    )
    old = Application.objects.create(
        cycle=earlier,
        institution=institution,
        created_by=member,
        status=ApplicationStatus.DECIDED,
        submitted_at=timezone.now() - timedelta(days=3 * 365),
    )
    Certification.objects.create(
        programme=programme_of(cycle),
        year=2023,
        sequence=1,
        number="제2023-0001호",
        institution=institution,
        application=old,
        cycle=earlier,
        rubric_version=cycle.rubric_version,
        valid_from=cycle.reference_date - timedelta(days=3 * 365),
        valid_until=cycle.reference_date + timedelta(days=30),
        verification_code=new_verification_code(),
        issued_by=admin_user,
    )
    assert renewal_open_reminders(timezone.localdate()) == 1
    assert renewal_open_reminders(timezone.localdate()) == 0  # once per cycle
    assert Notification.objects.get(event="renewal_open").recipient == member


def test_scoring_reminders_count_down_to_the_planned_committee(evaluated, admin_user):
    from evaluation.models import CycleStageDate
    from evaluation.notices import scoring_deadline_reminders
    from evaluation.services.sheet import sheet_unlock
    from notifications.models import Notification

    cycle, application, assignments = evaluated
    today = timezone.localdate()
    CycleStageDate.objects.create(
        cycle=cycle, stage=Stage.COMMITTEE, starts_on=today + timedelta(days=3)
    )
    assert scoring_deadline_reminders(today) == 0  # every sheet is confirmed
    sheet_unlock(assignment=assignments[0], by=admin_user, reason="재확인")
    assert scoring_deadline_reminders(today) == 1
    assert scoring_deadline_reminders(today) == 0  # once a day and recipient
    row = Notification.objects.get(event="scoring_deadline")
    assert row.recipient == assignments[0].evaluator and row.context["days_left"] == 3
