"""The ``z_mean`` aggregation rule's configuration check (ADR 005, "z_mean"). The rule itself
(normalising a whole cycle's totals) is computed by the tally: ``evaluation/tally/zmean.py``.
"""

from __future__ import annotations

from ..tally.zmean import min_sheets, normalise, sheet_total  # noqa: F401 -- the tally's (ADR 018)


def configuration_problems(cycle) -> list[str]:
    """Why ``cycle`` may not switch to ``z_mean`` now: evaluators whose active assignments
    already fall short of the minimum (each assignment gives at most one counted sheet)."""
    from django.db.models import Count

    from ..models import Assignment

    need = min_sheets()
    counts = (
        Assignment.objects.filter(application__cycle=cycle, exclusion="")
        .values_list("evaluator__username")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        f"평가위원 {name}의 배정이 {n}건뿐이라 z 점수 표준화 평균을 쓸 수 없습니다 "
        f"(평가위원마다 확정된 평가표 {need}건 이상 필요)"
        for name, n in sorted(counts)
        if n < need
    ]
