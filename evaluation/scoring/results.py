"""The shapes in and out of an aggregation: ``Sheet`` in; ``Result`` and its parts out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from .exact import Score


class Rule(StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    MEDIAN = "median"
    ITEM_TRIMMED_MEAN = "item_trimmed_mean"
    # Per application the mean, then the cycle-wide normalisation of ``z_mean`` (below): the
    # results service replaces the total; areas and the decision keep their raw meaning.
    Z_MEAN = "z_mean"


@dataclass(frozen=True, slots=True)
class Sheet:
    """One evaluator's item points. Only confirmed, non-conflicted sheets are counted.

    A penalty item without an entry counts 0 (no case). ``substituted_areas`` is unioned with
    the application's: substitution is a fact about the application, a sheet may carry it.
    """

    evaluator: str
    points: Mapping[str, Decimal] = field(hash=False)
    substituted_areas: frozenset[str] = frozenset()
    confirmed: bool = True
    conflicted: bool = False

    def __post_init__(self):
        object.__setattr__(self, "points", MappingProxyType(dict(self.points)))
        object.__setattr__(self, "substituted_areas", frozenset(self.substituted_areas))


@dataclass(frozen=True, slots=True)
class ItemResult:
    code: str
    score: Score
    # item_trimmed_mean with ≥ 3 sheets: (evaluator dropped as lowest, dropped as highest)
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    code: str
    area: str
    score: Score  # sum of its (non-penalty) item scores


@dataclass(frozen=True, slots=True)
class AreaResult:
    code: str
    points: Decimal
    score: Score  # sum of its indicators, or points × award_ratio when substituted
    substituted: bool
    rate: Decimal | None  # rounded score / points, in percent, 2 places, rounded down
    minimum: Decimal | None  # minimum ratio (0.6 = 60 %), when the cycle sets one
    meets_minimum: bool


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Spread between all counted evaluators on one item; ``flagged`` when spread > limit."""

    code: str
    spread: Decimal  # max − min, exact (a difference of sheet values)
    stdev: Decimal  # population standard deviation, correctly rounded to the rubric's places
    limit: Decimal  # ratio × |item points|
    flagged: bool


@dataclass(frozen=True, slots=True)
class Result:
    rule: Rule
    items: tuple[ItemResult, ...]  # scored non-penalty items, rubric order
    indicators: tuple[IndicatorResult, ...]
    areas: tuple[AreaResult, ...]
    penalties: tuple[ItemResult, ...]
    penalty_total: Score
    total: Score  # == sum of areas + penalty_total, exactly
    passed: bool
    reasons: tuple[str, ...]  # why it failed, in Korean; empty when passed
    kept: tuple[str, ...]  # evaluator keys whose sheets were averaged
    dropped: tuple[str, ...]  # counted but left out by the rule
    excluded: tuple[str, ...]  # not confirmed, or conflicted
    disagreements: tuple[Disagreement, ...]

    @property
    def flagged(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.disagreements if d.flagged)

    def score(self, code: str) -> Score:
        """The score of an item, penalty, indicator or area by its code (``KeyError`` if none)."""
        for row in (*self.items, *self.penalties, *self.indicators, *self.areas):
            if row.code == code:
                return row.score
        raise KeyError(code)
