"""Who in the evaluation process receives which notice (issue 13).

Evaluation calls ``notifications.services.notify``; the notifications app knows nothing of
evaluation (docs/decisions/012-notifications-outbox.md). Every function here writes outbox rows
in the caller's transaction and returns how many were new; delivery follows the commit.

``register()`` (called from ``EvaluationConfig.ready``) installs the visibility hooks that keep
a notice about an application or an assignment from reaching someone who may no longer see it,
and the daily reminder sources run by ``send_pending_notifications``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from institutions.models import Institution, Membership, User
from institutions.roles import GROUP_NAMES, Role
from notifications import policy, schedule
from notifications.rendering import absolute
from notifications.services import notify

from . import queries
from .models import Application, ApplicationStatus, Assignment, Cycle, Stage
from .queries import assignment as aq

EVIDENCE_REMINDER_DAYS = (7, 1)
SCORING_REMINDER_DAYS = (3, 1)

S = ApplicationStatus


def _day(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def members_of(institution_ids) -> list[User]:
    """Active institution staff of these institutions (the recipients of institution notices)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__institution_id__in=list(institution_ids),
            groups__name=GROUP_NAMES[Role.INSTITUTION],
        )
        .distinct()
        .order_by("pk")
    )


def members_by_institution(institution_ids) -> dict[int, list[User]]:
    """``members_of`` per institution, in two queries whatever the number of institutions."""
    users = {u.pk: u for u in members_of(institution_ids)}
    by_institution: dict[int, list[User]] = defaultdict(list)
    for institution_id, user_id in (
        Membership.objects.filter(institution_id__in=list(institution_ids), user_id__in=list(users))
        .order_by("user_id")
        .values_list("institution_id", "user_id")
    ):
        by_institution[institution_id].append(users[user_id])
    return by_institution


def _application_context(application: Application) -> dict:
    return {
        "cycle": application.cycle.title,
        "institution": application.institution.name,
        "deadline": _day(application.cycle.evidence_deadline),
    }


def _checklist_url(application: Application) -> str:
    return reverse("evaluation:checklist", args=[application.pk])


# --- institutions ----------------------------------------------------------------------------


def application_received(application: Application) -> int:
    return notify(
        event="application_received",
        recipients=members_of([application.institution_id]),
        obj=application,
        url=_checklist_url(application),
        context=_application_context(application),
    )


def submission_confirmed(application: Application) -> int:
    """With the list of what was submitted: every item with its current files."""
    items = [
        {
            "title": f"{row['item'].code} {row['item'].title}",
            "files": [f.original_name for f in row["files"]],
        }
        for row in queries.application_checklist(application)
        if row["attached"]
    ]
    return notify(
        event="submission_confirmed",
        recipients=members_of([application.institution_id]),
        obj=application,
        url=_checklist_url(application),
        context={
            **_application_context(application),
            "submitted_at": _day(application.submitted_at),
            "items": items,
        },
        # A submission after an evidence reopening is a new submission, confirmed again.
        key=application.submitted_at.isoformat() if application.submitted_at else "",
    )


def eligible_institutions(cycle: Cycle) -> list[Institution]:
    from .services.applications import eligibility_problems

    return [
        i for i in Institution.objects.all() if not eligibility_problems(institution=i, cycle=cycle)
    ]


def cycle_announced(cycle: Cycle) -> int:
    """공고: a mass notice to the members of every eligible institution, held in the outbox
    until an admin previews and releases it (one batch for the whole announcement)."""
    eligible = [i.pk for i in eligible_institutions(cycle)]
    return notify(
        event="cycle_announced",
        recipients=members_of(eligible),
        obj=cycle,
        url=reverse("evaluation:portal"),
        context={
            "cycle": cycle.title,
            "reference_date": cycle.reference_date.isoformat(),
            "deadline": _day(cycle.evidence_deadline),
        },
        mass=True,
    )


def evaluation_started(cycle: Cycle) -> int:
    """서류심사 began: every applicant whose application is in review is told."""
    total = 0
    applications = (
        Application.objects.filter(cycle=cycle, status__in=[S.SUBMITTED, S.UNDER_REVIEW])
        .select_related("cycle", "institution")
        .order_by("pk")
    )
    for application in applications:
        total += notify(
            event="evaluation_started",
            recipients=members_of([application.institution_id]),
            obj=application,
            url=_checklist_url(application),
            context=_application_context(application),
        )
    return total


# --- evaluators ------------------------------------------------------------------------------


