"""The evaluator's 서약서 for a cycle."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ... import process
from ...models import Cycle, Pledge
from ...queries import assignment as aq

PLEDGE_TEXT_VERSION = "1"


@transaction.atomic
def pledge_sign(*, cycle: Cycle, evaluator, ip: str | None) -> Pledge:
    """The evaluator signs the cycle's 서약서. Signing twice returns the first signature."""
    if not aq.is_evaluator(evaluator):
        raise PermissionDenied
    existing = Pledge.objects.filter(cycle=cycle, evaluator=evaluator).first()
    if existing is not None:
        return existing
    problems = process.pledge_blockers(cycle)
    if problems:
        raise ValidationError(problems)
    pledge, _ = Pledge.objects.get_or_create(
        cycle=cycle,
        evaluator=evaluator,
        defaults={"ip_address": ip, "text_version": PLEDGE_TEXT_VERSION},
    )
    return pledge
