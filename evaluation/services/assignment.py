"""Writes for assignments, pledges and conflicts of interest (제척·기피·회피).

Every refusal is a ``ValidationError`` in Korean naming the institution and the evaluator;
a refused write changes nothing. Permission is checked here too (``PermissionDenied``), so a
caller that forgets the view's check still cannot write.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from institutions.models import Membership, User
from institutions.people.queries import affiliation_conflicts, expertise_coverage
from institutions.roles import Role

from .. import balancing, process
from ..models import (
    Application,
    Assignment,
    Challenge,
    ChallengeDecision,
    Cycle,
    Declaration,
    Exclusion,
    Pledge,
    RequestDecision,
    ScoreAudit,
    SheetStatus,
    WithdrawalRequest,
)
from ..models import AuditAction as Audit
from ..notices import assignments_created
from ..queries import assignment as aq

log = logging.getLogger(__name__)

PLEDGE_TEXT_VERSION = "1"


def _name(user) -> str:
    return getattr(user, "display_name", None) or str(user)


# --- e-mail notices ------------------------------------------------------------------------


def _notify_on_commit(pairs: list[tuple[int, int]]) -> None:
    """Write each evaluator one notice listing their new assignments, with a link to each
    (an outbox row in this transaction, e-mailed after commit by the notifications worker;
    a mail server outage never undoes an assignment)."""
    if pairs:
        assignment_notices_send(pairs=pairs)


def assignment_notices_send(*, pairs: list[tuple[int, int]]) -> int:
    """The assignment notices for these (application id, evaluator id) pairs; returns how
    many outbox rows were new (a repeat writes none)."""
    return assignments_created(pairs)


# --- assignment ----------------------------------------------------------------------------


def _pair_problems(
    application: Application,
    evaluator,
    existing: Assignment | None,
    *,
    is_evaluator: bool,
    is_member: bool,
    affiliation: str = "",
) -> list[str]:
    who = f"{application.institution.name} · {_name(evaluator)}"
    problems = []
    if not is_evaluator:
        problems.append(f"{who}: 평가위원 역할이 있는 활성 사용자만 배정할 수 있습니다.")
    if application.status not in aq.ASSIGNABLE_STATUSES:
        problems.append(
            f"{who}: '{application.get_status_display()}' 상태의 신청에는 배정할 수 없습니다."
        )
    if existing is not None:
        if existing.is_active:
            problems.append(f"{who}: 이미 배정되어 있습니다.")
        else:
            problems.append(
                f"{who}: {existing.get_exclusion_display()}(으)로 배제된 평가위원은 "
                "같은 신청에 다시 배정할 수 없습니다."
            )
    if is_member:
        problems.append(f"{who}: 신청 기관의 구성원은 그 기관을 평가할 수 없습니다.")
    if affiliation:  # 제척 by a recent affiliation (institutions.people, ADR 016)
        problems.append(f"{who}: {affiliation}")
    return problems


@transaction.atomic
def assignment_create(*, application: Application, evaluator, by) -> Assignment:
    """Assign ``evaluator`` to ``application`` (admin only) and e-mail them after commit."""
    if not aq.can_assign(by):
        raise PermissionDenied
    application = (
        Application.objects.select_for_update()
        .select_related("institution", "cycle")
        .get(pk=application.pk)
    )
    evaluator = User.objects.get(pk=evaluator.pk)
    existing = Assignment.objects.filter(application=application, evaluator=evaluator).first()
    problems = _pair_problems(
        application,
        evaluator,
        existing,
        is_evaluator=evaluator.is_active and evaluator.has_role(Role.EVALUATOR),
        is_member=application.institution.memberships.filter(user=evaluator).exists(),
        affiliation=affiliation_conflicts(
            user_ids=[evaluator.pk], institution_ids=[application.institution_id]
        ).get((application.institution_id, evaluator.pk), ""),
    )
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                application=application, evaluator=evaluator, assigned_by=by
            )
    except IntegrityError as exc:  # a concurrent request assigned the same pair
        raise ValidationError(
            f"{application.institution.name} · {_name(evaluator)}: 이미 배정되어 있습니다."
        ) from exc
    _notify_on_commit([(application.pk, evaluator.pk)])
    return assignment


@dataclass(frozen=True)
class BulkOutcome:
    created: list[Assignment]
    skipped: list[str]  # "institution · evaluator" already actively assigned


@transaction.atomic
def assignments_create_bulk(*, applications, evaluators, by) -> BulkOutcome:
    """Assign every evaluator in ``evaluators`` to every application in ``applications``.
    Pairs already actively assigned are skipped; any other problem refuses the whole batch
    (nothing is written) with every problem listed."""
    if not aq.can_assign(by):
        raise PermissionDenied
    applications = list(
        Application.objects.select_for_update()
        .select_related("institution", "cycle")
        .filter(pk__in=[a.pk for a in applications])
        .order_by("institution__name", "pk")
    )
    evaluators = list(User.objects.filter(pk__in=[e.pk for e in evaluators]).order_by("name", "pk"))
    if not applications or not evaluators:
        raise ValidationError("신청 기관과 평가위원을 각각 하나 이상 선택하십시오.")
    if len({a.cycle_id for a in applications}) > 1:
        raise ValidationError("한 번에 한 평가 주기의 신청만 배정할 수 있습니다.")
    existing = {
        (a.application_id, a.evaluator_id): a
        for a in Assignment.objects.filter(
            application__in=applications, evaluator__in=evaluators
        ).select_related("application")
    }
    pool = set(
        aq.evaluator_pool().filter(pk__in=[e.pk for e in evaluators]).values_list("pk", flat=True)
    )
    members = set(
        Membership.objects.filter(
            institution__in=[a.institution_id for a in applications], user__in=evaluators
        ).values_list("institution_id", "user_id")
    )
    affiliated = affiliation_conflicts(
        user_ids=[e.pk for e in evaluators],
        institution_ids=[a.institution_id for a in applications],
    )
    problems, skipped, todo = [], [], []
    for app in applications:
        for ev in evaluators:
            current = existing.get((app.pk, ev.pk))
            if current is not None and current.is_active:
                skipped.append(f"{app.institution.name} · {_name(ev)}")
                continue
            pair = _pair_problems(
                app,
                ev,
                current,
                is_evaluator=ev.pk in pool,
                is_member=(app.institution_id, ev.pk) in members,
                affiliation=affiliated.get((app.institution_id, ev.pk), ""),
            )
            if pair:
                problems += pair
            else:
                todo.append((app, ev))
    if problems:
        raise ValidationError(problems)
    created = Assignment.objects.bulk_create(
        Assignment(application=app, evaluator=ev, assigned_by=by) for app, ev in todo
    )
    _notify_on_commit([(app.pk, ev.pk) for app, ev in todo])
    return BulkOutcome(created=created, skipped=skipped)


# --- automatic balanced assignment ---------------------------------------------------------


@dataclass(frozen=True)
class AutoPlan:
    cycle: Cycle
    cap: int
    pairs: list[tuple[Application, User]]
    shortfalls: list[tuple[Application, int]]
    loads: list[tuple[User, int, int]]  # evaluator, load before, load after
    fingerprint: str
    # Why nothing new is planned, when nothing is (the page says it instead of a bare "none").
    idle_reason: str = ""

    @property
    def is_complete(self) -> bool:
        return not self.shortfalls


def _fingerprint(cycle: Cycle, evaluator_ids: list[int], cap: int) -> str:
    """What the plan depends on: every assignment of the cycle (with its exclusion), the
    applications needing staff, the evaluator pool and the cap."""
    rows = sorted(
        Assignment.objects.filter(application__cycle=cycle).values_list(
            "application_id", "evaluator_id", "exclusion"
        )
    )
    apps = sorted(
        cycle.applications.filter(status__in=aq.STAFFED_STATUSES).values_list("pk", flat=True)
    )
    text = repr(
        (cycle.pk, cycle.evaluators_per_application, cap, sorted(evaluator_ids), apps, rows)
    )
    return hashlib.sha256(text.encode()).hexdigest()


def assignment_auto_plan(*, cycle: Cycle, evaluators: list, cap: int) -> AutoPlan:
    """The balanced plan for ``cycle`` without writing anything (the preview).

    Every application needing staff (submitted, under review, scored) is filled up to the
    cycle's number of evaluators, from ``evaluators``, without exceeding ``cap`` active
    assignments per evaluator in the cycle, never with an evaluator already assigned or
    excluded there or a member of the institution; loads are as even as possible."""
    if cap < 1:
        raise ValidationError("평가위원 1인당 최대 배정 수는 1 이상이어야 합니다.")
    # one query: only active users holding the evaluator role, in a fixed order
    pool = list(
        aq.evaluator_pool()
        .filter(pk__in=[u.pk for u in evaluators])
        .order_by("name", "username", "pk")
    )
    if not pool:
        raise ValidationError("배정할 평가위원을 한 명 이상 선택하십시오.")
    apps = list(
        cycle.applications.filter(status__in=aq.STAFFED_STATUSES)
        .select_related("institution")
        .order_by("institution__name", "pk")
    )
    taken: dict[int, set[int]] = defaultdict(set)  # any assignment, active or excluded
    active: dict[int, int] = defaultdict(int)
    for app_id, ev_id, exclusion in Assignment.objects.filter(application__cycle=cycle).values_list(
        "application_id", "evaluator_id", "exclusion"
    ):
        taken[app_id].add(ev_id)
        if not exclusion:
            active[app_id] += 1
    members = aq.member_pairs(cycle)
    # Evaluators whose expertise covers more of the rubric's areas come first: among plans
    # of equal balance, ties go to them (balancing is deterministic in this order). ADR 016.
    coverage = expertise_coverage(
        user_ids=[u.pk for u in pool],
        area_codes=cycle.rubric_version.areas.values_list("code", flat=True),
    )
    pool.sort(key=lambda u: -coverage.get(u.pk, 0))
    ids = [u.pk for u in pool]
    loads = aq.cycle_loads(cycle)
    needs = {a.pk: max(0, cycle.evaluators_per_application - active[a.pk]) for a in apps}
    affiliated = affiliation_conflicts(
        user_ids=ids, institution_ids={a.institution_id for a in apps}
    )
    eligible = {
        a.pk: {
            e
            for e in ids
            if e not in taken[a.pk]
            and (a.pk, e) not in members
            and (a.institution_id, e) not in affiliated
        }
        for a in apps
    }
    plan = balancing.balanced_plan(
        applications=[a.pk for a in apps],
        evaluators=ids,
        needs=needs,
        eligible=eligible,
        loads={e: loads.get(e, 0) for e in ids},
        cap=cap,
    )
    by_app = {a.pk: a for a in apps}
    by_user = {u.pk: u for u in pool}
    idle_reason = ""
    if not plan.pairs:
        if not apps:
            idle_reason = (
                "배정이 필요한 신청이 없습니다: 제출되어 심사 중인 신청만 배정합니다 "
                "(작성 중·철회·미제출 신청은 제외)."
            )
        elif not any(needs.values()):
            idle_reason = (
                f"신청 {len(apps)}건 모두 평가위원이 이미 "
                f"{cycle.evaluators_per_application}명씩 배정되어 있습니다."
            )
        else:
            idle_reason = (
                "선택한 평가위원으로는 더 배정할 수 없습니다: 이미 배정·배제되었거나, 소속·이해충돌로 "
                f"제척되었거나, 1인당 최대 배정 수({cap}건)에 이르렀습니다."
            )
    return AutoPlan(
        idle_reason=idle_reason,
        cycle=cycle,
        cap=cap,
        pairs=[(by_app[a], by_user[e]) for a, e in plan.pairs],
        shortfalls=[(by_app[a], n) for a, n in plan.shortfalls.items()],
        loads=[(u, loads.get(u.pk, 0), plan.loads[u.pk]) for u in pool],
        fingerprint=_fingerprint(cycle, ids, cap),
    )


@transaction.atomic
def assignment_auto_apply(
    *, cycle: Cycle, evaluators: list, cap: int, fingerprint: str, by
) -> list[Assignment]:
    """Apply the plan the admin previewed. The plan is recomputed (it is deterministic) under
    a lock on the cycle; if anything it depends on changed since the preview, nothing is
    written and the admin is asked to preview again."""
    if not aq.can_assign(by):
        raise PermissionDenied
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    plan = assignment_auto_plan(cycle=cycle, evaluators=evaluators, cap=cap)
    if plan.fingerprint != fingerprint:
        raise ValidationError(
            "미리보기 이후 배정 현황이 바뀌었습니다. 다시 미리보기를 한 뒤 적용하십시오."
        )
    created = Assignment.objects.bulk_create(
        Assignment(application=app, evaluator=ev, assigned_by=by) for app, ev in plan.pairs
    )
    _notify_on_commit([(app.pk, ev.pk) for app, ev in plan.pairs])
    return created


# --- pledge --------------------------------------------------------------------------------


@transaction.atomic
def pledge_sign(*, cycle: Cycle, evaluator, ip: str | None) -> Pledge:
    """The evaluator signs the cycle's 서약서. Signing twice returns the first signature."""
    if not aq.is_evaluator(evaluator):
        raise PermissionDenied
    existing = Pledge.objects.filter(cycle=cycle, evaluator=evaluator).first()
    if existing is not None:
        return existing
    problems = process.pledge_blockers(cycle)
    if problems:
        raise ValidationError(problems)
    pledge, _ = Pledge.objects.get_or_create(
        cycle=cycle,
        evaluator=evaluator,
        defaults={"ip_address": ip, "text_version": PLEDGE_TEXT_VERSION},
    )
    return pledge


