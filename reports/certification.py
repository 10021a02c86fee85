"""What a certification's PDF (인증서) shows, read into plain JSON (the report's inputs).

Like every report, the document is rendered from this snapshot only and keyed by its hash:
a revocation changes the snapshot (the PDF then says 취소), nothing else about a certification
ever changes."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from evaluation.models import Certification
from evaluation.queries.certification import verify_url


def issuer_name() -> str:
    return str(getattr(settings, "ORGANIZATION_NAME", "") or "인증평가 사무국")


def _business_number(digits: str) -> str:
    """``1234567890`` → ``123-45-67890`` (as printed on a 사업자등록증)."""
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits


def certification_inputs(certification: Certification) -> dict:
    version = certification.rubric_version
    revoked_on = (
        timezone.localdate(certification.revoked_at).isoformat() if certification.revoked_at else ""
    )
    return {
        "id": certification.pk,
        "number": certification.number,
        "institution": certification.institution.name,
        "business_number": _business_number(certification.institution.business_number),
        "representative": certification.institution.representative,
        "address": certification.institution.address,
        "programme": version.programme_name,
        "rubric_label": f"{version.rubric.title} v{version.version}",
        "cycle": {"id": certification.cycle_id, "title": certification.cycle.title},
        "valid_from": certification.valid_from.isoformat(),
        "valid_until": certification.valid_until.isoformat(),
        "issued_on": certification.valid_from.isoformat(),
        "verify_url": verify_url(certification),
        "issuer": issuer_name(),
        "revoked_on": revoked_on,
    }
