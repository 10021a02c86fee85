"""Who in the evaluation process receives which notice (issue 13).

Evaluation calls ``notifications.services.notify``; the notifications app knows nothing of
evaluation (docs/decisions/012-notifications-outbox.md). Every function here writes outbox rows
in the caller's transaction and returns how many were new; delivery follows the commit.

``register()`` (called from ``EvaluationConfig.ready``) installs the visibility hooks that keep
a notice about an application or an assignment from reaching someone who may no longer see it,
and the daily reminder sources run by ``send_pending_notifications``.

The notices are split by idea: ``recipients`` (who, and the shared context), ``events`` (one
function per event of the process) and ``reminders`` (the daily reminders and digest sections).
Callers import them from here.
"""

from __future__ import annotations

from notifications import policy, schedule

from .. import queries
from ..models import Application, Assignment
from .events import (
    application_received,
    assignments_created,
    certification_revoked,
    certifications_issued,
    cycle_announced,
    eligible_institutions,
    evaluation_started,
    objection_decided,
    objection_received,
    result_notified,
    sheets_reopened,
    submission_confirmed,
    withdrawal_decided,
)
from .recipients import members_by_institution, members_of
from .reminders import (
    CERTIFICATION_REMINDER_DAYS,
    EVIDENCE_REMINDER_DAYS,
    SCORING_REMINDER_DAYS,
    certification_expiry_reminders,
    evidence_deadline_reminders,
    gates_blocked,
    objections_to_decide,
    renewal_open_reminders,
    scoring_deadline_of,
    scoring_deadline_reminders,
    withdrawals_to_decide,
)

__all__ = [
    "CERTIFICATION_REMINDER_DAYS",
    "EVIDENCE_REMINDER_DAYS",
    "SCORING_REMINDER_DAYS",
    "application_received",
    "assignments_created",
    "certification_expiry_reminders",
    "certification_revoked",
    "certifications_issued",
    "cycle_announced",
    "eligible_institutions",
    "evaluation_started",
    "evidence_deadline_reminders",
    "gates_blocked",
    "members_by_institution",
    "members_of",
    "objection_decided",
    "objection_received",
    "objections_to_decide",
    "register",
    "renewal_open_reminders",
    "result_notified",
    "scoring_deadline_of",
    "scoring_deadline_reminders",
    "sheets_reopened",
    "submission_confirmed",
    "withdrawal_decided",
    "withdrawals_to_decide",
]


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
