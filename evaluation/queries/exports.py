"""What ``export_scores`` and ``export_results`` write: the raw entries of the counted
assignments and the stored results as the dashboard shows them (ADR 018: both read through
the tally's rule)."""

from __future__ import annotations

from decimal import Decimal

from indicators.models import Area

from .. import tally
from ..models import Cycle, ItemScore, SheetStatus
from ..scoring import fmt
from .results import cycle_results_table

SCORE_COLUMNS = [
    "application_id",
    "institution",
    "evaluator",
    "item_code",
    "method",
    "entered",
    "points",
    "confirmed",
]


def score_export_rows(cycle: Cycle):
    """One row per (application, evaluator, item) with an entry, for the cycle's active
    assignments (an excluded evaluator's sheet never counts and is not exported), in
    application, evaluator and rubric order; ``confirmed`` says whether the sheet counts.
    One query, streamed."""
    scores = (
        ItemScore.objects.filter(
            tally.active_assignment("sheet__assignment__"),
            sheet__assignment__application__cycle=cycle,
            points__isnull=False,
        )
        .select_related(
            "item", "sheet__assignment__application__institution", "sheet__assignment__evaluator"
        )
        .order_by(
            "sheet__assignment__application_id",
            "sheet__assignment__evaluator__username",
            "item__indicator__area__order",
            "item__indicator__order",
            "item__order",
        )
    )
    for score in scores.iterator(chunk_size=2000):
        assignment = score.sheet.assignment
        yield [
            assignment.application_id,
            assignment.application.institution.name,
            assignment.evaluator.username,
            score.item.code,
            score.item.method,
            tally.entry_text(score),
            fmt(score.points),
            "true" if score.sheet.status == SheetStatus.CONFIRMED else "false",
        ]


def result_export_columns(areas: list[Area]) -> list[str]:
    return [
        "application_id",
        "institution",
        "total",
        *[a.code for a in areas],
        "penalty",
        "decision",
        "rank",
    ]


def result_export_rules(cycle: Cycle) -> dict:
    """The rules a result was computed with, as the tally reads them (``tally.cycle_rules``):
    with ``export_scores`` anyone can recompute the same results."""
    rules = tally.cycle_rules(cycle)
    order = [a.code for a in rules.rubric.areas]
    minimums = sorted(rules.area_minimums.items(), key=lambda kv: order.index(kv[0]))
    return {
        "rule": str(rules.rule),
        "threshold": fmt(rules.threshold),
        "area_minimums": {code: fmt(ratio) for code, ratio in minimums},
        "disagreement_ratio": fmt(rules.disagreement_ratio),
    }


def result_export_rows(cycle: Cycle, areas: list[Area]) -> list[dict]:
    """One row per (not withdrawn) application: the stored figures as displayed (rubric
    places), the computed decision and the rank; blanks when nothing is computed yet.
    Extra keys (not CSV columns): ``substituted_areas``, ``committee_decision``."""
    places = cycle.rubric_version.rounding_places
    quantum = Decimal(1).scaleb(-places)

    def shown(value):
        return "" if value is None else format(Decimal(value).quantize(quantum), "f")

    rows = []
    for row in sorted(
        cycle_results_table(cycle, areas), key=lambda r: (r.rank is None, r.rank, r.application.pk)
    ):
        result = row.result
        out = {
            "application_id": row.application.pk,
            "institution": row.application.institution.name,
            "total": shown(row.total),
        }
        for area, value in zip(areas, row.areas, strict=True):
            out[area.code] = shown(value)
        out["penalty"] = shown(row.penalty)
        out["decision"] = row.decision
        out["rank"] = row.rank if row.rank is not None else ""
        out["substituted_areas"] = sorted(row.substituted)
        out["committee_decision"] = result.committee_decision if result else ""
        rows.append(out)
    return rows
