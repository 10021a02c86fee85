"""The certification process after scoring: withdrawal requests after 확정, 이의신청 and 재심.

The stage gates themselves are in ``evaluation/services/process.py`` (ADR 011); these models
hold what the gates read.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Item

from .application import Application
from .assignment import Assignment, Exclusion
from .freeze import CycleFreezeMixin
from .sheet import Sheet

POINTS = {"max_digits": 12, "decimal_places": 6}


class RequestDecision(models.TextChoices):
    PENDING = "pending", _("검토 중")
    ACCEPTED = "accepted", _("수용")
    REJECTED = "rejected", _("기각")


class WithdrawalRequest(CycleFreezeMixin):
    """An evaluator's 회피 declared after their sheet was confirmed: it cannot move a result
    silently, so an admin decides it, with a reason (recorded in the score audit trail)."""

    CYCLE_PATH = "assignment__application__cycle"

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="withdrawal_requests"
    )
    kind = models.CharField(
        _("구분"), max_length=20, choices=Exclusion.choices, default=Exclusion.RECUSAL
    )
    reason = models.TextField(_("사유"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("요청 시각"), default=timezone.now)
    decision = models.CharField(
        _("결정"), max_length=20, choices=RequestDecision.choices, default=RequestDecision.PENDING
    )
    decision_reason = models.TextField(_("결정 사유"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("결정 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("확정 후 회피 요청")
        verbose_name_plural = _("확정 후 회피 요청")
        ordering = ["-requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(decision="pending"),
                name="uniq_pending_withdrawal",
            ),
            models.CheckConstraint(
                condition=models.Q(decision="pending", decided_at__isnull=True)
                | ~models.Q(decision="pending") & models.Q(decided_at__isnull=False),
                name="withdrawal_decided_at_matches",
            ),
        ]

    def __str__(self):
        return f"회피 요청 {self.assignment}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("접수")
    DISMISSED = "dismissed", _("기각")
    REREVIEW = "rereview", _("재심 중")
    UPHELD = "upheld", _("인용")
    PARTLY_UPHELD = "partly_upheld", _("일부 인용")
    UNCHANGED = "unchanged", _("재심 후 기각")


# An objection in one of these states needs nothing more (the 이의신청 gate reads it).
OBJECTION_CLOSED = (
    ObjectionStatus.DISMISSED,
    ObjectionStatus.UPHELD,
    ObjectionStatus.PARTLY_UPHELD,
    ObjectionStatus.UNCHANGED,
)


class Objection(CycleFreezeMixin):
    """이의신청: an institution contests items of its notified result, within the window."""

    CYCLE_PATH = "application__cycle"

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="objection"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("접수 시각"), default=timezone.now)
    status = models.CharField(
        _("상태"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    # The total and decision when the objection was filed, and after it was concluded.
    total_before = models.DecimalField(_("이의신청 전 총점"), **POINTS, null=True, blank=True)
    total_after = models.DecimalField(_("재심 후 총점"), **POINTS, null=True, blank=True)
    decision_reason = models.TextField(_("결정 사유"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("결정 시각"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concluded_at = models.DateTimeField(_("재심 결론 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("이의신청")
        verbose_name_plural = _("이의신청")
        ordering = ["filed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ObjectionStatus.values),
                name="objection_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(decided_at__isnull=False),
                name="objection_decided_has_time",
            ),
        ]

    def __str__(self):
        return f"이의신청 {self.application}"

    @property
    def is_closed(self) -> bool:
        return self.status in OBJECTION_CLOSED


class ObjectionItem(CycleFreezeMixin):
    """One contested item, with the institution's reason and the points before and after."""

    CYCLE_PATH = "objection__application__cycle"

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("이의 사유"))
    reopened = models.BooleanField(_("재심 대상"), default=False)
    points_before = models.DecimalField(_("이의신청 전 점수"), **POINTS, null=True, blank=True)
    points_after = models.DecimalField(_("재심 후 점수"), **POINTS, null=True, blank=True)

    class Meta:
        verbose_name = _("이의신청 항목")
        verbose_name_plural = _("이의신청 항목")
        ordering = ["objection", "item__indicator__area__order", "item__indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["objection", "item"], name="uniq_objection_item"),
        ]

    def __str__(self):
        return f"{self.objection} · {self.item_id}"


class SheetReopening(CycleFreezeMixin):
    """An item of a counted sheet reopened for 재심 by an accepted objection: during 이의신청
    the evaluator may re-score exactly these items, then confirm the sheet again."""

    CYCLE_PATH = "sheet__assignment__application__cycle"

    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="reopenings")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="reopenings")
    reopened_at = models.DateTimeField(_("재개 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("재심 재개 항목")
        verbose_name_plural = _("재심 재개 항목")
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "item", "objection"], name="uniq_sheet_reopening"
            ),
        ]

    def __str__(self):
        return f"재심 {self.sheet_id} · {self.item_id}"
