"""The cycle's rules: everything an aggregation of one cycle needs besides the sheets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from indicators.models import Item

from .. import scoring
from ..adapters import scoring_rubric
from ..models import Cycle, CycleAreaMinimum


@dataclass(frozen=True)
class CycleRules:
    """Everything an aggregation of one cycle needs besides the sheets."""

    rubric: scoring.Rubric
    rule: scoring.Rule
    threshold: Decimal
    area_minimums: dict[str, Decimal]
    disagreement_ratio: Decimal
    item_codes: dict[int, str]  # Item pk → code
    item_areas: dict[str, str]  # item code → area code
    methods: dict[str, str]  # item code → scoring method

    @property
    def rounding(self) -> scoring.Rounding:
        return self.rubric.rounding


def cycle_rules(cycle: Cycle) -> CycleRules:
    """The cycle's aggregation settings and its rubric in pure form (three queries at most
    once the frozen rubric is cached: the version, the minimums, the items)."""
    version = cycle.rubric_version
    minimums = {
        code: ratio
        for code, ratio in CycleAreaMinimum.objects.filter(cycle=cycle).values_list(
            "area__code", "ratio"
        )
    }
    item_codes, item_areas, methods = {}, {}, {}
    for pk, code, area, method in Item.objects.filter(version_id=version.pk).values_list(
        "pk", "code", "indicator__area__code", "method"
    ):
        item_codes[pk] = code
        item_areas[code] = area
        methods[code] = method
    return CycleRules(
        rubric=scoring_rubric(version),
        rule=scoring.Rule(cycle.aggregation_rule),
        threshold=cycle.pass_threshold,
        area_minimums=minimums,
        disagreement_ratio=cycle.disagreement_ratio,
        item_codes=item_codes,
        item_areas=item_areas,
        methods=methods,
    )