def assignments_created(pairs: list[tuple[int, int]]) -> int:
    """One notice per evaluator listing their new assignments, each with its link."""
    by_evaluator: dict[int, list[int]] = defaultdict(list)
    for application_id, evaluator_id in pairs:
        by_evaluator[evaluator_id].append(application_id)
    assignments = {
        (a.application_id, a.evaluator_id): a
        for a in Assignment.objects.filter(
            evaluator_id__in=list(by_evaluator),
            application_id__in=[a for ids in by_evaluator.values() for a in ids],
        ).select_related("application__institution", "application__cycle", "evaluator")
    }
    total = 0
    for evaluator_id, app_ids in by_evaluator.items():
        mine = sorted(
            (assignments[(a, evaluator_id)] for a in app_ids if (a, evaluator_id) in assignments),
            key=lambda a: a.pk,
        )
        if not mine:
            continue
        links = [
            {
                "institution": a.application.institution.name,
                "url": absolute(reverse("evaluation:open_assignment", args=[a.pk])),
            }
            for a in mine
        ]
        total += notify(
            event="assignment_created",
            recipients=[mine[0].evaluator],
            obj=mine[0],
            url=(
                reverse("evaluation:open_assignment", args=[mine[0].pk])
                if len(mine) == 1
                else reverse("home")
            ),
            context={"cycle": mine[0].application.cycle.title, "applications": links},
            key=",".join(str(a.pk) for a in mine),
        )
    return total


# --- the process (ADR 011) ---------------------------------------------------------------------


def _result_url(application: Application) -> str:
    return reverse("evaluation:application_result", args=[application.pk])


def result_notified(cycle: Cycle) -> int:
    """결과통보: every evaluated application's members, each with the link to its own result.
    A mass notice: held in the outbox until an admin previews and releases it."""
    from notifications.services import Notice, notify_each

    from .models import EVALUATED_STATUSES
    from .process import objection_deadline

    deadline = _day(objection_deadline(cycle))
    applications = list(
        Application.objects.filter(cycle=cycle, status__in=EVALUATED_STATUSES)
        .select_related("cycle", "institution")
        .order_by("pk")
    )
    members = members_by_institution({a.institution_id for a in applications})
    return notify_each(
        event="result_notified",
        notices=[
            Notice(
                recipients=members.get(a.institution_id, []),
                obj=a,
                url=_result_url(a),
                context={**_application_context(a), "objection_deadline": deadline},
            )
            for a in applications
        ],
        mass=True,
    )


def _staff() -> list[User]:
    return list(
        User.objects.filter(is_active=True, groups__name=GROUP_NAMES[Role.ADMIN])
        .distinct()
        .order_by("pk")
    )


def objection_received(objection) -> int:
    """To the institution (a receipt) and to the admins who decide it."""
    application = objection.application
    context = {
        **_application_context(application),
        "received_at": _day(objection.filed_at),
    }
    url = reverse("evaluation:objection_detail", args=[objection.pk])
    return notify(
        event="objection_received",
        recipients=[*members_of([application.institution_id]), *_staff()],
        obj=application,
        url=url,
        context=context,
        key=str(objection.pk),
    )


def objection_decided(objection) -> int:
    """기각, 재심, and the re-review's outcome: each a notice to the institution."""
    application = objection.application
    return notify(
        event="objection_decided",
        recipients=members_of([application.institution_id]),
        obj=application,
        url=reverse("evaluation:objection_detail", args=[objection.pk]),
        context={
            **_application_context(application),
            "decision": objection.get_status_display(),
            "reason": objection.decision_reason,
        },
        key=f"{objection.pk}:{objection.status}",
    )


def sheets_reopened(objection, assignments) -> int:
    """재심: every evaluator whose sheet was reopened."""
    total = 0
    for assignment in assignments:
        total += notify(
            event="sheet_reopened",
            recipients=[assignment.evaluator],
            obj=assignment,
            url=reverse("evaluation:sheet", args=[assignment.pk]),
            context={
                "cycle": assignment.application.cycle.title,
                "institution": assignment.application.institution.name,
                "reason": objection.decision_reason,
            },
            key=f"objection:{objection.pk}",
        )
    return total


def withdrawal_decided(request) -> int:
    """The evaluator who asked to withdraw after 확정 learns the decision (about the request,
    which they still see even when the assignment is now excluded)."""
    assignment = request.assignment
    return notify(
        event="withdrawal_decided",
        recipients=[assignment.evaluator],
        obj=request,
        url=reverse("home"),
        context={
            "cycle": assignment.application.cycle.title,
            "institution": assignment.application.institution.name,
            "decision": request.get_decision_display(),
            "reason": request.decision_reason,
        },
    )


def certifications_issued(certifications) -> int:
    """Each certified institution's members, with the public verification address."""
    total = 0
    for c in certifications:
        total += notify(
            event="certification_issued",
            recipients=members_of([c.institution_id]),
            obj=c.application,
            url=reverse("evaluation:certification_detail", args=[c.pk]),
            context={
                "cycle": c.cycle.title,
                "institution": c.institution.name,
                "number": c.number,
                "valid_until": c.valid_until.isoformat(),
                "verify_url": absolute(
                    reverse("evaluation:certification_verify", args=[c.verification_code])
                ),
            },
            key=c.number,
        )
    return total


