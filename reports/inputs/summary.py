"""The 집계표 inputs: every computed result of a cycle, ranked, with the reliability appendix
(ADR 015). Figures are the stored results (written from the tally)."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from evaluation.models import Application, Cycle, Result
from indicators.models import Area, RubricVersion

from .common import (
    HUNDREDTH,
    _cycle_ref,
    _decision_label,
    _refuse,
    _rubric_ref,
    fmt,
    percent,
    places_of,
)


def summary_inputs(cycle: Cycle) -> dict:
    """The 집계표 of a cycle: every application with a computed result, ranked. Refuses a cycle
    without results. A constant number of queries."""
    version = RubricVersion.objects.select_related("rubric").get(pk=cycle.rubric_version_id)
    areas = list(Area.objects.filter(version=version).order_by("order"))
    results = list(
        Result.objects.filter(application__cycle=cycle, total__isnull=False)
        .select_related("application__institution")
        .order_by("-total", "application__institution__name", "application_id")
    )
    # In rank order: the stored rank follows the total, or under z_mean the normalised total
    # (ADR 005), so the raw totals need not be in order then.
    results.sort(key=lambda r: (r.rank is None, r.rank or 0))
    if not results:
        raise _refuse(
            f"{cycle.title}({cycle.slug}): 계산된 평가 결과가 없어 집계표를 만들 수 없습니다."
        )
    n_without = (
        Application.objects.filter(cycle=cycle).exclude(pk__in=[r.application_id for r in results])
    ).count()
    ranks = scoring_rank({r.application_id: r.total for r in results})
    rows, sums = [], defaultdict(Decimal)
    passed = 0
    for r in results:
        final = r.final_decision
        passed += final == "pass"
        for code, value in (r.areas or {}).items():
            sums[code] += Decimal(str(value))
        rows.append(
            {
                "rank": r.rank or ranks[r.application_id],
                "application_id": r.application_id,
                "institution": r.application.institution.name,
                "total": str(r.total),
                "areas": [str((r.areas or {}).get(a.code, "")) for a in areas],
                # 감점 (≤ 0): total = sum of areas + penalty, so the row adds up (issue 14).
                "penalty": str(r.penalties),
                "decision_label": _decision_label(final),
                "decision": final,
                "committee": bool(r.committee_decision),
            }
        )
    n = len(results)
    total_points = version.total_points
    shown = places_of(version)
    for row in rows:
        row["total"] = shown(row["total"])
        row["areas"] = [shown(v) for v in row["areas"]]
        row["penalty"] = shown(row["penalty"])
    mean_total = sum((r.total for r in results), Decimal(0)) / n
    mean_penalty = sum((r.penalties for r in results), Decimal(0)) / n
    return {
        "kind": "summary",
        "cycle": _cycle_ref(cycle),
        "rubric": _rubric_ref(version),
        "areas": [
            {
                "code": a.code,
                "title": a.title,
                "points": fmt(a.points),
                "average": str((sums[a.code] / n).quantize(HUNDREDTH, ROUND_HALF_UP)),
                "average_rate": percent(sums[a.code] / n, a.points),
            }
            for a in areas
        ],
        "rows": rows,
        "count": n,
        "passed": passed,
        "failed": n - passed,
        "without_result": n_without,
        "mean_total": str(mean_total.quantize(HUNDREDTH, ROUND_HALF_UP)),
        "mean_penalty": str(mean_penalty.quantize(HUNDREDTH, ROUND_HALF_UP)),
        "total_points": fmt(total_points),
        "distribution": distribution([r.total for r in results], total_points),
        "reliability": reliability_inputs(cycle),
    }


def scoring_rank(totals: dict[int, Decimal]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) of stored totals."""
    first: dict[Decimal, int] = {}
    for position, total in enumerate(sorted(totals.values(), reverse=True), start=1):
        first.setdefault(total, position)
    return {key: first[total] for key, total in totals.items()}


def distribution(totals: list[Decimal], total_points: Decimal, bins: int = 10) -> list[dict]:
    """How many totals fall in each tenth of the total points (the last bin includes the max)."""
    width = Decimal(total_points) / bins
    counts = [0] * bins
    for total in totals:
        index = min(int(Decimal(total) / width), bins - 1) if width else 0
        counts[max(index, 0)] += 1
    return [
        {"label": f"{fmt(width * i)}~{fmt(width * (i + 1))}", "count": counts[i]}
        for i in range(bins)
    ]


# --- 평가 신뢰도 (the 집계표's appendix; ADR 015) -------------------------------------------------


def _alpha_inputs(a) -> dict:
    def text(value):
        return "" if value is None else str(value)

    return {
        "value": text(a.value),
        "low": text(a.low),
        "high": text(a.high),
        "reading": a.reading,
        "units": a.units,
        "pairable": a.pairable,
        "reason": a.reason,
    }


def reliability_inputs(cycle: Cycle) -> dict:
    """Krippendorff's α (overall, per area, per item, the five lowest items) and every
    evaluator's severity, as display strings (4 places). Constant queries."""
    from evaluation.services.reliability import cycle_reliability, evaluator_names

    found = cycle_reliability(cycle)
    titles = dict(
        Area.objects.filter(version_id=cycle.rubric_version_id).values_list("code", "title")
    )
    names = evaluator_names(s.evaluator for s in found.evaluators)

    def text(value):
        return "" if value is None else str(value)

    return {
        "resamples": found.resamples,
        "seed": found.seed,
        "bound": fmt(found.bound),
        "min_units": found.min_units,
        "overall": _alpha_inputs(found.overall),
        "areas": [
            {"code": code, "title": titles.get(code, ""), **_alpha_inputs(a)}
            for code, a in found.areas.items()
        ],
        "items": [{"code": code, **_alpha_inputs(a)} for code, a in found.items.items()],
        "lowest_items": [{"code": code, **_alpha_inputs(a)} for code, a in found.lowest_items()],
        "evaluators": [
            {
                "name": names.get(s.evaluator, s.evaluator),
                "username": s.evaluator,
                "points": text(s.points),
                "percent": text(s.percent),
                "se_percent": text(s.se_percent),
                "units": s.units,
                "highest": s.highest,
                "lowest": s.lowest,
                "flagged": s.flagged,
            }
            for s in found.evaluators
        ],
    }
