"""Score sheets: one per assignment (evaluator × application), one row per scored item, and
the append-only audit trail of every change."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Item

from .. import integrity
from .assignment import Assignment
from .freeze import CycleFreezeMixin, FrozenCycleError

POINTS = {"max_digits": 10, "decimal_places": 3}


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("작성 중")
    CONFIRMED = "confirmed", _("확정")


class Sheet(CycleFreezeMixin):
    CYCLE_PATH = "assignment__application__cycle"

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="sheet")
    status = models.CharField(
        _("상태"), max_length=20, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    confirmed_at = models.DateTimeField(_("확정 시각"), null=True, blank=True)
    # SHA-256 of the sheet's canonical content at confirmation (see services.sheet_content_hash).
    content_hash = models.CharField(_("내용 해시"), max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("평가표")
        verbose_name_plural = _("평가표")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft", confirmed_at__isnull=True, content_hash="")
                | models.Q(status="confirmed", confirmed_at__isnull=False)
                & ~models.Q(content_hash=""),
                name="sheet_confirmation_consistent",
            ),
        ]

    def __str__(self):
        return f"평가표 {self.assignment}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == SheetStatus.CONFIRMED


class ItemScore(CycleFreezeMixin):
    """What one evaluator entered for one item, and the points it gives.

    ``grade`` (grade method), ``value`` (points: the number; bands: the measured value) or
    ``count`` (penalty) holds the entry; ``points`` is derived by ``evaluation.scoring``.
    ``version`` increases on every save: a save carrying an older version is refused.
    """

    CYCLE_PATH = "sheet__assignment__application__cycle"

    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("등급"), max_length=20, blank=True)
    value = models.DecimalField(_("입력값"), max_digits=16, decimal_places=4, null=True, blank=True)
    count = models.PositiveIntegerField(_("건수"), null=True, blank=True)
    points = models.DecimalField(_("점수"), **POINTS, null=True, blank=True)
    strength = models.TextField(_("강점"), blank=True)
    improvement = models.TextField(_("개선사항"), blank=True)
    version = models.PositiveIntegerField(_("버전"), default=0)
    updated_at = models.DateTimeField(_("수정 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("항목 점수")
        verbose_name_plural = _("항목 점수")
        ordering = ["sheet", "item"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "item"], name="uniq_item_score"),
        ]

    def __str__(self):
        return f"{self.sheet} · {self.item_id}"


class AuditAction(models.TextChoices):
    SAVE = "save", _("저장")
    CONFIRM = "confirm", _("확정")
    UNLOCK = "unlock", _("확정 해제")
    IMPORT = "import", _("가져오기")
    EXCLUDE = "exclude", _("배제")  # a confirmed sheet left the result (회피·기피·제척)
    REOPEN = "reopen", _("재심 재개")  # items reopened by an accepted 이의신청


class AppendOnlyError(Exception):
    def __init__(self):
        super().__init__("점수 변경 이력은 추가만 할 수 있으며 수정하거나 삭제할 수 없습니다.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError()

    update.queryset_only = True

    def delete(self):
        raise AppendOnlyError()

    delete.queryset_only = True

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError()


class ScoreAudit(models.Model):
    """Append-only: every score change, confirmation and unlock. Never updated or deleted."""

    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="audit")
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("시각"), default=timezone.now)
    action = models.CharField(_("동작"), max_length=20, choices=AuditAction.choices)
    old = models.JSONField(_("이전 값"), null=True, blank=True)
    new = models.JSONField(_("새 값"), null=True, blank=True)
    reason = models.TextField(_("사유"), blank=True)
    # HMAC of this row's content and of the previous row's ``mac`` (evaluation/integrity.py).
    mac = models.CharField(_("봉인"), max_length=64, blank=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("점수 변경 이력")
        verbose_name_plural = _("점수 변경 이력")
        ordering = ["at", "pk"]
        default_permissions = ("add", "view")

    def __str__(self):
        return f"{self.get_action_display()} {self.sheet_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError()
        # 확정 of the cycle freezes its trail too (models/freeze.py).
        if Sheet._base_manager.filter(
            pk=self.sheet_id, assignment__application__cycle__stage="final"
        ).exists():
            raise FrozenCycleError(str(self._meta.verbose_name))
        integrity.audit_seal(self)  # the chain is an invariant of every insert (ADR 014)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError()
