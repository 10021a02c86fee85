"""Who evaluates what: pledges, assignments, conflicts of interest (제척·기피·회피)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .application import Application
from .cycle import Cycle
from .freeze import CycleFreezeMixin


class Pledge(models.Model):
    """서약서: an evaluator signs once per cycle before opening any application in it."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="pledges")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges"
    )
    signed_at = models.DateTimeField(_("서명 시각"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP 주소"), null=True, blank=True)
    text_version = models.CharField(_("서약서 판"), max_length=20, default="1")

    class Meta:
        verbose_name = _("서약서")
        verbose_name_plural = _("서약서")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "evaluator"], name="uniq_pledge"),
        ]

    def __str__(self):
        return f"{self.evaluator} · {self.cycle}"


class Declaration(models.TextChoices):
    PENDING = "pending", _("미신고")
    NONE = "none", _("이해충돌 없음")
    CONFLICT = "conflict", _("이해충돌 있음(회피)")


class Exclusion(models.TextChoices):
    """Why an assignment no longer counts. Empty while it is active."""

    RECUSAL = "recusal", _("회피")  # the evaluator declared a conflict
    CHALLENGE = "challenge", _("기피")  # the institution asked, the admin upheld it
    DISQUALIFICATION = "disqualification", _("제척")  # the admin excluded outright


class Assignment(CycleFreezeMixin):
    CYCLE_PATH = "application__cycle"

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="assignments"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("배정 시각"), default=timezone.now)
    declaration = models.CharField(
        _("이해충돌 신고"), max_length=20, choices=Declaration.choices, default=Declaration.PENDING
    )
    declaration_reason = models.TextField(_("신고 사유"), blank=True)
    declared_at = models.DateTimeField(_("신고 시각"), null=True, blank=True)
    exclusion = models.CharField(
        _("배제 사유 구분"), max_length=20, choices=Exclusion.choices, blank=True, default=""
    )
    exclusion_reason = models.TextField(_("배제 사유"), blank=True)
    excluded_at = models.DateTimeField(_("배제 시각"), null=True, blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("평가위원 배정")
        verbose_name_plural = _("평가위원 배정")
        ordering = ["application", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "evaluator"], name="uniq_assignment"),
            models.CheckConstraint(
                condition=models.Q(exclusion="") | models.Q(excluded_at__isnull=False),
                name="assignment_exclusion_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(declaration="conflict") | ~models.Q(exclusion=""),
                name="assignment_conflict_is_excluded",
            ),
        ]

    def __str__(self):
        return f"{self.evaluator} → {self.application}"

    @property
    def is_active(self) -> bool:
        return not self.exclusion


class ChallengeDecision(models.TextChoices):
    PENDING = "pending", _("검토 중")
    UPHELD = "upheld", _("인용")
    REJECTED = "rejected", _("기각")


class Challenge(CycleFreezeMixin):
    """기피 신청: an institution asks for an evaluator's exclusion; the admin decides."""

    CYCLE_PATH = "assignment__application__cycle"

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="challenges")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("신청 시각"), default=timezone.now)
    reason = models.TextField(_("기피 사유"))
    decision = models.CharField(
        _("결정"),
        max_length=20,
        choices=ChallengeDecision.choices,
        default=ChallengeDecision.PENDING,
    )
    decision_reason = models.TextField(_("결정 사유"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("결정 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("기피 신청")
        verbose_name_plural = _("기피 신청")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="pending", decided_at__isnull=True)
                | ~models.Q(decision="pending") & models.Q(decided_at__isnull=False),
                name="challenge_decided_at_matches",
            ),
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(decision="pending"),
                name="uniq_pending_challenge",
            ),
        ]

    def __str__(self):
        return f"기피 신청 {self.assignment}"
