"""Notices of the process's events: to institutions, evaluators and admins, one function per
event, each writing outbox rows in the caller's transaction and returning how many were new."""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse

from institutions.models import Institution
from notifications.rendering import absolute
from notifications.services import notify

from .. import queries
from ..models import Application, ApplicationStatus, Assignment, Cycle
from .recipients import (
    application_context,
    checklist_url,
    day,
    members_by_institution,
    members_of,
    staff,
)

S = ApplicationStatus


# --- institutions ----------------------------------------------------------------------------


def application_received(application: Application) -> int:
    return notify(
        event="application_received",
        recipients=members_of([application.institution_id]),
        obj=application,
        url=checklist_url(application),
        context=application_context(application),
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
        url=checklist_url(application),
        context={
            **application_context(application),
            "submitted_at": day(application.submitted_at),
            "items": items,
        },
        # A submission after an evidence reopening is a new submission, confirmed again.
        key=application.submitted_at.isoformat() if application.submitted_at else "",
    )


def eligible_institutions(cycle: Cycle) -> list[Institution]:
    from ..services.applications import eligibility_problems

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
            "deadline": day(cycle.evidence_deadline),
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
            url=checklist_url(application),
            context=application_context(application),
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

    from ..models import EVALUATED_STATUSES
    from ..process import objection_deadline

    deadline = day(objection_deadline(cycle))
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
                context={**application_context(a), "objection_deadline": deadline},
            )
            for a in applications
        ],
        mass=True,
    )


def objection_received(objection) -> int:
    """To the institution (a receipt) and to the admins who decide it."""
    application = objection.application
    context = {
        **application_context(application),
        "received_at": day(objection.filed_at),
    }
    url = reverse("evaluation:objection_detail", args=[objection.pk])
    return notify(
        event="objection_received",
        recipients=[*members_of([application.institution_id]), *staff()],
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
            **application_context(application),
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
            "revoked_on": day(certification.revoked_at),
            "reason": certification.revocation_reason,
        },
        key=certification.number,
    )
