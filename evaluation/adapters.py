"""Turn stored rubric versions and score rows into ``evaluation.scoring``'s pure shapes."""

from decimal import Decimal
from functools import lru_cache

from indicators.models import Area, GradeLevel, Item, RubricVersion

from . import scoring


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def scoring_item(item: Item, levels_by_scale: dict[str, dict[str, Decimal]]) -> scoring.Item:
    params = item.params or {}
    method = scoring.Method(item.method)
    kwargs: dict = {}
    if method is scoring.Method.GRADE:
        kwargs["levels"] = levels_by_scale.get(params.get("scale", ""), {})
    elif method is scoring.Method.POINTS:
        kwargs["step"] = _dec(params.get("step", 1))
    elif method is scoring.Method.BANDS:
        kwargs["bands"] = tuple(
            scoring.Band(_dec(b["min"]), _dec(b["points"])) for b in params.get("bands", [])
        )
    elif method is scoring.Method.PENALTY:
        kwargs["per_case"] = _dec(params["per_case"])
    return scoring.Item(code=item.code, points=item.points, method=method, **kwargs)


@lru_cache(maxsize=64)
def _scoring_rubric(version_id: int, published_at=None) -> scoring.Rubric:
    version = RubricVersion.objects.get(pk=version_id)
    levels_by_scale: dict[str, dict[str, Decimal]] = {}
    for level in GradeLevel.objects.filter(scale__version_id=version_id).select_related("scale"):
        levels_by_scale.setdefault(level.scale.name, {})[level.code] = level.ratio
    items_by_indicator: dict[int, list[scoring.Item]] = {}
    for item in Item.objects.filter(version_id=version_id).order_by("order"):
        items_by_indicator.setdefault(item.indicator_id, []).append(
            scoring_item(item, levels_by_scale)
        )
    areas = []
    for area in Area.objects.filter(version_id=version_id).prefetch_related("indicators"):
        indicators = [
            scoring.Indicator(ind.code, ind.points, tuple(items_by_indicator.get(ind.pk, ())))
            for ind in sorted(area.indicators.all(), key=lambda i: i.order)
        ]
        award = (area.substitution or {}).get("award_ratio")
        areas.append(
            scoring.Area(
                area.code,
                area.points,
                tuple(indicators),
                award_ratio=_dec(award) if award is not None else None,
            )
        )
    rounding = scoring.Rounding(
        version.rounding_places, scoring.RoundingMode(version.rounding_mode)
    )
    return scoring.Rubric(tuple(areas), rounding)


def scoring_rubric(version: RubricVersion) -> scoring.Rubric:
    """The pure rubric of a frozen version (cached per process: frozen versions never change).

    Drafts are built afresh every time, as they may still change.
    """
    if version.is_frozen:
        # published_at is part of the key so a reused primary key (a rolled-back test
        # database) can never return another version's rubric.
        return _scoring_rubric(version.pk, version.published_at)
    return _scoring_rubric.__wrapped__(version.pk)
