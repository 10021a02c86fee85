"""The ``z_mean`` aggregation rule over a whole cycle (ADR 005, "z_mean"): the per-application
figures are those of the mean; the ranking total is normalised with ``scoring.z_mean``.

A sheet's raw total is the sum of its item points (penalties included) plus, for an area
substituted by a certificate, the area's points × award ratio -- exactly the total the mean
rule gives that sheet alone. ``Z_MEAN_MIN_SHEETS`` (setting, default 5): the fewest counted
sheets an evaluator must have for the rule to apply.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from .. import scoring


def min_sheets() -> int:
    return int(getattr(settings, "Z_MEAN_MIN_SHEETS", scoring.Z_MIN_SHEETS))


def sheet_total(rubric: scoring.Rubric, sheet: scoring.Sheet, substituted) -> Decimal:
    total = sum(sheet.points.values(), Decimal(0))
    for code in substituted:
        area = rubric.area(code)
        total += area.points * area.award_ratio
    return total


def normalise(computed: dict, by_application: dict, substituted: dict, rules) -> list[str]:
    """Set ``normalised_total`` on every computed result of the cycle, or, when the rule is
    refused, ``z_refusal`` (the reasons, Korean) on each. Returns the reasons ([] if none)."""
    totals: dict[int, dict[str, Decimal]] = {}
    for app_id, sheets in by_application.items():
        counted = [s for s in sheets if s.confirmed and not s.conflicted]
        if counted and computed.get(app_id) is not None and computed[app_id].total is not None:
            subs = substituted.get(app_id, ())
            totals[app_id] = {s.evaluator: sheet_total(rules.rubric, s, subs) for s in counted}
    if not totals:
        return []
    try:
        found = scoring.z_mean(totals, rounding=rules.rounding, min_sheets=min_sheets())
    except scoring.SheetError as exc:
        reasons = [f"z 점수 표준화 평균을 쓸 수 없습니다: {e}" for e in exc.errors]
        for app_id in totals:
            computed[app_id].z_refusal = tuple(reasons)
        return reasons
    for app_id, total in found.totals.items():
        computed[app_id].normalised_total = total
    return []
