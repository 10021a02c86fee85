"""Writes for applications: create (with the eligibility check), transitions, submit, reopen."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
            _(
                "%(name)s: 등록일(%(registered)s)은 기준일 %(reference)s보다 %(years)s년 이상 "
                "앞서야 합니다 (%(cutoff)s 이전 등록 기관만 신청할 수 있습니다)."
            )
            % {
                "name": institution.name,
                "registered": institution.registered_on,
                "reference": cycle.reference_date,
                "years": ELIGIBILITY_YEARS,
                "cutoff": cutoff,
            }
        )
    if institution.sanctioned:
        problems.append(
            _("%(name)s: 제재 이력이 있는 기관은 신청할 수 없습니다.") % {"name": institution.name}
        )
    else:  # a recorded 제재 covering the reference date or today (institutions, ADR 016)
        for day in dict.fromkeys((cycle.reference_date, timezone.localdate())):
            why = sanction_on(institution, day)
            if why:
                problems.append(
                    _("%(name)s: 제재 중인 기관은 신청할 수 없습니다 (%(why)s).")
                    % {"name": institution.name, "why": why}
                )
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
            _("'%(cycle)s' 평가 주기는 지금 신청을 받지 않습니다 (현재 단계: %(stage)s).")
            % {"cycle": cycle.title, "stage": cycle.get_stage_display()}
        )
    elif timezone.now() > cycle.evidence_deadline:
        problems.append(
            _("평가 주기 '%(cycle)s'의 제출 기한이 지났습니다.") % {"cycle": cycle.title}
        )
    if Application.objects.filter(cycle=cycle, institution=institution).exists():
        problems.append(
            _("%(name)s 기관은 이미 '%(cycle)s'에 신청했습니다.")
            % {"name": institution.name, "cycle": cycle.title}
        )
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
            _("신청 '%(application)s': '%(from)s' 상태에서 '%(to)s' 상태로 바꿀 수 없습니다.")
            % {
                "application": locked,
                "from": locked.get_status_display(),
                "to": ApplicationStatus(to).label,
            }
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
        raise ValidationError(_("철회 사유를 입력하십시오."))
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
        errors.append(_("재개방 사유를 입력하십시오."))
    if open_until <= timezone.now():
        errors.append(
            _("재개방 기한(%(until)s)은 지금 이후여야 합니다.")
            % {"until": f"{timezone.localtime(open_until):%Y-%m-%d %H:%M}"}
        )
    if application.status not in (S.DRAFT, S.SUBMITTED):
        errors.append(
            _("'%(status)s' 상태의 신청은 증빙을 재개방할 수 없습니다.")
            % {"status": application.get_status_display()}
        )
    confirmed = Sheet.objects.filter(
        assignment__application=application, status=SheetStatus.CONFIRMED
    ).count()
    if confirmed:
        # Evidence changed under a confirmed score would leave the score standing on evidence
        # the evaluator never saw: unlock the sheets first (each with its reason).
        errors.append(
            _(
                "확정된 평가표가 %(n)s개 있어 증빙을 재개방할 수 없습니다. 먼저 평가표의 "
                "확정을 해제하십시오."
            )
            % {"n": confirmed}
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
