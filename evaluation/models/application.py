"""Applications: one institution in one cycle, and the log of its state transitions."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution

from .cycle import Cycle


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("작성 중")
    SUBMITTED = "submitted", _("제출 완료")
    UNDER_REVIEW = "under_review", _("심사 중")
    SCORED = "scored", _("채점 완료")
    DECIDED = "decided", _("결과 확정")
    WITHDRAWN = "withdrawn", _("철회")
    # Still a draft when the cycle left 신청: never evaluated, scored or ranked.
    NOT_SUBMITTED = "not_submitted", _("미제출")


# Applications that were submitted and are (or were) evaluated.
EVALUATED_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.SCORED,
    ApplicationStatus.DECIDED,
)


class Application(models.Model):
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="applications", verbose_name=_("평가 주기")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("기관"),
    )
    status = models.CharField(
        _("상태"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("신청자"),
    )
    created_at = models.DateTimeField(_("신청 시각"), default=timezone.now)
    submitted_at = models.DateTimeField(_("제출 시각"), null=True, blank=True)
    # Set when an admin reopens the evidence after the deadline: edits are allowed until then.
    evidence_open_until = models.DateTimeField(_("증빙 재개방 기한"), null=True, blank=True)
    # 재인증: the institution's certification of the same programme that ends near this
    # cycle's reference date (services.certification.renewal_candidate; ADR 017).
    renewal_of = models.ForeignKey(
        "evaluation.Certification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("재인증 대상 인증서"),
    )

    class Meta:
        verbose_name = _("신청")
        verbose_name_plural = _("신청")
        ordering = ["cycle", "institution__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "institution"], name="uniq_application_cycle_institution"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ApplicationStatus.values),
                name="application_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="draft") | models.Q(submitted_at__isnull=True),
                name="application_draft_not_submitted",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["submitted", "under_review", "scored", "decided"])
                | models.Q(submitted_at__isnull=False),
                name="application_submitted_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.institution} · {self.cycle}"


class ApplicationTransition(models.Model):
    """Every change of an application's status: from, to, who, when and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(
        _("이전 상태"), max_length=20, choices=ApplicationStatus.choices, blank=True
    )
    to_status = models.CharField(_("새 상태"), max_length=20, choices=ApplicationStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("처리자"),
    )
    at = models.DateTimeField(_("시각"), default=timezone.now)
    reason = models.TextField(_("사유"), blank=True)

    class Meta:
        verbose_name = _("신청 상태 변경 기록")
        verbose_name_plural = _("신청 상태 변경 기록")
        ordering = ["application", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_status__in=ApplicationStatus.values)
                & (models.Q(from_status="") | models.Q(from_status__in=ApplicationStatus.values)),
                name="transition_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.application}: {self.from_status or '∅'} → {self.to_status}"
