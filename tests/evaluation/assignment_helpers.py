"""Plain helpers for the assignment/conflict tests (the fixtures are in assignment_world)."""

from __future__ import annotations

from django.utils import timezone

from evaluation.models import Application, ApplicationStatus

from ..conftest import PERSONAS

ALL_PERSONAS = [*PERSONAS, "conflicted_evaluator"]


def force_submit(app: Application) -> Application:
    """Submitted without the checklist: these tests are about assignment, not evidence."""
    Application.objects.filter(pk=app.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    app.refresh_from_db()
    return app


def login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]
