"""Writes of the evaluation app (``<noun>_<verb>``, keyword-only, atomic)."""

from .applications import (
    ALLOWED_TRANSITIONS,
    application_create,
    application_submit,
    application_transition,
    application_withdraw,
    eligibility_problems,
    evidence_reopen,
)
from .cycles import GateBlocked, cycle_advance_stage, cycle_advance_to, cycle_create
from .evidence import (
    evidence_access_record,
    evidence_file_link,
    evidence_file_remove,
    evidence_files_add,
    evidence_narrative_save,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "application_create",
    "application_submit",
    "application_transition",
    "application_withdraw",
    "GateBlocked",
    "cycle_advance_stage",
    "cycle_advance_to",
    "cycle_create",
    "eligibility_problems",
    "evidence_access_record",
    "evidence_file_link",
    "evidence_file_remove",
    "evidence_files_add",
    "evidence_narrative_save",
    "evidence_reopen",
]
