"""Plain helpers for the assignment/conflict tests (the fixtures are in assignment_world; the
personas, ``expect`` and ``login_redirect`` in tests/personas.py)."""

from __future__ import annotations

from django.utils import timezone

from evaluation.models import Application, ApplicationStatus


def force_submit(app: Application) -> Application:
    """Submitted without the checklist: these tests are about assignment, not evidence."""
    Application.objects.filter(pk=app.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    app.refresh_from_db()
    return app
