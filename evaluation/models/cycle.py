"""Evaluation cycles: a rubric version, a schedule of stages and the scoring parameters."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Area, RubricVersion, VersionStatus

POINTS = {"max_digits": 10, "decimal_places": 3}
RATIO = {"max_digits": 5, "decimal_places": 4}


class Stage(models.TextChoices):
    """The stages of a cycle, in the order the admin advances through them."""

    ANNOUNCEMENT = "announcement", _("공고")
    APPLICATION = "application", _("신청")
    DOCUMENT_REVIEW = "document_review", _("서류심사")
    SITE_VISIT = "site_visit", _("현장실사")
    COMMITTEE = "committee", _("인증위원회")
    NOTIFICATION = "notification", _("결과통보")
    APPEAL = "appeal", _("이의신청")
    FINAL = "final", _("확정")


STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)


class AggregationRule(models.TextChoices):
    MEAN = "mean", _("산술평균")
    MEDIAN = "median", _("중앙값")
    TRIMMED_MEAN = "trimmed_mean", _("최고·최저 총점 제외 평균")
    ITEM_TRIMMED_MEAN = "item_trimmed_mean", _("항목별 최고·최저 제외 평균")
    Z_MEAN = "z_mean", _("평가위원별 z 점수 표준화 평균 (순위 선발)")  # ADR 005, "z_mean"


class Cycle(models.Model):
    title = models.CharField(_("제목"), max_length=200)
    slug = models.SlugField(_("주소 이름"), max_length=100, unique=True)
    # Only a published version may be used; a published version is frozen by the indicators
    # app, and PROTECT keeps it from being deleted while a cycle uses it.
    rubric_version = models.ForeignKey(
        RubricVersion,
        on_delete=models.PROTECT,
        related_name="cycles",
        limit_choices_to={"status": VersionStatus.PUBLISHED},
        verbose_name=_("평가지표 버전"),
    )
    reference_date = models.DateField(_("기준일"))
    stage = models.CharField(
        _("현재 단계"), max_length=20, choices=Stage.choices, default=Stage.ANNOUNCEMENT
    )
    evidence_deadline = models.DateTimeField(_("증빙 제출 마감"))
    aggregation_rule = models.CharField(
        _("점수 집계 방식"),
        max_length=20,
        choices=AggregationRule.choices,
        default=AggregationRule.MEAN,
    )
    pass_threshold = models.DecimalField(_("인증 기준 점수"), **POINTS)
    evaluators_per_application = models.PositiveSmallIntegerField(
        _("신청기관당 평가위원 수"), default=3
    )
    require_comment = models.BooleanField(_("항목별 평가 의견 필수"), default=True)
    show_other_sheets_after_confirm = models.BooleanField(
        _("확정 후 다른 위원 평가표 공개"), default=False
    )
    disagreement_ratio = models.DecimalField(
        _("점수 편차 경고 비율"), **RATIO, default=Decimal("0.40")
    )
    show_rank = models.BooleanField(_("순위 공개"), default=False)
    # The institution's result page (from 결과통보 on) shows the evaluators' item comments,
    # as 평가위원 1, 2, 3 -- never by name.
    publish_comments = models.BooleanField(_("기관에 항목별 평가 의견 공개"), default=False)
    # 이의신청 window: this many days from the advance into 결과통보.
    objection_days = models.PositiveSmallIntegerField(_("이의신청 기간(일)"), default=14)
    # 인증서 validity: valid_until = issue date + this many years - 1 day (ADR 017).
    certificate_years = models.PositiveSmallIntegerField(_("인증 유효기간(년)"), default=3)
    # Set when the admin closes 신청 before the deadline (the gate asks for it).
    closed_early_reason = models.TextField(_("신청 조기 마감 사유"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("등록자"),
    )
    created_at = models.DateTimeField(_("등록 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("평가 주기")
        verbose_name_plural = _("평가 주기")
        ordering = ["-reference_date", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__in=STAGE_ORDER), name="cycle_stage_known"
            ),
            models.CheckConstraint(
                condition=models.Q(aggregation_rule__in=AggregationRule.values),
                name="cycle_aggregation_known",
            ),
            models.CheckConstraint(
                condition=models.Q(pass_threshold__gte=0), name="cycle_pass_threshold_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(evaluators_per_application__gte=1),
                name="cycle_evaluators_gte_1",
            ),
            models.CheckConstraint(
                condition=models.Q(disagreement_ratio__gte=0, disagreement_ratio__lte=1),
                name="cycle_disagreement_ratio_0_1",
            ),
            models.CheckConstraint(
                condition=models.Q(objection_days__gte=1), name="cycle_objection_days_gte_1"
            ),
            models.CheckConstraint(
                condition=models.Q(certificate_years__gte=1), name="cycle_certificate_years_gte_1"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The same invariant for writes that skip forms: a new cycle, or one whose version
        # changes, must point at a published version.
        update_fields = kwargs.get("update_fields")
        if (
            update_fields is None or "rubric_version" in update_fields
        ) and self._rubric_version_changed():
            self._check_rubric_published()
        super().save(*args, **kwargs)

    def clean(self):
        """Model-level check: a cycle may only use a published rubric version (ModelForms and
        Django admin run this; ``cycle_create`` checks it too)."""
        super().clean()
        if self._rubric_version_changed():
            self._check_rubric_published()

    def _check_rubric_published(self) -> None:
        status = (
            RubricVersion.objects.filter(pk=self.rubric_version_id)
            .values_list("status", flat=True)
            .first()
        )
        if status != VersionStatus.PUBLISHED:
            label = VersionStatus(status).label if status else "-"
            raise ValidationError(
                {
                    "rubric_version": _(
                        "평가 주기에는 게시된 평가지표 버전만 사용할 수 있습니다 "
                        "(선택한 버전의 상태: %(status)s)."
                    )
                    % {"status": label}
                }
            )

    def _rubric_version_changed(self) -> bool:
        if self.rubric_version_id is None:
            return False
        if self._state.adding or self.pk is None:
            return True
        stored = Cycle._base_manager.filter(pk=self.pk).values_list("rubric_version_id", flat=True)
        return stored.first() != self.rubric_version_id

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)

    @property
    def next_stage(self) -> Stage | None:
        i = self.stage_index
        return Stage(STAGE_ORDER[i + 1]) if i + 1 < len(STAGE_ORDER) else None

    @property
    def is_open_for_applications(self) -> bool:
        return self.stage == Stage.APPLICATION

    def reached(self, stage: str) -> bool:
        """The cycle is at ``stage`` or past it."""
        return self.stage_index >= STAGE_ORDER.index(stage)

    @property
    def is_final(self) -> bool:
        return self.stage == Stage.FINAL


class CycleStageDate(models.Model):
    """The planned start date of one stage of a cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="stage_dates")
    stage = models.CharField(_("단계"), max_length=20, choices=Stage.choices)
    starts_on = models.DateField(_("시작일"))

    class Meta:
        verbose_name = _("단계 일정")
        verbose_name_plural = _("단계 일정")
        ordering = ["cycle", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "stage"], name="uniq_cycle_stage_date"),
            models.CheckConstraint(
                condition=models.Q(stage__in=STAGE_ORDER), name="stage_date_known"
            ),
        ]

    def __str__(self):
        return f"{self.cycle} {self.get_stage_display()} {self.starts_on}"


