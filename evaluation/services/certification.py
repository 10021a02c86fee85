"""Writes for certifications (인증서): issue at 확정, revoke, and the 재인증 link (ADR 017).

- ``certifications_issue_for_cycle`` is called by the stage gate when a cycle enters 확정,
  inside the gate's transaction. It issues one certification per application whose result
  passes (``Result.final_decision``: the committee's decision, else the computed one), and
  skips applications already certified, so calling it twice issues nothing new.
- Numbers are ``제{year}-{sequence:04d}호``, unique per programme (the rubric's code): the
  sequence comes from a ``CertificationCounter`` row locked with ``SELECT … FOR UPDATE``, so
  concurrent issues on PostgreSQL wait for each other instead of taking the same number.
- ``certification_revoke``: an admin, with a reason. Expiry is never written: it is computed.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution

from .. import queries
from ..models import (
    Application,
    ApplicationStatus,
    Certification,
    CertificationCounter,
    Cycle,
    Decision,
    Result,
)

# Applications that never reach a certificate whatever their result says.
NOT_CERTIFIABLE = (ApplicationStatus.WITHDRAWN, ApplicationStatus.NOT_SUBMITTED)
CODE_BYTES = 24  # secrets.token_urlsafe(24): 192 bits, 32 characters


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def validity(valid_from: date, years: int) -> date:
    """The last valid day: ``valid_from`` + ``years`` years - 1 day (3 years from 2026-12-05
    end on 2029-12-04)."""
    return add_years(valid_from, years) - timedelta(days=1)


def programme_of(cycle: Cycle) -> str:
    return cycle.rubric_version.rubric.code


def format_number(year: int, sequence: int) -> str:
    return f"제{year}-{sequence:04d}호"


def new_verification_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def _next_sequence(programme: str, year: int) -> int:
    """Take the next number of (programme, year) under the counter row's lock. The row is
    created first if missing (``INSERT … ON CONFLICT DO NOTHING``: two first issues at once
    both find one row), then locked; the lock holds until the caller's transaction ends."""
    CertificationCounter.objects.bulk_create(
        [CertificationCounter(programme=programme, year=year, last=0)], ignore_conflicts=True
    )
    counter = CertificationCounter.objects.select_for_update().get(programme=programme, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _passing_results(cycle: Cycle):
    return (
        Result.objects.filter(application__cycle=cycle)
        .filter(
            Q(committee_decision=Decision.PASS) | Q(committee_decision="", decision=Decision.PASS)
        )
        .exclude(application__status__in=NOT_CERTIFIABLE)
    )


def certification_blockers(cycle: Cycle) -> list[str]:
    """What must hold before ``cycle``'s certifications can be issued (Korean), or [].

    No passing application is not a blocker: there is simply nothing to issue."""
    problems = []
    if cycle.certificate_years < 1:
        problems.append(
            _("'%(cycle)s': 인증 유효기간(년)은 1 이상이어야 합니다 (현재 %(years)s).")
            % {"cycle": cycle.title, "years": cycle.certificate_years}
        )
    missing = (
        _passing_results(cycle)
        .filter(total__isnull=True)
        .select_related("application__institution")
    )
    for result in missing:
        problems.append(
            _(
                "%(name)s: 인증 판정이지만 총점이 계산되지 않아 인증서를 발급할 수 없습니다 "
                "(결과를 다시 계산하십시오)."
            )
            % {"name": result.application.institution.name}
        )
    return problems


@transaction.atomic
def certifications_issue_for_cycle(*, cycle: Cycle, by, on: date | None = None) -> list:
    """Issue a certification to every passing application of ``cycle`` that has none yet.

    Idempotent: applications already certified are skipped (and not returned). Refuses with
    every blocker (``certification_blockers``). ``on`` is the issue date (default: today,
    local time); the number's year is that date's year."""
    # The cycle's row lock serialises two issues of the same cycle (the second then finds
    # every application certified); the counter's lock serialises issues across cycles.
    cycle = (
        Cycle.objects.select_for_update(of=("self",))
        .select_related("rubric_version__rubric")
        .get(pk=cycle.pk)
    )
    problems = certification_blockers(cycle)
    if problems:
        raise ValidationError(problems)
    issued_on = on or timezone.localdate()
    programme = programme_of(cycle)
    pending = list(
        Application.objects.filter(pk__in=_passing_results(cycle).values("application_id"))
        .filter(certification__isnull=True)
        .select_related("institution")
        .order_by("institution__name", "pk")
    )
    issued = []
    for application in pending:
        sequence = _next_sequence(programme, issued_on.year)
        issued.append(
            Certification.objects.create(
                programme=programme,
                year=issued_on.year,
                sequence=sequence,
                number=format_number(issued_on.year, sequence),
                institution=application.institution,
                application=application,
                cycle=cycle,
                rubric_version=cycle.rubric_version,
                valid_from=issued_on,
                valid_until=validity(issued_on, cycle.certificate_years),
                verification_code=new_verification_code(),
                issued_by=by,
            )
        )
    return issued


@transaction.atomic
def certification_revoke(*, certification: Certification, by, reason: str) -> Certification:
    """인증 취소 by an admin, with a reason. The public page then says 취소 and when."""
    if not queries.is_admin(by):
        raise PermissionDenied
    locked = Certification.objects.select_for_update().get(pk=certification.pk)
    problems = []
    if not reason.strip():
        problems.append(
            _("인증서 %(number)s: 취소 사유를 입력하십시오.") % {"number": locked.number}
        )
    if locked.revoked_at is not None:
        problems.append(
            _("인증서(%(number)s)는 이미 %(day)s에 취소되었습니다.")
            % {"number": locked.number, "day": f"{locked.revoked_on:%Y-%m-%d}"}
        )
    if problems:
        raise ValidationError(problems)
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.revocation_reason = reason.strip()
    locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    from .. import notices

    notices.certification_revoked(locked)
    return locked


# --- 재인증 (renewal) ------------------------------------------------------------------------


def renewal_window() -> timedelta:
    return timedelta(days=int(getattr(settings, "RENEWAL_WINDOW_DAYS", 365)))


def renewal_candidate(*, institution: Institution, cycle: Cycle) -> Certification | None:
    """The certification an application of ``institution`` to ``cycle`` renews, or None: the
    institution's certification of the same programme, not revoked, whose validity ends
    within ``RENEWAL_WINDOW_DAYS`` (before or after) of the cycle's reference date. The
    latest-ending one if several."""
    window = renewal_window()
    reference = cycle.reference_date
    return (
        Certification.objects.filter(
            institution=institution,
            programme=programme_of(cycle),
            revoked_at__isnull=True,
            valid_until__gte=reference - window,
            valid_until__lte=reference + window,
        )
        .exclude(cycle=cycle)
        .order_by("-valid_until", "-pk")
        .first()
    )
