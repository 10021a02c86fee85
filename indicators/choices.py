"""The rubric's choices and field sizes, shared by the models, the interchange format and the
forms. ``indicators.models`` re-exports every name."""

from django.db import models
from django.utils.translation import gettext_lazy as _

POINTS = {"max_digits": 10, "decimal_places": 3}
RATIO = {"max_digits": 5, "decimal_places": 4}


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("초안")
    PUBLISHED = "published", _("게시")
    RETIRED = "retired", _("폐지")


FROZEN_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.RETIRED)


class RoundingMode(models.TextChoices):
    HALF_UP = "half_up", _("반올림")
    HALF_EVEN = "half_even", _("오사오입(짝수 반올림)")
    DOWN = "down", _("절사")
    UP = "up", _("절상")


class ScoringMethod(models.TextChoices):
    GRADE = "grade", _("등급")
    POINTS = "points", _("점수")
    BANDS = "bands", _("구간")
    PENALTY = "penalty", _("감점")
