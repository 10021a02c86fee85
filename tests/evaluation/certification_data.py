"""Builders for certification tests: a cycle whose applications have stored results, moved
straight to a stage (the stage gates are tested elsewhere)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from evaluation.models import Application, ApplicationStatus, Cycle, Decision, Result, Stage


def submitted(application: Application) -> Application:
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    application.refresh_from_db()
    return application


def with_result(
    application: Application, decision: str = Decision.PASS, *, committee: str = "", by=None
) -> Result:
    """A stored result (``decision`` computed, ``committee`` the 인증위원회's if given)."""
    submitted(application)
    return Result.objects.create(
        application=application,
        total=Decimal("150") if decision == Decision.PASS else Decimal("90"),
        decision=decision,
        committee_decision=committee,
        committee_at=timezone.now() if committee else None,
        committee_by=by if committee else None,
        sheets_counted=3,
    )


def at_stage(cycle: Cycle, stage: str = Stage.FINAL) -> Cycle:
    Cycle.objects.filter(pk=cycle.pk).update(stage=stage)
    cycle.refresh_from_db()
    return cycle
