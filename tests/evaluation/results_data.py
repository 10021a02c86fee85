"""Expected figures for results tests, computed by hand from the rubric. The scored
applications themselves are built by ``tests.factories.score_application``, through the sheet
services."""

from __future__ import annotations

from decimal import Decimal

from evaluation.adapters import scoring_rubric


def expected_total(application, grades_by_user: dict) -> Decimal:
    """The mean total of uniform-grade sheets (rule mean), computed by hand from the rubric."""
    version = application.cycle.rubric_version
    rubric = scoring_rubric(version)
    totals = []
    for grade in grades_by_user.values():
        total = Decimal(0)
        for area in rubric.areas:
            for indicator in area.indicators:
                for item in indicator.items:
                    total += item.points * item.levels[grade]
        totals.append(total)
    return sum(totals) / len(totals)
