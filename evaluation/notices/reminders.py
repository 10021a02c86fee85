"""The daily reminders and the admins' digest sections, run by ``send_pending_notifications``
(registered in ``evaluation.notices.register``). Each is idempotent per day and recipient through
the notice's key."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from institutions.models import User
from notifications import schedule
from notifications.services import notify

from .. import queries
from ..models import Application, ApplicationStatus, Cycle, Stage
from ..queries import assignment as aq
from .recipients import application_context, checklist_url, day, members_of

EVIDENCE_REMINDER_DAYS = (7, 1)
SCORING_REMINDER_DAYS = (3, 1)

S = ApplicationStatus


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
                url=checklist_url(application),
                context={
                    **application_context(application),
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

    from ..models import CycleStageDate

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
                    "deadline": day(deadline),
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
    from ..models import Certification

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
    from ..models import Objection, ObjectionStatus

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
            f"{o.application.institution.name} · {o.application.cycle.title} · 접수 {day(o.filed_at)}"
            for o in rows
        ],
        reverse("evaluation:objection_list", args=[rows[0].application.cycle.slug]),
    )


def withdrawals_to_decide(today: date) -> schedule.DigestSection | None:
    """Digest: evaluators' withdrawal requests after 확정 waiting for a decision."""
    from ..models import RequestDecision, WithdrawalRequest

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
            f"요청 {day(r.requested_at)}"
            for r in rows
        ],
        reverse("evaluation:withdrawal_decide", args=[rows[0].pk]),
    )


def renewal_open_reminders(today: date) -> int:
    """재인증: while a cycle takes applications, members of institutions whose certification of
    its programme ends within the renewal window (and who have not applied yet) are told, once
    per cycle."""
    from ..models import Certification
    from ..services.certification import programme_of, renewal_window

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
                    "deadline": day(cycle.evidence_deadline),
                },
                key=f"renewal:{c.pk}",
            )
    return total


def gates_blocked(today: date) -> schedule.DigestSection | None:
    """Digest: cycles whose next stage's planned start has come while their gate still holds
    them back, with the first blocker of each."""
    from ..models import CycleStageDate
    from ..process import stage_blockers

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
