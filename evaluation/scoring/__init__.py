"""Aggregation of evaluators' sheets into a result: pure Python, no Django (a test checks it).

Shapes in: a ``Rubric`` (areas → indicators → items), ``Sheet``s (one evaluator's item points,
already converted from entries by ``item_points``). Shape out: a ``Result`` with every item,
indicator, area, penalty and the total as a ``Score`` (exact ``Fraction``, rounded ``Decimal``),
the pass/fail decision with Korean reasons, and the per-item disagreement between evaluators.
The rules and their tie-breaks are explained in docs/decisions/005-aggregation-rules.md.

Exactness: within one aggregation every sheet value is an integer at one decimal scale
``10**s`` (``s`` = the most decimal places any points of the rubric's items can have), and every
aggregated figure is an integer numerator over one common denominator ``D = m * 10**s`` (``m`` =
how many values each mean divides by: the kept sheets, or under ``item_trimmed_mean`` the values
kept per item, the same count for every item). Sums of numerators are exact, so
``total == sum(areas) + penalty_total`` holds to the last digit. Rounding happens only when a
``Score`` is made, by integer arithmetic, in the rubric's mode. The standard deviation, the one
irrational figure, is rounded correctly from an exact integer square root. No floats anywhere.

Modules, one idea each: ``exact`` (the Decimal context, rounding, ``Score``), ``errors``,
``rubric`` (the shape and item methods' parameters), ``entries`` (entry → item points),
``results`` (``Sheet`` in, ``Result`` out), ``plan`` (substitution, penalties, sheet rows),
``aggregation`` (rules, ``aggregate``, ``rank``) and ``zmean``. Import from this package:
``from evaluation.scoring import aggregate``.
"""

from .aggregation import DEFAULT_DISAGREEMENT_RATIO, aggregate, rank
from .entries import item_points
from .errors import EntryError, RubricError, ScoringError, SheetError
from .exact import Rounding, RoundingMode, Score, fmt
from .results import AreaResult, Disagreement, IndicatorResult, ItemResult, Result, Rule, Sheet
from .rubric import Area, Band, Indicator, Item, Method, Rubric
from .zmean import Z_CONTEXT, Z_MIN_SHEETS, ZMean, z_mean, z_mean_problems

__all__ = [
    "Area",
    "AreaResult",
    "Band",
    "DEFAULT_DISAGREEMENT_RATIO",
    "Disagreement",
    "EntryError",
    "Indicator",
    "IndicatorResult",
    "Item",
    "ItemResult",
    "Method",
    "Result",
    "Rounding",
    "RoundingMode",
    "Rubric",
    "RubricError",
    "Rule",
    "Score",
    "ScoringError",
    "Sheet",
    "SheetError",
    "ZMean",
    "Z_CONTEXT",
    "Z_MIN_SHEETS",
    "aggregate",
    "fmt",
    "item_points",
    "rank",
    "z_mean",
    "z_mean_problems",
]
