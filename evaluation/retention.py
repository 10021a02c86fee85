"""What ``evaluation`` keeps and for how long (``institutions.people.retention``, ADR 016).

Rules: evidence files are destroyed ``RETENTION["evidence_after_final"]`` days after their
cycle's 확정 (the bytes in storage go; the row stays as a hash-and-size tombstone, removed and
``purged_at``, so access logs keep pointing at it); evidence access logs
go after ``RETENTION["access_log"]`` days.

Holds (what still needs them): an application with an 이의신청 not yet closed, or with a
인증서 not expired or revoked. Registered in ``EvaluationConfig.ready``.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from institutions.people import retention, subject_access

from .models import (
    Application,
    Certification,
    CycleStageAdvance,
    EvidenceAccess,
    EvidenceFile,
    FileState,
    Objection,
    Stage,
)
from .models.process import OBJECTION_CLOSED
from .services.storage import storage_delete_on_commit


def _application_of(obj) -> Application | None:
    if isinstance(obj, Application):
        return obj
    return getattr(obj, "application", None) if hasattr(obj, "application_id") else None


def still_needed(obj) -> str:
    """Why ``obj`` (anything belonging to an application) must be kept, or ""."""
    application = _application_of(obj)
    if application is None:
        return ""
    if (
        Objection.objects.filter(application_id=application.pk)
        .exclude(status__in=OBJECTION_CLOSED)
        .exists()
    ):
        return "처리 중인 이의신청이 있는 신청의 자료"
    if (
        Certification.objects.valid_on(timezone.localdate())
        .filter(application_id=application.pk)
        .exists()
    ):
        return "유효한 인증서가 있는 신청의 자료"
    return ""


def _evidence_due(cutoff):
    finalised = CycleStageAdvance.objects.filter(
        cycle_id=OuterRef("application__cycle_id"), to_stage=Stage.FINAL, advanced_at__lt=cutoff
    )
    return (
        EvidenceFile.objects.filter(purged_at__isnull=True, linked_from__isnull=True)
        .filter(Exists(finalised))
        .select_related("application")
        .order_by("pk")
    )


def _evidence_destroy(files) -> int:
    ids = [f.pk for f in files]
    keys = [f.storage_key for f in files]
    # A destroyed file reads as removed (a current file is never purged: model constraint);
    # links share their original's bytes, so they go with it.
    now = timezone.now()
    for rows in (
        EvidenceFile.objects.filter(pk__in=ids),
        EvidenceFile.objects.filter(linked_from__in=ids),
    ):
        rows.filter(state=FileState.CURRENT).update(
            state=FileState.REMOVED, superseded_at=now, purged_at=now
        )
        rows.filter(purged_at__isnull=True).update(purged_at=now)
    storage_delete_on_commit(keys)
    return len(ids)


def _access_due(cutoff):
    return EvidenceAccess.objects.filter(at__lt=cutoff).select_related("application")


def _access_destroy(rows) -> int:
    deleted, _ = EvidenceAccess.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return deleted


def register() -> None:
    subject_access.register("evaluation", _subject_data)
    retention.register_hold(still_needed)
    retention.register_rule(
        retention.Rule(
            name="evidence_after_final",
            label="확정 후 보유기간이 지난 증빙 파일",
            setting="evidence_after_final",
            candidates=_evidence_due,
            destroy=_evidence_destroy,
            describe=lambda f: f"증빙 파일 #{f.pk} (신청 #{f.application_id})",
        )
    )
    retention.register_rule(
        retention.Rule(
            name="access_log",
            label="보유기간이 지난 증빙 열람 기록",
            setting="access_log",
            candidates=_access_due,
            destroy=_access_destroy,
            describe=lambda a: f"열람 기록 #{a.pk}",
        )
    )


def _subject_data(user) -> dict:
    """The 열람 청구 part of ``evaluation``: what it holds about ``user``."""
    from .models import Assignment, Pledge

    def iso(value):
        return value.isoformat() if value is not None else None

    return {
        "assignments": [
            {
                "cycle": a.application.cycle.title,
                "institution": a.application.institution.name,
                "assigned_at": iso(a.assigned_at),
                "declaration": a.declaration,
                "exclusion": a.exclusion,
            }
            for a in Assignment.objects.filter(evaluator=user).select_related(
                "application__cycle", "application__institution"
            )
        ],
        "pledges": [
            {"cycle": p.cycle.title, "signed_at": iso(p.signed_at), "ip": p.ip_address}
            for p in Pledge.objects.filter(evaluator=user).select_related("cycle")
        ],
        "uploads": [
            {"file": f.original_name, "uploaded_at": iso(f.uploaded_at), "state": f.state}
            for f in EvidenceFile.objects.filter(uploaded_by=user)
        ],
        "evidence_access_log": [
            {"at": iso(a.at), "ip": a.ip, "purpose": a.purpose, "file_id": a.file_id}
            for a in EvidenceAccess.objects.filter(user=user)
        ],
    }
