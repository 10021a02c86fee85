"""Who may read a cycle's reliability (docs/decisions/015-reliability.md).

Admins and managers: every cycle's α and every evaluator's severity. An evaluator: only their
own severity against the panel, and only once the cycle is 확정 (``Stage.FINAL``) and they have
a counted (confirmed, not excluded) sheet in it. Evaluators never see another evaluator's
severity; everybody else gets 404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from indicators.models import Area
from institutions.roles import is_evaluator

from ..models import Assignment, Cycle, SheetStatus, Stage
from . import visible_cycles
from .results import can_read_results


def reliability_cycles(user) -> QuerySet[Cycle]:
    """Cycles whose whole reliability ``user`` may read (admins and managers)."""
    if not can_read_results(user):
        return Cycle.objects.none()
    return visible_cycles(user)


def own_severity_cycles(user) -> QuerySet[Cycle]:
    """확정 cycles in which ``user`` rated as an evaluator with a counted sheet."""
    if not is_evaluator(user):
        return Cycle.objects.none()
    rated = Assignment.objects.filter(
        application__cycle=OuterRef("pk"),
        evaluator=user,
        exclusion="",
        sheet__status=SheetStatus.CONFIRMED,
    )
    return Cycle.objects.filter(Exists(rated), stage=Stage.FINAL)


def area_titles(cycle: Cycle) -> dict[str, str]:
    """Area code -> title of the cycle's rubric version, for the reliability tables. One query."""
    return dict(
        Area.objects.filter(version_id=cycle.rubric_version_id).values_list("code", "title")
    )
