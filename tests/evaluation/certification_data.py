"""Builders for certification tests: a cycle whose applications have stored results, moved
straight to a stage (the stage gates are tested elsewhere)."""

from __future__ import annotations

from django.utils import timezone

from evaluation.models import Application, ApplicationStatus, Cycle, Decision, Result, Stage

from ..factories import make_evaluators, score_application


def submitted(application: Application) -> Application:
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    application.refresh_from_db()
    return application


def with_result(
    application: Application, decision: str = Decision.PASS, *, committee: str = "", by=None
) -> Result:
    """The application scored by three evaluators through the sheet services (every item "A",
    80 %, for a pass; every item "D", 20 %, for a fail) and the result they computed; with
    ``committee``, the 인증위원회's decision recorded on it (``by``)."""
    submitted(application)
    evaluators = make_evaluators(3, prefix="cert-ev")
    grade = "A" if decision == Decision.PASS else "D"
    score_application(application, dict.fromkeys(evaluators, grade))
    result = Result.objects.get(application=application)
    assert result.decision == decision, (result.total, application.cycle.pass_threshold)
    if committee:
        Result.objects.filter(pk=result.pk).update(
            committee_decision=committee, committee_at=timezone.now(), committee_by=by
        )
        result.refresh_from_db()
    return result


def at_stage(cycle: Cycle, stage: str = Stage.FINAL) -> Cycle:
    Cycle.objects.filter(pk=cycle.pk).update(stage=stage)
    cycle.refresh_from_db()
    return cycle
