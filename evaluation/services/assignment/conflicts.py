"""Conflicts of interest (회피·기피·제척): the evaluator's declaration, a withdrawal request
after 확정, an institution's challenge, the admin's disqualification. Each exclusion keeps the
assignment and its sheet (audited) and recomputes the result."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import process
from ...models import (
    Assignment,
    Challenge,
    ChallengeDecision,
    Declaration,
    Exclusion,
    RequestDecision,
    ScoreAudit,
    SheetStatus,
    WithdrawalRequest,
)
from ...models import AuditAction as Audit
from ...queries import assignment as aq
from .assign import _name


def _confirmed_sheet(assignment: Assignment):
    sheet = getattr(assignment, "sheet", None)
    return sheet if sheet is not None and sheet.status == SheetStatus.CONFIRMED else None


def _exclude(assignment: Assignment, *, kind: Exclusion, reason: str, by) -> None:
    """Exclude the assignment. A confirmed sheet leaving the result is written in the score
    audit trail (who, why), and the result is recomputed; a committee decision taken on the
    old set becomes stale (``process.stale_decisions``) and blocks the gate until re-taken."""
    frozen = process.freeze_blockers(assignment.application.cycle, _("평가위원 배정"))
    if frozen:
        raise ValidationError(frozen)
    assignment.exclusion = kind
    assignment.exclusion_reason = reason
    assignment.excluded_at = timezone.now()
    assignment.excluded_by = by
    fields = ["exclusion", "exclusion_reason", "excluded_at", "excluded_by"]
    if kind == Exclusion.RECUSAL:
        assignment.declaration = Declaration.CONFLICT
        assignment.declaration_reason = reason
        assignment.declared_at = assignment.excluded_at
        fields += ["declaration", "declaration_reason", "declared_at"]
    assignment.save(update_fields=fields)
    # An excluded sheet never counts: recompute if it had counted.
    from ..results import application_result_recompute

    sheet = _confirmed_sheet(assignment)
    if sheet is not None:
        ScoreAudit.objects.create(
            sheet=sheet,
            actor=by,
            action=Audit.EXCLUDE,
            old={"counted": True},
            new={"counted": False, "exclusion": str(kind)},
            reason=reason,
        )
        application_result_recompute(application=assignment.application)


def _locked(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update()
        .select_related("application__institution", "application__cycle", "evaluator")
        .get(pk=assignment.pk)
    )


@transaction.atomic
def conflict_declare(*, assignment: Assignment, conflict: bool, reason: str = "", by) -> Assignment:
    """The evaluator declares no conflict, or a conflict with a reason (회피, which excludes
    the assignment). A no-conflict declaration may later become a 회피; an exclusion is
    final."""
    assignment = _locked(assignment)
    if by is None or assignment.evaluator_id != by.pk or not aq.is_evaluator(by):
        raise PermissionDenied
    where = assignment.application.institution.name
    reason = (reason or "").strip()
    if not assignment.is_active:
        raise ValidationError(
            _("%(who)s: 이미 %(exclusion)s 사유로 배제된 배정입니다.")
            % {"who": where, "exclusion": assignment.get_exclusion_display()}
        )
    if conflict:
        if not reason:
            raise ValidationError(
                _("%(who)s: 이해충돌(회피) 사유를 입력하십시오.") % {"who": where}
            )
        if _confirmed_sheet(assignment) is not None:
            # After 확정 a 회피 cannot move the result by itself: it becomes a request an
            # admin decides (ADR 011).
            withdrawal_request(assignment=assignment, reason=reason, by=by)
            return assignment
        _exclude(assignment, kind=Exclusion.RECUSAL, reason=reason, by=by)
        return assignment
    if assignment.declaration == Declaration.NONE:
        return assignment
    assignment.declaration = Declaration.NONE
    assignment.declaration_reason = reason
    assignment.declared_at = timezone.now()
    assignment.save(update_fields=["declaration", "declaration_reason", "declared_at"])
    return assignment


def withdrawal_request(*, assignment: Assignment, reason: str, by) -> WithdrawalRequest:
    """The evaluator of a confirmed sheet asks to withdraw (회피): recorded, pending."""
    where = f"{assignment.application.institution.name} · {_name(assignment.evaluator)}"
    problems = process.freeze_blockers(assignment.application.cycle, _("평가위원 배정"))
    if assignment.withdrawal_requests.filter(decision=RequestDecision.PENDING).exists():
        problems.append(_("%(who)s: 검토 중인 회피 요청이 이미 있습니다.") % {"who": where})
    if problems:
        raise ValidationError(problems)
    return WithdrawalRequest.objects.create(
        assignment=assignment, kind=Exclusion.RECUSAL, reason=reason, requested_by=by
    )


@transaction.atomic
def withdrawal_decide(
    *, request: WithdrawalRequest, accept: bool, reason: str, by
) -> WithdrawalRequest:
    """An admin decides a withdrawal asked after 확정, with a reason. Accepted: the sheet
    leaves the result (``_exclude``: audit row, recompute, stale committee decision)."""
    if not aq.can_assign(by):
        raise PermissionDenied
    request = WithdrawalRequest.objects.select_for_update().get(pk=request.pk)
    assignment = _locked(request.assignment)
    who = f"{assignment.application.institution.name} · {_name(assignment.evaluator)}"
    reason = (reason or "").strip()
    problems = process.freeze_blockers(assignment.application.cycle, _("평가위원 배정"))
    if request.decision != RequestDecision.PENDING:
        problems.append(
            _("%(who)s: 이미 '%(decision)s' 결정이 내려진 회피 요청입니다.")
            % {"who": who, "decision": request.get_decision_display()}
        )
    if not reason:
        problems.append(_("%(who)s: 결정 사유를 입력하십시오.") % {"who": who})
    if problems:
        raise ValidationError(problems)
    request.decision = RequestDecision.ACCEPTED if accept else RequestDecision.REJECTED
    request.decision_reason = reason
    request.decided_by = by
    request.decided_at = timezone.now()
    request.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
    if accept and assignment.is_active:
        _exclude(
            assignment,
            kind=request.kind,
            reason=f"확정 후 회피 요청 수용: {request.reason} (결정 사유: {reason})",
            by=by,
        )
    request.assignment = assignment
    from ... import notices

    notices.withdrawal_decided(request)
    return request


@transaction.atomic
def challenge_request(*, assignment: Assignment, reason: str, by) -> Challenge:
    """기피 신청: a member of the assessed institution asks for the evaluator's exclusion."""
    assignment = _locked(assignment)
    application = assignment.application
    if not application.institution.memberships.filter(user=by).exists():
        raise PermissionDenied
    who = f"{application.institution.name} · {_name(assignment.evaluator)}"
    reason = (reason or "").strip()
    problems = []
    if not reason:
        problems.append(_("%(who)s: 기피 사유를 입력하십시오.") % {"who": who})
    if not assignment.is_active:
        problems.append(_("%(who)s: 이미 배제된 평가위원입니다.") % {"who": who})
    if assignment.challenges.filter(decision=ChallengeDecision.PENDING).exists():
        problems.append(_("%(who)s: 검토 중인 기피 신청이 이미 있습니다.") % {"who": who})
    if problems:
        raise ValidationError(problems)
    return Challenge.objects.create(assignment=assignment, requested_by=by, reason=reason)


