"""Evaluation models, one module per idea; import them from here."""

from .access import AccessPurpose, EvidenceAccess
from .application import (
    EVALUATED_STATUSES,
    Application,
    ApplicationStatus,
    ApplicationTransition,
)
from .assignment import (
    Assignment,
    Challenge,
    ChallengeDecision,
    Declaration,
    Exclusion,
    Pledge,
)
from .certification import Certification, CertificationCounter, CertificationStatus
from .cycle import (
    STAGE_ORDER,
    AggregationRule,
    Cycle,
    CycleAreaMinimum,
    CycleStageAdvance,
    CycleStageDate,
    Stage,
)
from .evidence import (
    CONTENT_TYPES,
    PREVIEWABLE_KINDS,
    Evidence,
    EvidenceFile,
    EvidenceReopening,
    FileKind,
    FileState,
)
from .freeze import FrozenCycleError
from .process import (
    OBJECTION_CLOSED,
    Objection,
    ObjectionItem,
    ObjectionStatus,
    RequestDecision,
    SheetReopening,
    WithdrawalRequest,
)
from .result import AreaSubstitution, Decision, Result
from .sheet import (
    AppendOnlyError,
    AuditAction,
    ItemScore,
    ScoreAudit,
    Sheet,
    SheetStatus,
)

__all__ = [
    "FrozenCycleError",
    "EVALUATED_STATUSES",
    "OBJECTION_CLOSED",
    "Objection",
    "ObjectionItem",
    "ObjectionStatus",
    "RequestDecision",
    "SheetReopening",
    "WithdrawalRequest",
    "AppendOnlyError",
    "AreaSubstitution",
    "Assignment",
    "AuditAction",
    "Challenge",
    "ChallengeDecision",
    "Certification",
    "CertificationCounter",
    "CertificationStatus",
    "Decision",
    "Declaration",
    "Exclusion",
    "ItemScore",
    "Pledge",
    "Result",
    "ScoreAudit",
    "Sheet",
    "SheetStatus",
    "CONTENT_TYPES",
    "PREVIEWABLE_KINDS",
    "STAGE_ORDER",
    "AccessPurpose",
    "AggregationRule",
    "Application",
    "ApplicationStatus",
    "ApplicationTransition",
    "Cycle",
    "CycleAreaMinimum",
    "CycleStageAdvance",
    "CycleStageDate",
    "Evidence",
    "EvidenceAccess",
    "EvidenceFile",
    "EvidenceReopening",
    "FileKind",
    "FileState",
    "Stage",
]
