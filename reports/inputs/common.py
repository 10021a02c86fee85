"""What every report's inputs share: number formats, the rubric's tree, the cycle and rubric
references, the refusal. Every number is a string formatted for display; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from evaluation import scoring
from evaluation.models import STAGE_ORDER, Cycle, Decision, Stage
from indicators.models import Area, GradeLevel, Indicator, Item, RubricVersion

HUNDREDTH = Decimal("0.01")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fmt(value: Decimal | int | None) -> str:
    """``Decimal('60.000')`` → ``'60'``; None → ``''``."""
    if value is None:
        return ""
    return scoring.fmt(Decimal(value))


def percent(score: Decimal, points: Decimal) -> str:
    """``score / points`` in percent, half-up to 2 places; empty when points is 0."""
    if not points:
        return ""
    return str((Decimal(score) * 100 / Decimal(points)).quantize(HUNDREDTH, ROUND_HALF_UP))


def places_of(version: RubricVersion):
    """Format stored figures (``Result`` keeps 6 decimals) at the rubric's rounding places."""
    quantum = Decimal(1).scaleb(-version.rounding_places)

    def shown(value) -> str:
        if value is None or value == "":
            return ""
        return str(Decimal(str(value)).quantize(quantum, ROUND_HALF_UP))

    return shown


def _local(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s") if moment else ""


def _evaluator_letter(n: int) -> str:
    return f"평가위원 {LETTERS[n] if n < len(LETTERS) else n + 1}"


# --- the rubric's tree, titles and totals -------------------------------------------------------


@dataclass(frozen=True)
class RubricTree:
    version: RubricVersion
    areas: list[Area]
    indicators: dict[int, list[Indicator]]  # area pk → indicators in order
    items: dict[int, list[Item]]  # indicator pk → items in order
    levels: dict[str, dict[str, str]]  # scale name → level code → title

    @property
    def all_items(self) -> list[Item]:
        return [
            item
            for area in self.areas
            for ind in self.indicators.get(area.pk, [])
            for item in self.items.get(ind.pk, [])
        ]

    def area_of_item(self) -> dict[str, str]:
        return {
            item.code: area.code
            for area in self.areas
            for ind in self.indicators.get(area.pk, [])
            for item in self.items.get(ind.pk, [])
        }


def rubric_tree(version: RubricVersion) -> RubricTree:
    """Four queries whatever the rubric's size."""
    areas = list(Area.objects.filter(version=version).order_by("order"))
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    for ind in Indicator.objects.filter(version=version).order_by("area__order", "order"):
        indicators[ind.area_id].append(ind)
    items: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(version=version).order_by("indicator__order", "order"):
        items[item.indicator_id].append(item)
    levels: dict[str, dict[str, str]] = defaultdict(dict)
    for level in GradeLevel.objects.filter(scale__version=version).select_related("scale"):
        levels[level.scale.name][level.code] = level.title
    return RubricTree(version, areas, dict(indicators), dict(items), dict(levels))


def _rubric_ref(version: RubricVersion) -> dict:
    return {
        "id": version.pk,
        "label": f"{version.rubric.title} v{version.version}",
        # The programme the cover names: the rubric's own title, never a hard-coded one.
        "programme": version.programme_name,
        "published_at": version.published_at.isoformat() if version.published_at else "",
        "total_points": fmt(version.total_points),
        "rounding_places": version.rounding_places,
    }


def korean(label) -> str:
    """A choice label as the report prints it: reports are Korean documents whatever language
    the requester browses in, and their snapshot (and its hash) is the same for everyone
    (docs/decisions/020-languages.md). ``label`` is a lazy label or a ``get_<field>_display``
    method (which translates when called)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(label() if callable(label) else label)


def _cycle_ref(cycle: Cycle) -> dict:
    return {
        "id": cycle.pk,
        "slug": cycle.slug,
        "title": cycle.title,
        "reference_date": cycle.reference_date.isoformat(),
        "rule": korean(cycle.get_aggregation_rule_display),
        "threshold": fmt(cycle.pass_threshold),
        "show_rank": cycle.show_rank,
    }


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="report_refused")


def _item_title(tree: RubricTree, code: str) -> str:
    return next((i.title for i in tree.all_items if i.code == code), code)


def _decision_label(decision: str) -> str:
    return korean(Decision(decision).label) if decision else "판정 전"


def stage_reached(cycle: Cycle, stage: Stage) -> bool:
    return STAGE_ORDER.index(cycle.stage) >= STAGE_ORDER.index(stage)
