"""Writes for applications: create (with the eligibility check), transitions, submit, reopen."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from institutions.models import Institution
from institutions.people.queries import sanction_on

from .. import notices, queries
from ..models import (
    Application,
    ApplicationStatus,
    ApplicationTransition,
    Cycle,
    EvidenceFile,
    EvidenceReopening,
    FileState,
    Sheet,
    SheetStatus,
)
from .certification import renewal_candidate
from .storage import storage_delete_on_commit

S = ApplicationStatus

# Every transition an application may take; anything else is refused.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN, S.NOT_SUBMITTED}),
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.DRAFT, S.WITHDRAWN, S.DECIDED}),
    S.UNDER_REVIEW: frozenset({S.SCORED, S.DECIDED}),
    S.SCORED: frozenset({S.DECIDED}),
    S.DECIDED: frozenset(),
    S.WITHDRAWN: frozenset(),
    # Closed at the end of 신청 (cycle gate); nothing follows.
    S.NOT_SUBMITTED: frozenset(),
}

ELIGIBILITY_YEARS = 3


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def eligibility_problems(*, institution: Institution, cycle: Cycle) -> list[str]:
    """Every reason ``institution`` may not apply to ``cycle`` (Korean), or []."""
    problems = []
    cutoff = _years_before(cycle.reference_date, ELIGIBILITY_YEARS)
    if institution.registered_on > cutoff:
        problems.append(
            f"{institution.name}: 등록일({institution.registered_on})은 기준일 "
            f"{cycle.reference_date}보다 {ELIGIBILITY_YEARS}년 이상 앞서야 합니다 "
            f"({cutoff} 이전 등록 기관만 신청할 수 있습니다)."
        )
    if institution.sanctioned:
        problems.append(f"{institution.name}: 제재 이력이 있는 기관은 신청할 수 없습니다.")
    else:  # a recorded 제재 covering the reference date or today (institutions, ADR 016)
        for day in dict.fromkeys((cycle.reference_date, timezone.localdate())):
            why = sanction_on(institution, day)
            if why:
                problems.append(f"{institution.name}: 제재 중인 기관은 신청할 수 없습니다 ({why}).")
                break
    return problems


@transaction.atomic
def application_create(*, cycle: Cycle, institution: Institution, by) -> Application:
    """Apply ``institution`` to ``cycle`` (draft). Refusals list every reason at once."""
    if not queries.is_admin(by) and not institution.memberships.filter(user=by).exists():
        raise PermissionDenied
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    institution = Institution.objects.get(pk=institution.pk)
    problems = []
    if not cycle.is_open_for_applications:
        problems.append(
            f"'{cycle.title}' 평가 주기는 지금 신청을 받지 않습니다 "
            f"(현재 단계: {cycle.get_stage_display()})."
        )
    elif timezone.now() > cycle.evidence_deadline:
        problems.append(f"평가 주기 '{cycle.title}'의 제출 기한이 지났습니다.")
    if Application.objects.filter(cycle=cycle, institution=institution).exists():
        problems.append(f"{institution.name} 기관은 이미 '{cycle.title}'에 신청했습니다.")
    problems += eligibility_problems(institution=institution, cycle=cycle)
    if problems:
        raise ValidationError(problems)
    # 재인증 when the institution's certification of this programme ends near the reference
    # date (ADR 017).
    renewal_of = renewal_candidate(institution=institution, cycle=cycle)
    application = Application.objects.create(
        cycle=cycle, institution=institution, created_by=by, renewal_of=renewal_of
    )
    ApplicationTransition.objects.create(
        application=application,
        from_status="",
        to_status=S.DRAFT,
        by=by,
        reason=f"재인증 신청 (이전 인증서 {renewal_of.number})" if renewal_of else "신청",
    )
    notices.application_received(application)
    return application


@transaction.atomic
def application_transition(
    *, application: Application, to: str, by, reason: str = ""
) -> Application:
    """The only way an application's status changes. Records from, to, who, when and why."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if to not in ALLOWED_TRANSITIONS[locked.status]:
        raise ValidationError(
            f"신청 '{locked}': '{locked.get_status_display()}' 상태에서 "
            f"'{ApplicationStatus(to).label}' 상태로 바꿀 수 없습니다."
        )
    ApplicationTransition.objects.create(
        application=locked, from_status=locked.status, to_status=to, by=by, reason=reason
    )
    locked.status = to
    if to == S.SUBMITTED:
        locked.submitted_at = timezone.now()
    elif to == S.DRAFT:
        locked.submitted_at = None
    locked.save(update_fields=["status", "submitted_at"])
    application.status, application.submitted_at = locked.status, locked.submitted_at
    return locked