# --- 회피 / 기피 / 제척 ----------------------------------------------------------------------


def _confirmed_sheet(assignment: Assignment):
    sheet = getattr(assignment, "sheet", None)
    return sheet if sheet is not None and sheet.status == SheetStatus.CONFIRMED else None


def _exclude(assignment: Assignment, *, kind: Exclusion, reason: str, by) -> None:
    """Exclude the assignment. A confirmed sheet leaving the result is written in the score
    audit trail (who, why), and the result is recomputed; a committee decision taken on the
    old set becomes stale (``process.stale_decisions``) and blocks the gate until re-taken."""
    frozen = process.freeze_blockers(assignment.application.cycle, "평가위원 배정")
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
    from .results import application_result_recompute

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
            f"{where}: 이미 {assignment.get_exclusion_display()}(으)로 배제된 배정입니다."
        )
    if conflict:
        if not reason:
            raise ValidationError(f"{where}: 이해충돌(회피) 사유를 입력하십시오.")
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
    problems = process.freeze_blockers(assignment.application.cycle, "평가위원 배정")
    if assignment.withdrawal_requests.filter(decision=RequestDecision.PENDING).exists():
        problems.append(f"{where}: 검토 중인 회피 요청이 이미 있습니다.")
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
    problems = process.freeze_blockers(assignment.application.cycle, "평가위원 배정")
    if request.decision != RequestDecision.PENDING:
        problems.append(
            f"{who}: 이미 '{request.get_decision_display()}'(으)로 결정된 회피 요청입니다."
        )
    if not reason:
        problems.append(f"{who}: 결정 사유를 입력하십시오.")
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
    from .. import notices

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
        problems.append(f"{who}: 기피 사유를 입력하십시오.")
    if not assignment.is_active:
        problems.append(f"{who}: 이미 배제된 평가위원입니다.")
    if assignment.challenges.filter(decision=ChallengeDecision.PENDING).exists():
        problems.append(f"{who}: 검토 중인 기피 신청이 이미 있습니다.")
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
            f"{who}: 이미 '{challenge.get_decision_display()}'(으)로 결정된 기피 신청입니다."
        )
    if not reason:
        problems.append(f"{who}: 결정 사유를 입력하십시오.")
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
        problems.append(f"{who}: 제척 사유를 입력하십시오.")
    if not assignment.is_active:
        problems.append(
            f"{who}: 이미 {assignment.get_exclusion_display()}(으)로 배제된 배정입니다."
        )
    if problems:
        raise ValidationError(problems)
    _exclude(assignment, kind=Exclusion.DISQUALIFICATION, reason=reason, by=by)
    return assignment


__all__ = [
    "AutoPlan",
    "BulkOutcome",
    "PLEDGE_TEXT_VERSION",
    "assignment_auto_apply",
    "assignment_auto_plan",
    "assignment_create",
    "assignment_disqualify",
    "assignment_notices_send",
    "assignments_create_bulk",
    "challenge_decide",
    "challenge_request",
    "conflict_declare",
    "pledge_sign",
    "withdrawal_decide",
    "withdrawal_request",
]
