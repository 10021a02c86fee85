"""Test data for the score sheet: a rubric mixing the four scoring methods, and helpers that
fill a sheet through the real service."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from evaluation.services.sheet import score_record
from indicators.models import Item, RubricVersion, VersionStatus

from ..factories import build_rubric

# Entries that give known points on ``mixed_rubric`` (items are worth 10; grade A = 0.8).
GRADE_ENTRY, GRADE_POINTS = "A", Decimal("8")
MIXED_ENTRIES = {
    "A.1.2": ("7.5", Decimal("7.5")),  # points, step 0.5
    "A.1.3": ("85", Decimal("8")),  # bands: ≥50 → 4, ≥80 → 8, ≥95 → 10
    "A.1.4": ("1", Decimal("-3")),  # penalty: −3 per case, cap −10
}


def mixed_rubric(*, code: str = "mixed", n_items: int = 19) -> RubricVersion:
    """``build_rubric`` with A.1.2 scored by points (step 0.5), A.1.3 by bands (%) and A.1.4 a
    penalty (−3 per case, at most −10); every other item is a 5-level grade item of 10."""
    version = build_rubric(code=code, n_items=n_items, published=False)
    items = Item.objects.filter(version=version)
    items.filter(code="A.1.2").update(
        method="points", params={"step": "0.5"}, inherits_default=False
    )
    items.filter(code="A.1.3").update(
        method="bands",
        params={
            "unit": "%",
            "bands": [
                {"min": "50", "points": "4"},
                {"min": "80", "points": "8"},
                {"min": "95", "points": "10"},
            ],
        },
        inherits_default=False,
    )
    items.filter(code="A.1.4").update(
        method="penalty", points=Decimal("-10"), params={"per_case": "-3"}, inherits_default=False
    )
    RubricVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.PUBLISHED, published_at=timezone.now()
    )
    version.refresh_from_db()
    return version


def entry_for(item: Item) -> str:
    return MIXED_ENTRIES.get(item.code, (GRADE_ENTRY,))[0]


def points_for(item: Item) -> Decimal:
    return MIXED_ENTRIES.get(item.code, (None, GRADE_POINTS))[1]


def fill(assignment, *, skip=(), comment: str = "근거가 충분함", substituted=()):
    """Score every item of the assignment's rubric through ``score_record`` (version 0 → 1)."""
    version_id = assignment.application.cycle.rubric_version_id
    rows = []
    for item in (
        Item.objects.filter(version_id=version_id)
        .select_related("indicator__area", "version")
        .order_by("indicator__area__order", "indicator__order", "order")
    ):
        if item.code in skip or item.indicator.area.code in substituted:
            continue
        rows.append(
            score_record(
                assignment=assignment,
                item=item,
                by=assignment.evaluator,
                version=0,
                entry=entry_for(item),
                strength=comment,
                improvement="",
            )
        )
    return rows