def certification_revoked(certification) -> int:
    return notify(
        event="certification_revoked",
        recipients=members_of([certification.institution_id]),
        obj=certification.application,
        url=reverse("evaluation:certification_detail", args=[certification.pk]),
        context={
            "cycle": certification.cycle.title,
            "institution": certification.institution.name,
            "number": certification.number,
            "revoked_on": _day(certification.revoked_at),
            "reason": certification.revocation_reason,
        },
        key=certification.number,
    )


# --- scheduled reminders -----------------------------------------------------------------------


def evidence_deadline_reminders(today: date) -> int:
    """D-7 and D-1 before the evidence deadline, to members of institutions whose draft
    application still has items without evidence."""
    total = 0
    for cycle in Cycle.objects.filter(stage=Stage.APPLICATION):
        days = (timezone.localtime(cycle.evidence_deadline).date() - today).days
        if days not in EVIDENCE_REMINDER_DAYS:
            continue
        for application in Application.objects.filter(cycle=cycle, status=S.DRAFT).select_related(
            "cycle", "institution"
        ):
            missing = queries.missing_items(application)
            if not missing:
                continue
            total += notify(
                event="evidence_deadline",
                recipients=members_of([application.institution_id]),
                obj=application,
                url=_checklist_url(application),
                context={
                    **_application_context(application),
                    "days_left": days,
                    "missing": [f"{i.code} {i.title}" for i in missing],
                },
                key=f"D-{days}",
            )
    return total


def scoring_deadline_of(cycle: Cycle) -> datetime | None:
    """When scoring ends: the planned start of 인증위원회 (the cycle's stage schedule), at
    midnight local time; None when the cycle plans no date for it."""
    from datetime import time

    from .models import CycleStageDate

    planned = CycleStageDate.objects.filter(cycle=cycle, stage=Stage.COMMITTEE).first()
    if planned is None:
        return None
    return timezone.make_aware(datetime.combine(planned.starts_on, time.min))


def scoring_deadline_reminders(today: date) -> int:
    """D-3 and D-1 before the scoring deadline, to evaluators with unconfirmed sheets."""
    total = 0
    for cycle in Cycle.objects.filter(stage__in=[Stage.DOCUMENT_REVIEW, Stage.SITE_VISIT]):
        deadline = scoring_deadline_of(cycle)
        if deadline is None:
            continue
        days = (timezone.localtime(deadline).date() - today).days
        if days not in SCORING_REMINDER_DAYS:
            continue
        pending: dict[int, list[str]] = defaultdict(list)
        evaluators: dict[int, User] = {}
        for a in (
            aq.cycle_counted_assignments(cycle)
            .exclude(sheet__status="confirmed")
            .select_related("evaluator", "application__institution")
            .order_by("application__institution__name")
        ):
            pending[a.evaluator_id].append(a.application.institution.name)
            evaluators[a.evaluator_id] = a.evaluator
        for evaluator_id, names in pending.items():
            total += notify(
                event="scoring_deadline",
                recipients=[evaluators[evaluator_id]],
                obj=cycle,
                url=reverse("home"),
                context={
                    "cycle": cycle.title,
                    "deadline": _day(deadline),
                    "days_left": days,
                    "sheets": names,
                },
                key=f"D-{days}",
            )
    return total


CERTIFICATION_REMINDER_DAYS = (180, 90, 30)


def certification_expiry_reminders(today: date) -> int:
    """D-180, D-90 and D-30 before a certification's validity ends (not revoked), to the
    members of the certified institution."""
    from .models import Certification

    total = 0
    ends = [today + timedelta(days=d) for d in CERTIFICATION_REMINDER_DAYS]
    for c in (
        Certification.objects.valid_on(today)
        .filter(valid_until__in=ends)
        .select_related("institution", "application")
        .order_by("pk")
    ):
        days = (c.valid_until - today).days
        total += notify(
            event="certification_expiring",
            recipients=members_of([c.institution_id]),
            obj=c.application,
            url=reverse("evaluation:certification_detail", args=[c.pk]),
            context={
                "institution": c.institution.name,
                "number": c.number,
                "valid_until": c.valid_until.isoformat(),
                "days_left": days,
            },
            key=f"D-{days}",
        )
    return total


