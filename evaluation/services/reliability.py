"""A cycle's inter-rater reliability and evaluator severity, from its counted sheets
(docs/decisions/015-reliability.md). Reads only; the arithmetic is ``evaluation.reliability``.

Which sheets count is the results service's rule (``results.load_sheets``: confirmed sheets of
assignments not excluded); applications withdrawn are left out; every counted sheet is used,
before any trimming (trimming belongs to aggregation, not to agreement); penalty items and the
items of an area substituted by a certificate are left out. A constant number of queries
whatever the size of the cycle.

Settings (optional): ``RELIABILITY_RESAMPLES`` (1000), ``RELIABILITY_MIN_UNITS`` (5),
``RELIABILITY_SEVERITY_BOUND`` (10, percentage points of the item's points) and
``RELIABILITY_SEVERITY_MIN_UNITS`` (20).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from .. import reliability
from ..models import Application, ApplicationStatus, Cycle
from .results import cycle_rules, load_sheets


def options() -> dict:
    return {
        "resamples": int(getattr(settings, "RELIABILITY_RESAMPLES", reliability.RESAMPLES)),
        "min_units": int(getattr(settings, "RELIABILITY_MIN_UNITS", reliability.MIN_UNITS)),
        "bound": Decimal(
            str(getattr(settings, "RELIABILITY_SEVERITY_BOUND", reliability.SEVERITY_BOUND))
        ),
        "severity_min_units": int(
            getattr(settings, "RELIABILITY_SEVERITY_MIN_UNITS", reliability.SEVERITY_MIN_UNITS)
        ),
    }


def cycle_ratings(cycle: Cycle, rules=None) -> list[reliability.Rating]:
    """One ``Rating`` per counted (sheet, item) of ``cycle``, penalty items left out."""
    rules = rules or cycle_rules(cycle)
    withdrawn = set(
        Application.objects.filter(cycle=cycle, status=ApplicationStatus.WITHDRAWN).values_list(
            "pk", flat=True
        )
    )
    by_application, _ = load_sheets(cycle, rules)
    rubric, areas = rules.rubric, rules.item_areas
    kept = {}
    for code in areas:
        item = rubric.item(code)
        if not item.is_penalty and item.points > 0:
            kept[code] = item.points
    ratings = []
    for app_id, sheets in by_application.items():
        if app_id in withdrawn:
            continue
        for sheet in sheets:
            if not sheet.confirmed or sheet.conflicted:
                continue
            for code, points in sheet.points.items():
                if code in kept:
                    ratings.append(
                        reliability.Rating(
                            app_id, code, areas[code], sheet.evaluator, points, kept[code]
                        )
                    )
    return ratings


def cycle_reliability(cycle: Cycle, **overrides) -> reliability.Reliability:
    """α overall, per area, per item, and every evaluator's severity for ``cycle`` (items and
    areas in the rubric's order)."""
    rules = cycle_rules(cycle)
    items, areas = [], []
    for area in rules.rubric.areas:
        codes = [
            item.code
            for indicator in area.indicators
            for item in indicator.items
            if not item.is_penalty and item.points > 0
        ]
        items += codes
        if codes:
            areas.append(area.code)
    return reliability.analyse(
        cycle_ratings(cycle, rules),
        item_order=items,
        area_order=areas,
        **{**options(), **overrides},
    )


def evaluator_names(usernames) -> dict[str, str]:
    """username → display name (one query)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=list(usernames))
    return {u.get_username(): u.display_name for u in users}
