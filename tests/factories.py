"""Plain ORM builders for test data that several apps share.

``build_rubric`` makes a valid rubric version of any size without going through the importer,
so tests of other apps (and query-count tests at 19 vs 190 items) do not depend on it.
"""

from decimal import Decimal

from django.utils import timezone

from indicators.models import (
    Area,
    Checkpoint,
    GradeLevel,
    GradeScale,
    Indicator,
    Item,
    Rubric,
    RubricVersion,
    VersionStatus,
)

FIVE_LEVELS = [
    ("S", "탁월", "1.0"),
    ("A", "우수", "0.8"),
    ("B", "보통", "0.6"),
    ("C", "미흡", "0.4"),
    ("D", "매우미흡", "0.2"),
]


def build_rubric(
    *,
    n_items: int = 19,
    n_areas: int = 5,
    item_points: int = 10,
    code: str = "test-rubric",
    version: str = "1",
    published: bool = True,
    substitution_area: str | None = "D",
) -> RubricVersion:
    """A rubric with ``n_areas`` areas (A, B, …), one indicator per area and ``n_items`` grade
    items spread over them, each worth ``item_points``; total = n_items × item_points."""
    rubric, _ = Rubric.objects.get_or_create(
        code=code, defaults={"title": f"테스트 평가지표 {code}"}
    )
    per_area = [n_items // n_areas + (1 if i < n_items % n_areas else 0) for i in range(n_areas)]
    rv = RubricVersion.objects.create(
        rubric=rubric,
        version=version,
        title=rubric.title,
        total_points=Decimal(n_items * item_points),
        default_scoring={"method": "grade", "scale": "five-level"},
    )
    scale = GradeScale.objects.create(version=rv, name="five-level", title="5등급", order=0)
    GradeLevel.objects.bulk_create(
        GradeLevel(scale=scale, code=c, title=t, ratio=Decimal(r), order=i)
        for i, (c, t, r) in enumerate(FIVE_LEVELS)
    )
    items = []
    for a, count in enumerate(per_area):
        letter = chr(ord("A") + a)
        points = Decimal(count * item_points)
        substitution = None
        if letter == substitution_area:
            substitution = {
                "certificates": ["ISMS", "ISMS-P"],
                "award_ratio": "1.0",
                "note": "ISMS 대체",
            }
        area = Area.objects.create(
            version=rv,
            code=letter,
            title=f"영역 {letter}",
            points=points,
            order=a,
            substitution=substitution,
        )
        indicator = Indicator.objects.create(
            version=rv,
            area=area,
            code=f"{letter}.1",
            title=f"지표 {letter}.1",
            points=points,
            order=0,
        )
        for i in range(count):
            items.append(
                Item(
                    version=rv,
                    indicator=indicator,
                    code=f"{letter}.1.{i + 1}",
                    title=f"항목 {letter}.1.{i + 1}",
                    points=Decimal(item_points),
                    order=i,
                    method="grade",
                    params={"scale": "five-level"},
                    inherits_default=True,
                    purpose=[f"{letter}.1.{i + 1} 평가목적"],
                )
            )
    items = Item.objects.bulk_create(items)
    Checkpoint.objects.bulk_create(
        Checkpoint(item=item, order=0, text=f"{item.code} 착안사항", details=["세부 1"])
        for item in items
    )
    if published:
        RubricVersion.objects.filter(pk=rv.pk).update(
            status=VersionStatus.PUBLISHED, published_at=timezone.now()
        )
        rv.refresh_from_db()
    return rv