def objections_to_decide(today: date) -> schedule.DigestSection | None:
    """Digest: 이의신청 waiting for an admin's decision."""
    from .models import Objection, ObjectionStatus

    rows = list(
        Objection.objects.filter(status=ObjectionStatus.PENDING)
        .select_related("application__institution", "application__cycle")
        .order_by("filed_at")[: schedule.DIGEST_LIMIT]
    )
    if not rows:
        return None
    return schedule.DigestSection(
        "결정할 이의신청",
        [
            f"{o.application.institution.name} · {o.application.cycle.title} · 접수 {_day(o.filed_at)}"
            for o in rows
        ],
        reverse("evaluation:objection_list", args=[rows[0].application.cycle.slug]),
    )


def withdrawals_to_decide(today: date) -> schedule.DigestSection | None:
    """Digest: evaluators' withdrawal requests after 확정 waiting for a decision."""
    from .models import RequestDecision, WithdrawalRequest

    rows = list(
        WithdrawalRequest.objects.filter(decision=RequestDecision.PENDING)
        .select_related("assignment__evaluator", "assignment__application__institution")
        .order_by("requested_at")[: schedule.DIGEST_LIMIT]
    )
    if not rows:
        return None
    return schedule.DigestSection(
        "결정할 평가위원 철회 요청",
        [
            f"{r.assignment.evaluator} · {r.assignment.application.institution.name} · "
            f"요청 {_day(r.requested_at)}"
            for r in rows
        ],
        reverse("evaluation:withdrawal_decide", args=[rows[0].pk]),
    )


def renewal_open_reminders(today: date) -> int:
    """재인증: while a cycle takes applications, members of institutions whose certification of
    its programme ends within the renewal window (and who have not applied yet) are told, once
    per cycle."""
    from .models import Certification
    from .services.certification import programme_of, renewal_window

    total = 0
    window = renewal_window()
    for cycle in Cycle.objects.filter(
        stage=Stage.APPLICATION, evidence_deadline__gt=timezone.now()
    ):
        applied = Application.objects.filter(cycle=cycle).values("institution_id")
        for c in (
            Certification.objects.filter(
                programme=programme_of(cycle),
                revoked_at__isnull=True,
                valid_until__gte=cycle.reference_date - window,
                valid_until__lte=cycle.reference_date + window,
            )
            .exclude(institution_id__in=applied)
            .select_related("institution")
            .order_by("pk")
        ):
            total += notify(
                event="renewal_open",
                recipients=members_of([c.institution_id]),
                obj=cycle,
                url=reverse("evaluation:portal"),
                context={
                    "cycle": cycle.title,
                    "institution": c.institution.name,
                    "valid_until": c.valid_until.isoformat(),
                    "deadline": _day(cycle.evidence_deadline),
                },
                key=f"renewal:{c.pk}",
            )
    return total


def gates_blocked(today: date) -> schedule.DigestSection | None:
    """Digest: cycles whose next stage's planned start has come while their gate still holds
    them back, with the first blocker of each."""
    from .models import CycleStageDate
    from .process import stage_blockers

    lines = []
    first_slug = ""
    # The planned dates of every open cycle in one query; only the cycles whose next stage is
    # due have their gate read.
    planned_on = {
        (d.cycle_id, d.stage): d.starts_on
        for d in CycleStageDate.objects.exclude(cycle__stage=Stage.FINAL)
    }
    for cycle in Cycle.objects.exclude(stage=Stage.FINAL).order_by("slug"):
        nxt = cycle.next_stage
        starts_on = planned_on.get((cycle.pk, nxt))
        if starts_on is None or starts_on > today:
            continue
        blockers = stage_blockers(cycle)
        if blockers:
            lines.append(
                f"{cycle.title}: '{nxt.label}' 예정일 {starts_on} 경과, "
                f"막는 이유 {len(blockers)}건 — {blockers[0].message}"
            )
            first_slug = first_slug or cycle.slug
        if len(lines) >= schedule.DIGEST_LIMIT:
            break
    if not lines:
        return None
    return schedule.DigestSection(
        "일정이 지났으나 진행 조건이 충족되지 않은 평가 주기",
        lines,
        reverse("evaluation:cycle_detail", args=[first_slug]),
    )


# --- visibility hooks --------------------------------------------------------------------------


def _application_visible(user, application: Application) -> bool:
    return queries.visible_applications(user).filter(pk=application.pk).exists()


def _assignment_visible(user, assignment: Assignment) -> bool:
    return assignment.evaluator_id == user.pk and assignment.is_active


def register() -> None:
    policy.register(Application, _application_visible)
    policy.register(Assignment, _assignment_visible)
    schedule.register_reminder(evidence_deadline_reminders)
    schedule.register_reminder(scoring_deadline_reminders)
    schedule.register_reminder(certification_expiry_reminders)
    schedule.register_digest_source(objections_to_decide)
    schedule.register_digest_source(withdrawals_to_decide)
    schedule.register_reminder(renewal_open_reminders)
    schedule.register_digest_source(gates_blocked)
