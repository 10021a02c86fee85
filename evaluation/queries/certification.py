"""Reads and access policy for certifications (인증서), ADR 017.

Who sees a certification's page and its PDF (``visible_certifications``):
- admins and managers: every certification;
- institution members: their own institution's;
- everyone else: none (404).
Only admins revoke (``can_revoke``). The public sees exactly two things, without logging in:
one certification by its unguessable verification code (``public_certification``: number,
institution, programme, validity, status) and the list of institutions certified today
(``certified_today``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from institutions.roles import is_admin, is_staff_reader

from ..models import Application, Certification, Cycle
from . import member_institutions


def visible_certifications(user) -> QuerySet[Certification]:
    if not user.is_authenticated or not user.is_active:
        return Certification.objects.none()
    if is_staff_reader(user):
        return Certification.objects.all()
    return Certification.objects.filter(institution__in=member_institutions(user))


def can_revoke(user) -> bool:
    return is_admin(user)


def can_list_cycle_certifications(user) -> bool:
    return is_staff_reader(user)


def cycle_certifications(cycle: Cycle) -> list[Certification]:
    """A cycle's certifications for the admin page: one query whatever their number."""
    return list(
        Certification.objects.filter(cycle=cycle)
        .select_related("institution", "revoked_by")
        .order_by("year", "sequence")
    )


def certifications_for_member(user) -> list[Certification]:
    """An institution member's certifications, newest first (the portal lists them)."""
    return list(
        visible_certifications(user)
        .select_related("institution", "cycle", "rubric_version__rubric")
        .order_by("-valid_from", "-pk")
    )


def public_certification(code: str) -> Certification | None:
    """The certification whose verification code is ``code``, or None. Only what the public
    page shows is loaded."""
    if not code or len(code) > 64:
        return None
    return (
        Certification.objects.filter(verification_code=code)
        .select_related("institution", "rubric_version__rubric")
        .only(
            "number",
            "valid_from",
            "valid_until",
            "revoked_at",
            "institution__name",
            "rubric_version__version",
            "rubric_version__rubric__title",
        )
        .first()
    )


@dataclass(frozen=True)
class Programme:
    code: str
    title: str
    certifications: list


def certified_today(day: date | None = None) -> list[Programme]:
    """Institutions whose certification is 유효 on ``day`` (today), per programme. One query."""
    day = day or timezone.localdate()
    rows = (
        Certification.objects.valid_on(day)
        .select_related("institution", "rubric_version__rubric")
        .order_by("programme", "institution__name", "number")
    )
    programmes: dict[str, Programme] = {}
    for cert in rows:
        programme = programmes.get(cert.programme)
        if programme is None:
            programme = programmes[cert.programme] = Programme(
                cert.programme, cert.rubric_version.programme_name, []
            )
        programme.certifications.append(cert)
    return list(programmes.values())


def verify_path(certification: Certification) -> str:
    return reverse("evaluation:certification_verify", args=[certification.verification_code])


def verify_url(certification: Certification) -> str:
    """The absolute public verification address (``SITE_URL`` + path): printed as a QR code
    on the PDF and exported by ``export_certificates``."""
    base = str(getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return base + verify_path(certification)


def previous_certification(application: Application) -> Certification | None:
    """The certification a 재인증 application renews (with its application's result)."""
    if application.renewal_of_id is None:
        return None
    return (
        Certification.objects.select_related("application__result", "cycle", "rubric_version")
        .filter(pk=application.renewal_of_id)
        .first()
    )
