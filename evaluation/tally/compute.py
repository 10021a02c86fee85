"""Computing results from the cycle's sheets: what every stored ``Result`` should hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from .. import scoring
from ..models import Cycle, Decision
from .rules import CycleRules
from .sheets import load_sheets
from .zmean import normalise

# The figures a recompute writes (``rank`` is written separately when only it changes).
FIGURES = (
    "total",
    "areas",
    "penalties",
    "decision",
    "reasons",
    "sheets_counted",
    "disagreement",
    "normalised_total",
)


@dataclass
class Computed:
    """What the stored result of one application should hold (rounded figures)."""

    application_id: int
    total: Decimal | None = None
    areas: dict[str, str] = field(default_factory=dict)
    penalties: Decimal = Decimal(0)
    decision: str = ""
    reasons: list[str] = field(default_factory=list)
    sheets_counted: int = 0
    disagreement: dict[str, dict] = field(default_factory=dict)
    result: scoring.Result | None = None  # the full pure result (items, indicators, …)
    substituted: frozenset[str] = frozenset()
    normalised_total: Decimal | None = None  # z_mean only: the ranking total (ADR 005)
    z_refusal: tuple[str, ...] = ()  # z_mean only: why the cycle cannot be normalised

    @property
    def figures(self) -> dict:
        return {name: getattr(self, name) for name in FIGURES}


def _computed(application_id: int, result: scoring.Result, substituted) -> Computed:
    return Computed(
        application_id=application_id,
        total=result.total.rounded,
        areas={a.code: str(a.score.rounded) for a in result.areas},
        penalties=result.penalty_total.rounded,
        decision=Decision.PASS if result.passed else Decision.FAIL,
        reasons=list(result.reasons),
        sheets_counted=len(result.kept) + len(result.dropped),
        # Only the flagged items: the dashboard lists them; the result page recomputes the
        # spread and deviation of every item from the sheets.
        disagreement={
            d.code: {"sd": str(d.stdev), "spread": scoring.fmt(d.spread), "flagged": True}
            for d in result.disagreements
            if d.flagged
        },
        result=result,
        substituted=frozenset(substituted),
    )


def aggregate(
    rules: CycleRules, sheets: list[scoring.Sheet], substituted, *, area_minimums=None
) -> scoring.Result:
    """``scoring.aggregate`` under the cycle's rules (``area_minimums`` overrides the cycle's,
    e.g. ``{}`` for one evaluator's own sheet). Raises ``scoring.ScoringError``."""
    return scoring.aggregate(
        rules.rubric,
        sheets,
        rule=rules.rule,
        threshold=rules.threshold,
        area_minimums=rules.area_minimums if area_minimums is None else area_minimums,
        substituted_areas=substituted,
        disagreement_ratio=rules.disagreement_ratio,
    )


def compute(
    cycle: Cycle, rules: CycleRules, application_ids=None, *, sheet_points=None
) -> tuple[dict[int, Computed], dict[int, list[str]]]:
    """What every application's result should be, from the stored raw scores; no writes.

    Returns (computed results by application id, problems by application id). An application
    without a counted sheet gets an empty result (no total, no decision)."""
    by_application, substituted = load_sheets(
        cycle, rules, application_ids, sheet_points=sheet_points
    )
    computed: dict[int, Computed] = {}
    problems: dict[int, list[str]] = {}
    for app_id, app_sheets in by_application.items():
        subs = substituted.get(app_id, set())
        if not any(s.confirmed and not s.conflicted for s in app_sheets):
            computed[app_id] = Computed(app_id, substituted=frozenset(subs))
            continue
        try:
            result = aggregate(rules, app_sheets, subs)
        except scoring.SheetError as exc:
            problems[app_id] = list(exc.errors)
        else:
            computed[app_id] = _computed(app_id, result, subs)
    for app_id in application_ids or ():
        if app_id not in computed and app_id not in problems:
            computed[app_id] = Computed(app_id, substituted=frozenset(substituted.get(app_id, ())))
    if rules.rule is scoring.Rule.Z_MEAN and application_ids is None and not problems:
        normalise(computed, by_application, substituted, rules)
    return computed, problems


def ranks(totals: dict[int, Decimal | None]) -> dict[int, int | None]:
    """Competition ranks (1, 2, 2, 4) by rounded total; no total, no rank."""
    ranked = scoring.rank(
        {
            key: SimpleNamespace(total=SimpleNamespace(rounded=total))
            for key, total in totals.items()
            if total is not None
        }
    )
    return {key: ranked.get(key) for key in totals}


def ranking_field(rules: CycleRules) -> str:
    """The stored figure ranks follow: the normalised total under ``z_mean`` (ADR 005)."""
    return "normalised_total" if rules.rule is scoring.Rule.Z_MEAN else "total"
