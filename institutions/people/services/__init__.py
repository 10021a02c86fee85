"""Writes of the people side: registration and its decision, invitations, members, institution
edits and sanctions, the evaluator pool. Each is keyword-only and atomic, refuses with every
problem at once (in Korean), and records what it changed in ``PeopleEvent`` (who, when, what).
ADR 016.

One module per idea (``registration``, ``members``, ``institution``, ``evaluators``; what they
share in ``common``); callers import every write from here.
"""

from .common import LinkProblem, _event, duplicate_number_message
from .evaluators import affiliation_add, evaluator_profile_update
from .institution import EDITABLE_FIELDS, institution_update, sanction_record
from .members import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    member_deactivate,
)
from .registration import (
    registration_approve,
    registration_confirm_email,
    registration_for_token,
    registration_reject,
    registration_resend,
    registration_submit,
)

__all__ = [
    "EDITABLE_FIELDS",
    "LinkProblem",
    "_event",
    "affiliation_add",
    "duplicate_number_message",
    "evaluator_profile_update",
    "institution_update",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_resend",
    "member_deactivate",
    "registration_approve",
    "registration_confirm_email",
    "registration_for_token",
    "registration_reject",
    "registration_resend",
    "registration_submit",
    "sanction_record",
]
