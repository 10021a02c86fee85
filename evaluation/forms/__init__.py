"""The evaluation app's forms, one module per topic; this package re-exports them all."""

from .assignment import (
    ApplicationsField,
    AssignOneForm,
    AutoAssignForm,
    BulkAssignForm,
    ChallengeDecisionForm,
    ChallengeRequestForm,
    DeclarationForm,
    EvaluatorChoiceField,
    EvaluatorsField,
    PledgeForm,
    ReasonForm,
)
from .cycle import CycleForm, DateInput, DateTimeInput, minimum_ratio
from .portal import ApplyForm, NarrativeForm, ReopenForm
from .process import (
    AdvanceForm,
    ObjectionConclusionForm,
    ObjectionDecisionForm,
    ObjectionForm,
    WithdrawalDecisionForm,
)
from .results import CommitteeDecisionForm, SubstitutionForm, substitution_form_for

__all__ = [
    "minimum_ratio",
    "AdvanceForm",
    "ApplicationsField",
    "ApplyForm",
    "AssignOneForm",
    "AutoAssignForm",
    "BulkAssignForm",
    "ChallengeDecisionForm",
    "ChallengeRequestForm",
    "CommitteeDecisionForm",
    "CycleForm",
    "DateInput",
    "DateTimeInput",
    "DeclarationForm",
    "EvaluatorChoiceField",
    "EvaluatorsField",
    "NarrativeForm",
    "ObjectionConclusionForm",
    "ObjectionDecisionForm",
    "ObjectionForm",
    "PledgeForm",
    "ReasonForm",
    "ReopenForm",
    "SubstitutionForm",
    "WithdrawalDecisionForm",
    "substitution_form_for",
]