@transaction.atomic
def challenge_decide(*, challenge: Challenge, upheld: bool, reason: str, by) -> Challenge:
    """The admin decides a 기피 신청. Upheld: the assignment is excluded (기피). Both
    decisions need a reason and are recorded with who and when."""
    if not aq.can_assign(by):
        raise PermissionDenied
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    assignment = _locked(challenge.assignment)
    who = f"{assignment.application.institution.name} · {_name(assignment.evaluator)}"
    reason = (reason or "").strip()
    problems = []
    if challenge.decision != ChallengeDecision.PENDING:
        problems.append(
            _("%(who)s: 이미 '%(decision)s' 결정이 내려진 기피 신청입니다.")
            % {"who": who, "decision": challenge.get_decision_display()}
        )
    if not reason:
        problems.append(_("%(who)s: 결정 사유를 입력하십시오.") % {"who": who})
    if problems:
        raise ValidationError(problems)
    challenge.decision = ChallengeDecision.UPHELD if upheld else ChallengeDecision.REJECTED
    challenge.decision_reason = reason
    challenge.decided_by = by
    challenge.decided_at = timezone.now()
    challenge.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
    if upheld and assignment.is_active:
        _exclude(assignment, kind=Exclusion.CHALLENGE, reason=f"기피 신청 인용: {reason}", by=by)
    challenge.assignment = assignment
    return challenge


@transaction.atomic
def assignment_disqualify(*, assignment: Assignment, reason: str, by) -> Assignment:
    """제척: the admin excludes the evaluator from this application outright, with a reason."""
    if not aq.can_assign(by):
        raise PermissionDenied
    assignment = _locked(assignment)
    who = f"{assignment.application.institution.name} · {_name(assignment.evaluator)}"
    reason = (reason or "").strip()
    problems = []
    if not reason:
        problems.append(_("%(who)s: 제척 사유를 입력하십시오.") % {"who": who})
    if not assignment.is_active:
        problems.append(
            _("%(who)s: 이미 %(exclusion)s 사유로 배제된 배정입니다.")
            % {"who": who, "exclusion": assignment.get_exclusion_display()}
        )
    if problems:
        raise ValidationError(problems)
    _exclude(assignment, kind=Exclusion.DISQUALIFICATION, reason=reason, by=by)
    return assignment