@transaction.atomic
def application_submit(*, application: Application, by) -> Application:
    """Submit: locks the evidence, and purges replaced and removed file versions."""
    application = Application.objects.select_related("cycle", "institution").get(pk=application.pk)
    if not queries.is_member_of(by, application):
        raise PermissionDenied
    reason = queries.evidence_lock_reason(application)
    if reason:
        raise ValidationError(reason)
    application = application_transition(application=application, to=S.SUBMITTED, by=by)
    stale = EvidenceFile.objects.filter(application=application, purged_at__isnull=True).exclude(
        state=FileState.CURRENT
    )
    in_use = EvidenceFile.objects.filter(application=application, state=FileState.CURRENT)
    # A file linked to another item shares its bytes: they stay while any current row uses them.
    keys = list(
        stale.exclude(storage_key__in=in_use.values("storage_key"))
        .values_list("storage_key", flat=True)
        .distinct()
    )
    stale.update(purged_at=timezone.now())
    storage_delete_on_commit(keys)
    notices.submission_confirmed(application)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by, reason: str) -> Application:
    if not (queries.is_admin(by) or queries.is_member_of(by, application)):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError("철회 사유를 입력하십시오.")
    return application_transition(
        application=application, to=S.WITHDRAWN, by=by, reason=reason.strip()
    )


@transaction.atomic
def evidence_reopen(
    *, application: Application, by, reason: str, open_until: datetime
) -> Application:
    """An admin reopens the evidence until ``open_until``: a submitted application goes back
    to draft, and the deadline no longer locks it until then. The reason is recorded."""
    if not queries.is_admin(by):
        raise PermissionDenied
    application = Application.objects.select_for_update().get(pk=application.pk)
    errors = []
    if not reason.strip():
        errors.append("재개방 사유를 입력하십시오.")
    if open_until <= timezone.now():
        errors.append(
            f"재개방 기한({timezone.localtime(open_until):%Y-%m-%d %H:%M})은 지금 이후여야 합니다."
        )
    if application.status not in (S.DRAFT, S.SUBMITTED):
        errors.append(
            f"'{application.get_status_display()}' 상태의 신청은 증빙을 재개방할 수 없습니다."
        )
    confirmed = Sheet.objects.filter(
        assignment__application=application, status=SheetStatus.CONFIRMED
    ).count()
    if confirmed:
        # Evidence changed under a confirmed score would leave the score standing on evidence
        # the evaluator never saw: unlock the sheets first (each with its reason).
        errors.append(
            f"확정된 평가표가 {confirmed}개 있어 증빙을 재개방할 수 없습니다. 먼저 평가표의 "
            "확정을 해제하십시오."
        )
    if errors:
        raise ValidationError(errors)
    if application.status == S.SUBMITTED:
        application = application_transition(
            application=application, to=S.DRAFT, by=by, reason=f"증빙 재개방: {reason.strip()}"
        )
    EvidenceReopening.objects.create(
        application=application, reopened_by=by, reason=reason.strip(), open_until=open_until
    )
    application.evidence_open_until = open_until
    application.save(update_fields=["evidence_open_until"])
    return application
