"""Certifications (인증서): what this programme issues at 확정 to every passing application.

Not to be confused with ``institutions.models.Certificate``: an *external* certificate an
institution holds (ISMS, ISMS-P) that may substitute an area (docs/shared style, ADR 017).

A certification's status (유효 / 만료 / 취소) is never stored: it is computed from its dates
and its revocation on the day asked about (``status_on``, ``CertificationQuerySet.valid_on``),
so nothing has to run at midnight for a certificate to expire.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import RubricVersion
from institutions.models import Institution

from .application import Application
from .cycle import Cycle


class CertificationStatus(models.TextChoices):
    """Computed, never stored (see the module docstring)."""

    VALID = "valid", _("유효")
    EXPIRED = "expired", _("만료")
    REVOKED = "revoked", _("취소")


def _start_of_next_day(day: date) -> datetime:
    """The first instant after ``day`` in the project's time zone."""
    from datetime import timedelta

    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class CertificationQuerySet(models.QuerySet):
    def revoked_by(self, day: date) -> CertificationQuerySet:
        """Revoked on or before ``day`` (local time)."""
        return self.filter(revoked_at__lt=_start_of_next_day(day))

    def valid_on(self, day: date) -> CertificationQuerySet:
        """유효 on ``day``: within its validity and not revoked by then."""
        return self.filter(valid_from__lte=day, valid_until__gte=day).exclude(
            revoked_at__lt=_start_of_next_day(day)
        )

    def expired_on(self, day: date) -> CertificationQuerySet:
        return self.filter(valid_until__lt=day).exclude(revoked_at__lt=_start_of_next_day(day))


class Certification(models.Model):
    # The programme is the rubric's code: numbers are unique within it (제2026-0001호).
    programme = models.CharField(_("인증 프로그램"), max_length=100)
    year = models.PositiveSmallIntegerField(_("발급 연도"))
    sequence = models.PositiveIntegerField(_("일련번호"))
    number = models.CharField(_("인증번호"), max_length=40)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="certifications",
        verbose_name=_("기관"),
    )
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="certification",
        verbose_name=_("신청"),
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="certifications", verbose_name=_("평가 주기")
    )
    rubric_version = models.ForeignKey(
        RubricVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("평가지표 버전"),
    )
    valid_from = models.DateField(_("유효기간 시작일"))
    valid_until = models.DateField(_("유효기간 종료일"))
    # The public verification address's secret: secrets.token_urlsafe(24) = 192 bits.
    verification_code = models.CharField(_("진위 확인 코드"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("발급 시각"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("발급 처리자"),
    )
    revoked_at = models.DateTimeField(_("취소 시각"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("취소 처리자"),
    )
    revocation_reason = models.TextField(_("취소 사유"), blank=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("인증서")
        verbose_name_plural = _("인증서")
        ordering = ["programme", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="uniq_certification_number"
            ),
            models.UniqueConstraint(
                fields=["programme", "year", "sequence"], name="uniq_certification_sequence"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="certification_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="certification_sequence_gte_1"
            ),
            # Revoked: time, who and why together; otherwise none of them.
            models.CheckConstraint(
                condition=(
                    models.Q(revoked_at__isnull=True, revoked_by__isnull=True, revocation_reason="")
                    | (
                        models.Q(revoked_at__isnull=False, revoked_by__isnull=False)
                        & ~models.Q(revocation_reason="")
                    )
                ),
                name="certification_revocation_complete",
            ),
        ]
        indexes = [models.Index(fields=["programme", "valid_until"])]

    def __str__(self):
        return f"{self.number} {self.institution}"

    def status_on(self, day: date) -> CertificationStatus:
        if self.revoked_at is not None and timezone.localdate(self.revoked_at) <= day:
            return CertificationStatus.REVOKED
        if day > self.valid_until:
            return CertificationStatus.EXPIRED
        return CertificationStatus.VALID

    @property
    def status(self) -> CertificationStatus:
        return self.status_on(timezone.localdate())

    @property
    def revoked_on(self) -> date | None:
        return timezone.localdate(self.revoked_at) if self.revoked_at else None

    @property
    def status_label(self) -> str:
        """유효 / 만료 (2029-03-31) / 취소 (2027-05-02): what the public page says."""
        status = self.status
        if status == CertificationStatus.REVOKED:
            return f"{status.label} ({self.revoked_on:%Y-%m-%d})"
        if status == CertificationStatus.EXPIRED:
            return f"{status.label} ({self.valid_until:%Y-%m-%d})"
        return str(status.label)


class CertificationCounter(models.Model):
    """The last sequence number issued per programme and year. Issuing locks this row
    (``select_for_update``), so two issues at once never take the same number."""

    programme = models.CharField(_("인증 프로그램"), max_length=100)
    year = models.PositiveSmallIntegerField(_("발급 연도"))
    last = models.PositiveIntegerField(_("마지막 일련번호"), default=0)

    class Meta:
        verbose_name = _("인증번호 순번")
        verbose_name_plural = _("인증번호 순번")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year"], name="uniq_certification_counter"
            ),
        ]

    def __str__(self):
        return f"{self.programme} {self.year}: {self.last}"
