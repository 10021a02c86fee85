"""The score audit trail of an application, and who may read it or unlock a sheet.

Which applications: ``visible_applications(user, action="review")``; which assignments may be
unlocked: ``visible_assignments(user, action="decide")`` (ADR 002)."""

from __future__ import annotations

from django.db.models import QuerySet

from institutions.roles import is_admin, is_staff_reader

from ..models import Application, Assignment, ScoreAudit

# --- who may do what --------------------------------------------------------------------------


def can_read_audit(user) -> bool:
    """Admins and managers read every application's score audit trail."""
    return is_staff_reader(user)


def can_unlock(user) -> bool:
    return is_admin(user)


def application_assignments(application: Application) -> list[Assignment]:
    """Every assignment of the application with its evaluator and sheet (one query)."""
    return list(
        Assignment.objects.filter(application=application)
        .select_related("evaluator", "sheet")
        .order_by("assigned_at", "pk")
    )


def application_audit(application: Application) -> QuerySet[ScoreAudit]:
    """The application's score audit trail, oldest first."""
    return (
        ScoreAudit.objects.filter(sheet__assignment__application=application)
        .select_related("actor", "item", "sheet__assignment__evaluator")
        .order_by("at", "pk")
    )
