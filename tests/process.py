"""Moving test cycles through the process the way the pages do: through the services and
their gates (ADR 011), never by writing ``stage`` directly."""

from __future__ import annotations

from evaluation.models import Application, ApplicationStatus, Stage
from evaluation.services.applications import application_transition
from evaluation.services.cycles import cycle_advance_to

EARLY = "테스트: 신청 조기 마감"


def submit_all(cycle, by) -> None:
    """Every draft application of ``cycle`` is submitted (as its transition service does)."""
    for application in Application.objects.filter(cycle=cycle, status=ApplicationStatus.DRAFT):
        application_transition(application=application, to=ApplicationStatus.SUBMITTED, by=by)


def open_for_scoring(cycle, by, *, submit: bool = True, only=None):
    """Drafts submitted (unless ``submit`` is False; with ``only``, just that application),
    then the cycle advanced through its gates to 서류심사, where sheets are scored (other
    drafts become 미제출). Returns the cycle as stored."""
    cycle.refresh_from_db()
    if only is not None:
        only.refresh_from_db()
        if only.status == ApplicationStatus.DRAFT:
            application_transition(application=only, to=ApplicationStatus.SUBMITTED, by=by)
    elif submit:
        submit_all(cycle, by)
    if cycle.stage_index < list(Stage.values).index(Stage.DOCUMENT_REVIEW):
        cycle = cycle_advance_to(cycle=cycle, by=by, to=Stage.DOCUMENT_REVIEW, reason=EARLY)
    return cycle


def set_stage(cycle, stage):
    """Put ``cycle`` at ``stage`` directly, for tests whose subject is not the process (a
    dashboard, a decision form, a report): the gates themselves are tested in
    ``tests/evaluation/test_process.py``. Never used by production code or the demo."""
    from evaluation.models import Cycle

    Cycle.objects.filter(pk=cycle.pk).update(stage=stage)
    cycle.refresh_from_db()
    return cycle
