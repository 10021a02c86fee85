"""Area substitution by certificate, and the stored result of each application."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Area
from institutions.models import Certificate

from .application import Application
from .freeze import CycleFreezeMixin

POINTS = {"max_digits": 12, "decimal_places": 6}


class AreaSubstitution(CycleFreezeMixin):
    """An admin confirmed that a certificate replaces an area (e.g. D by ISMS/ISMS-P)."""

    CYCLE_PATH = "application__cycle"

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="substitutions"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("확인 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("영역 대체 인정")
        verbose_name_plural = _("영역 대체 인정")
        constraints = [
            models.UniqueConstraint(fields=["application", "area"], name="uniq_substitution"),
        ]

    def __str__(self):
        return f"{self.application} {self.area.code} ← {self.certificate}"


class Decision(models.TextChoices):
    PASS = "pass", _("인증")
    FAIL = "fail", _("미인증")


class Result(CycleFreezeMixin):
    """The computed result of one application, recomputed whenever a sheet is confirmed or
    unlocked. Figures are stored rounded to the rubric's places (as displayed and decided)."""

    CYCLE_PATH = "application__cycle"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="result")
    total = models.DecimalField(_("총점"), **POINTS, null=True, blank=True)
    # z_mean cycles only: the normalised total the ranking uses; ``total`` stays the raw mean
    normalised_total = models.DecimalField(_("표준화 총점"), **POINTS, null=True, blank=True)
    # {area code: rounded score as a string}
    areas = models.JSONField(_("영역별 점수"), default=dict)
    penalties = models.DecimalField(_("감점"), **POINTS, default=0)
    decision = models.CharField(_("판정"), max_length=10, choices=Decision.choices, blank=True)
    reasons = models.JSONField(_("판정 사유"), default=list)
    rank = models.PositiveIntegerField(_("순위"), null=True, blank=True)
    sheets_counted = models.PositiveSmallIntegerField(_("반영 평가표 수"), default=0)
    # {item code: {"sd": "...", "spread": "...", "flagged": bool}}
    disagreement = models.JSONField(_("점수 편차"), default=dict)
    computed_at = models.DateTimeField(_("계산 시각"), default=timezone.now)
    # 인증위원회: defaults to the computed decision; an override needs a reason.
    committee_decision = models.CharField(
        _("인증위원회 결정"), max_length=10, choices=Decision.choices, blank=True
    )
    committee_reason = models.TextField(_("결정 사유"), blank=True)
    committee_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    committee_at = models.DateTimeField(_("결정 시각"), null=True, blank=True)
    # SHA-256 of the counted-sheet set the committee decided on (see
    # ``services.process.counted_basis``): a different set today means the decision must be
    # taken again (ADR 011).
    committee_basis = models.CharField(_("결정 근거 평가표 해시"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("평가 결과")
        verbose_name_plural = _("평가 결과")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=["", "pass", "fail"]), name="result_decision_known"
            ),
            models.CheckConstraint(
                condition=models.Q(committee_decision="") | models.Q(committee_at__isnull=False),
                name="result_committee_has_time",
            ),
        ]

    def __str__(self):
        return f"결과 {self.application}"

    @property
    def final_decision(self) -> str:
        return self.committee_decision or self.decision
