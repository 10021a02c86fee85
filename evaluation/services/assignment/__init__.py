"""Writes for assignments, pledges and conflicts of interest (제척·기피·회피).

Every refusal is a ``ValidationError`` in Korean naming the institution and the evaluator;
a refused write changes nothing. Permission is checked here too (``PermissionDenied``), so a
caller that forgets the view's check still cannot write.

One module per idea: ``assign`` (one or many, and the evaluator's notice), ``auto`` (the
balanced plan), ``pledge`` (서약서), ``conflicts`` (회피·기피·제척). Callers import from here.
"""

from .assign import BulkOutcome, assignment_create, assignment_notices_send, assignments_create_bulk
from .auto import AutoPlan, assignment_auto_apply, assignment_auto_plan
from .conflicts import (
    assignment_disqualify,
    challenge_decide,
    challenge_request,
    conflict_declare,
    withdrawal_decide,
    withdrawal_request,
)
from .pledge import PLEDGE_TEXT_VERSION, pledge_sign

__all__ = [
    "AutoPlan",
    "BulkOutcome",
    "PLEDGE_TEXT_VERSION",
    "assignment_auto_apply",
    "assignment_auto_plan",
    "assignment_create",
    "assignment_disqualify",
    "assignment_notices_send",
    "assignments_create_bulk",
    "challenge_decide",
    "challenge_request",
    "conflict_declare",
    "pledge_sign",
    "withdrawal_decide",
    "withdrawal_request",
]