class CycleStageAdvance(models.Model):
    """One explicit advance of a cycle's stage by an admin."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="advances")
    from_stage = models.CharField(_("이전 단계"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("다음 단계"), max_length=20, choices=Stage.choices)
    advanced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("진행한 사람"),
    )
    advanced_at = models.DateTimeField(_("진행 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("단계 진행 기록")
        verbose_name_plural = _("단계 진행 기록")
        ordering = ["cycle", "advanced_at"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "to_stage"], name="uniq_cycle_advance_to"),
            models.CheckConstraint(
                condition=models.Q(from_stage__in=STAGE_ORDER, to_stage__in=STAGE_ORDER),
                name="stage_advance_known",
            ),
        ]

    def __str__(self):
        return f"{self.cycle}: {self.from_stage} → {self.to_stage}"


class CycleAreaMinimum(models.Model):
    """An optional minimum ratio of an area's points an institution must reach to pass."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="area_minimums")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    ratio = models.DecimalField(_("최소 득점 비율"), **RATIO)

    class Meta:
        verbose_name = _("영역별 최소 득점 비율")
        verbose_name_plural = _("영역별 최소 득점 비율")
        ordering = ["cycle", "area__order"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "area"], name="uniq_cycle_area_minimum"),
            models.CheckConstraint(
                condition=models.Q(ratio__gte=0, ratio__lte=1), name="area_minimum_ratio_0_1"
            ),
        ]

    def __str__(self):
        return f"{self.cycle} {self.area.code} ≥ {self.ratio}"
