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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any, TypeVar

# Every Decimal operation in this module runs in this context: an inexact result raises
# instead of rounding silently.
_EXACT = Context(prec=60, traps=[Inexact, Overflow, InvalidOperation, DivisionByZero])
_ZERO = Decimal(0)
DEFAULT_DISAGREEMENT_RATIO = Decimal("0.40")

K = TypeVar("K")


class Method(StrEnum):
    GRADE = "grade"
    POINTS = "points"
    BANDS = "bands"
    PENALTY = "penalty"


class RoundingMode(StrEnum):
    HALF_UP = "half_up"  # ties away from zero, like decimal.ROUND_HALF_UP
    HALF_EVEN = "half_even"
    DOWN = "down"  # toward zero
    UP = "up"  # away from zero


class Rule(StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    MEDIAN = "median"
    ITEM_TRIMMED_MEAN = "item_trimmed_mean"
    # Per application the mean, then the cycle-wide normalisation of ``z_mean`` (below): the
    # results service replaces the total; areas and the decision keep their raw meaning.
    Z_MEAN = "z_mean"


class ScoringError(ValueError):
    """Bad input to this module; the message is Korean and names the code and the numbers."""


class RubricError(ScoringError):
    """A rubric shape this module cannot score with."""


class EntryError(ScoringError):
    """An evaluator's entry that its item's scoring method refuses."""

    def __init__(self, code: str, problem: str):
        self.code, self.problem = code, problem
        super().__init__(f"{code}: {problem}")


class SheetError(ScoringError):
    """Sheets that cannot be aggregated; ``errors`` lists every problem found, all at once."""

    def __init__(self, errors: Iterable[str]):
        self.errors = tuple(errors)
        super().__init__("\n".join(self.errors))


def fmt(value: Decimal | int) -> str:
    """``Decimal('30.000')`` → ``'30'``, ``Decimal('0.5')`` → ``'0.5'``: no exponent, no padding."""
    return format(_EXACT.normalize(Decimal(value)), "f")


def _round(num: int, den: int, places: int, mode: RoundingMode) -> Decimal:
    """``num / den`` (``den > 0``) rounded to ``places`` in ``mode``, by integer arithmetic."""
    q, r = divmod(abs(num) * 10**places, den)
    if r:
        if mode is RoundingMode.HALF_UP:
            q += 2 * r >= den
        elif mode is RoundingMode.HALF_EVEN:
            q += 2 * r > den or (2 * r == den and q & 1)
        elif mode is RoundingMode.UP:
            q += 1
    return Decimal(-q if num < 0 else q).scaleb(-places, _EXACT)


def _round_sqrt(num: int, den: int, places: int, mode: RoundingMode) -> Decimal:
    """``sqrt(num) / den`` (``num >= 0``, ``den > 0``) correctly rounded, without floats."""
    n = num * 100**places
    root = math.isqrt(n)
    q = root // den  # floor(sqrt(n) / den) == floor(isqrt(n) / den)
    exact = q * q * den * den == n
    if not exact:
        twice = 4 * n - (2 * q + 1) ** 2 * den * den  # sign of sqrt(n)/den - (q + 1/2)
        if mode is RoundingMode.HALF_UP:
            q += twice >= 0
        elif mode is RoundingMode.HALF_EVEN:
            q += twice > 0 or (twice == 0 and q & 1)
        elif mode is RoundingMode.UP:
            q += 1
    return Decimal(q).scaleb(-places, _EXACT)


@dataclass(frozen=True, slots=True)
class Rounding:
    """The rubric's ``rounding``: applied to aggregated scores only, for display and decision."""

    places: int = 2
    mode: RoundingMode = RoundingMode.HALF_UP

    def __post_init__(self):
        if not isinstance(self.places, int) or not 0 <= self.places <= 10:
            raise RubricError(f"반올림 자릿수 {self.places!r}은(는) 0~10 사이의 정수여야 합니다")
        object.__setattr__(self, "mode", RoundingMode(self.mode))

    def round(self, value: Decimal | Fraction | int) -> Decimal:
        num, den = value.as_integer_ratio()
        return _round(num, den, self.places, self.mode)


@dataclass(frozen=True, slots=True, eq=False)
class Score:
    """One aggregated figure: ``exact`` (numerator / denominator) and ``rounded``.

    Sums and checks use the exact value; display and decisions use ``rounded`` (the rubric's
    places and mode). Two scores are equal when both their exact values and rounded values are.
    """

    numerator: int
    denominator: int
    rounded: Decimal

    @property
    def exact(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Score):
            return NotImplemented
        return (
            self.numerator * other.denominator == other.numerator * self.denominator
            and self.rounded == other.rounded
        )

    def __hash__(self) -> int:
        return hash((self.exact, self.rounded))

    def __str__(self) -> str:
        return str(self.rounded)


# --- Rubric shape ------------------------------------------------------------------------------


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise RubricError(f"{what} {value!r}은(는) Decimal이어야 합니다")


@dataclass(frozen=True, slots=True)
class Band:
    min: Decimal
    points: Decimal


@dataclass(frozen=True, slots=True)
class Item:
    """An item and its scoring. ``points`` < 0 makes it a penalty whose cap is ``points``."""

    code: str
    points: Decimal
    method: Method
    levels: Mapping[str, Decimal] = field(default_factory=dict, hash=False)  # grade
    step: Decimal = Decimal(1)  # points
    bands: tuple[Band, ...] = ()  # bands: Band or (min, points) pairs, kept sorted by min
    per_case: Decimal | None = None  # penalty, negative

    def __post_init__(self):
        code, put = self.code, object.__setattr__
        put(self, "points", _decimal(self.points, f"{code}: 배점"))
        put(self, "method", Method(self.method))
        put(self, "step", _decimal(self.step, f"{code}: 단위"))
        levels = {k: _decimal(v, f"{code}: 등급 '{k}'의 비율") for k, v in self.levels.items()}
        put(self, "levels", MappingProxyType(levels))
        bands = [b if isinstance(b, Band) else Band(*b) for b in self.bands]
        bands = [
            Band(_decimal(b.min, f"{code}: 구간 하한"), _decimal(b.points, f"{code}: 구간 점수"))
            for b in bands
        ]
        put(self, "bands", tuple(sorted(bands, key=lambda b: b.min)))
        if self.method is Method.PENALTY:
            put(self, "per_case", _decimal(self.per_case, f"{code}: 건당 감점"))
        problem = self._problem()
        if problem:
            raise RubricError(f"{code}: {problem}")

    def _problem(self) -> str | None:
        if (self.points < 0) != (self.method is Method.PENALTY):
            return "감점 항목만 음수 배점을 가지며, 음수 배점은 penalty 방식이어야 합니다"
        if self.method is Method.GRADE:
            if not self.levels:
                return "등급 척도가 비어 있습니다"
            bad = [k for k, r in self.levels.items() if not 0 <= r <= 1]
            if bad:
                return f"등급 {', '.join(bad)}의 비율이 0~1 범위를 벗어납니다"
        elif self.method is Method.POINTS and self.step <= 0:
            return f"단위 {fmt(self.step)}은(는) 0보다 커야 합니다"
        elif self.method is Method.BANDS:
            if len({b.min for b in self.bands}) != len(self.bands) or not self.bands:
                return "구간 하한(min)은 하나 이상이며 서로 달라야 합니다"
            if any(not 0 <= b.points <= self.points for b in self.bands):
                return f"구간 점수가 0~{fmt(self.points)} 범위를 벗어납니다"
        elif self.method is Method.PENALTY and self.per_case >= 0:
            return f"건당 감점 {fmt(self.per_case)}은(는) 음수여야 합니다"
        return None

    @property
    def is_penalty(self) -> bool:
        return self.method is Method.PENALTY

    @property
    def places(self) -> int:
        """The most decimal places any points this item gives can have."""
        if self.method is Method.GRADE:
            values = [_EXACT.multiply(self.points, r) for r in self.levels.values()]
        elif self.method is Method.BANDS:
            values = [b.points for b in self.bands]
        else:
            values = [self.step if self.method is Method.POINTS else self.per_case]
        return max(_places(v) for v in [self.points, *values])

    @property
    def bounds(self) -> tuple[Decimal, Decimal]:
        """The least and greatest points this item can give."""
        return (self.points, _ZERO) if self.is_penalty else (_ZERO, self.points)


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    points: Decimal
    items: tuple[Item, ...]

    def __post_init__(self):
        object.__setattr__(self, "points", _decimal(self.points, f"{self.code}: 배점"))
        object.__setattr__(self, "items", tuple(self.items))


@dataclass(frozen=True, slots=True)
class Area:
    """``award_ratio`` set means the area may be substituted by a certificate."""

    code: str
    points: Decimal
    indicators: tuple[Indicator, ...]
    award_ratio: Decimal | None = None

    def __post_init__(self):
        object.__setattr__(self, "points", _decimal(self.points, f"{self.code}: 배점"))
        object.__setattr__(self, "indicators", tuple(self.indicators))
        if self.award_ratio is not None:
            ratio = _decimal(self.award_ratio, f"{self.code}: 대체 인정 비율")
            if not 0 <= ratio <= 1:
                raise RubricError(f"{self.code}: 대체 인정 비율 {fmt(ratio)}이(가) 0~1 밖입니다")
            object.__setattr__(self, "award_ratio", ratio)


@dataclass(frozen=True, slots=True)
class Rubric:
    areas: tuple[Area, ...]
    rounding: Rounding = Rounding()
    _items: Mapping[str, tuple[Item, Area]] = field(init=False, repr=False, compare=False)
    _plans: dict[frozenset[str], _Plan] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "areas", tuple(self.areas))
        items: dict[str, tuple[Item, Area]] = {}
        codes = [a.code for a in self.areas] + [i.code for a in self.areas for i in a.indicators]
        for area in self.areas:
            for indicator in area.indicators:
                for item in indicator.items:
                    codes.append(item.code)
                    items[item.code] = (item, area)
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise RubricError(f"코드가 중복됩니다: {', '.join(duplicates)}")
        object.__setattr__(self, "_items", MappingProxyType(items))
        object.__setattr__(self, "_plans", {})

    def item(self, code: str) -> Item:
        return self._items[code][0]

    def area(self, code: str) -> Area:
        for area in self.areas:
            if area.code == code:
                return area
        raise KeyError(code)

    def _plan(self, substituted: frozenset[str]) -> _Plan:
        plan = self._plans.get(substituted)
        if plan is None:
            plan = self._plans[substituted] = _Plan(self, substituted)
        return plan


def _places(value: Decimal) -> int:
    return max(0, -_EXACT.normalize(value).as_tuple().exponent)


class _Plan:
    """What an aggregation scores when ``substituted`` areas are substituted (cached per rubric).

    ``scale`` is the most decimal places any points of these items (or an award) can have, so
    every valid sheet value is an integer at ``10**scale``. ``checks`` holds, per item, its
    bounds and a small cache of values already checked and converted to those integers.
    """

    def __init__(self, rubric: Rubric, substituted: frozenset[str]):
        items: list[Item] = []
        indicators: list[tuple[Indicator, str, tuple[int, ...]]] = []
        areas: list[tuple[Area, tuple[int, ...] | None]] = []  # None: substituted
        for area in rubric.areas:
            if area.code in substituted:
                areas.append((area, None))
                continue
            first = len(indicators)
            for indicator in area.indicators:
                own = []
                for item in indicator.items:
                    if not item.is_penalty:
                        own.append(len(items))
                    items.append(item)
                if own:
                    indicators.append((indicator, area.code, tuple(own)))
            areas.append((area, tuple(range(first, len(indicators)))))
        awards = {a.code: _EXACT.multiply(a.points, a.award_ratio) for a, p in areas if p is None}
        self.items, self.indicators, self.areas = tuple(items), tuple(indicators), tuple(areas)
        self.index = {item.code: n for n, item in enumerate(items)}
        self.positive = tuple(n for n, item in enumerate(items) if not item.is_penalty)
        self.penalties = tuple(n for n, item in enumerate(items) if item.is_penalty)
        self.scale = max([0, *(it.places for it in items), *map(_places, awards.values())])
        self.awards = {code: int(v.scaleb(self.scale, _EXACT)) for code, v in awards.items()}
        self.checks = tuple((it.code, *it.bounds, it.is_penalty, {}) for it in items)
        self._limits: dict[Decimal, tuple[tuple[str, Decimal, int], ...]] = {}
        self.scores: dict[tuple[int, int], Score] = {}  # (numerator, denominator) → Score

    def limits(self, ratio: Decimal) -> tuple[tuple[str, Decimal, int], ...]:
        """Per item: code, ``ratio × |points|``, and that limit at ``10**scale`` rounded down
        (an integer spread exceeds the limit exactly when it exceeds its floor)."""
        limits = self._limits.get(ratio)
        if limits is None:
            limits = tuple(
                (it.code, lim, int(lim.scaleb(self.scale, _EXACT)))
                for it in self.items
                for lim in [_EXACT.multiply(ratio, abs(it.points))]
            )
            self._limits[ratio] = limits
        return limits

    def row(self, rubric: Rubric, sheet: Sheet, errors: list[str]) -> list[int]:
        """The sheet's points as integers at ``10**scale``, in item order; problems go to
        ``errors``. A penalty without an entry counts 0."""
        who = f"(평가위원 {sheet.evaluator})"
        points = sheet.points
        for code in sorted(points.keys() - self.index.keys()):
            if code in rubric._items:
                area = rubric._items[code][1].code
                errors.append(f"{code}: {area} 영역은 대체 인정되어 채점하지 않습니다 {who}")
            else:
                errors.append(f"{code}: 평가지표에 없는 항목입니다 {who}")
        row = []
        for code, lo, hi, is_penalty, cache in self.checks:
            value = points.get(code)
            try:
                number = cache.get(value) if type(value) is Decimal else None
            except TypeError:  # a signalling NaN cannot be hashed; refused below
                number = None
            if number is None:
                if value is None and is_penalty:
                    number = 0
                elif value is None:
                    errors.append(f"{code}: 점수가 없습니다 {who}")
                else:
                    number = self._convert(code, value, lo, hi, cache, who, errors)
            row.append(number)
        return row

    def _convert(self, code, value, lo, hi, cache, who, errors) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal):
            errors.append(f"{code}: 점수 {value!r}은(는) Decimal이 아닙니다 {who}")
        elif not value.is_finite():
            errors.append(f"{code}: 점수 {value}은(는) 유한한 수가 아닙니다 {who}")
        elif not lo <= value <= hi:
            errors.append(f"{code}: 점수 {value}은(는) {fmt(lo)}~{fmt(hi)} 범위를 벗어납니다 {who}")
        else:
            try:
                scaled = value.scaleb(self.scale, _EXACT)
            except ArithmeticError:  # more digits than the exact context holds
                scaled = Decimal("0.5")
            if scaled == scaled.to_integral_value():
                if len(cache) < 1000:
                    cache[value] = int(scaled)
                return int(scaled)
            errors.append(
                f"{code}: 점수 {value}은(는) 이 항목에서 나올 수 없는 값입니다 "
                f"(소수점 이하 {self.scale}자리까지) {who}"
            )
        return None


# --- Entries → item points ---------------------------------------------------------------------


def _number(entry: Any) -> Decimal | None:
    if isinstance(entry, float):
        raise TypeError("float는 사용할 수 없습니다: Decimal을 쓰십시오")
    if isinstance(entry, bool):
        return None
    if isinstance(entry, int):
        return Decimal(entry)
    try:
        value = entry if isinstance(entry, Decimal) else Decimal(str(entry).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def item_points(item: Item, entry: Any) -> Decimal:
    """The points an evaluator's entry gives on ``item``; ``EntryError`` when it is invalid.

    grade: a level code → ``points × ratio``. points: a number 0…points, a multiple of ``step``.
    bands: a measured value → the points of the band with the greatest ``min`` ≤ value, else 0.
    penalty: a count of cases (integer ≥ 0) → ``max(points, per_case × count)``.
    """
    code = item.code
    if item.method is Method.GRADE:
        ratio = item.levels.get(entry) if isinstance(entry, str) else None
        if ratio is None:
            raise EntryError(code, f"등급 '{entry}'는 척도에 없습니다")
        return _EXACT.multiply(item.points, ratio)
    if item.method is Method.PENALTY:
        count = _number(entry)
        if count is None or count < 0 or count != count.to_integral_value():
            raise EntryError(code, f"건수는 0 이상의 정수여야 합니다 (입력값: {entry})")
        if not count:
            return _ZERO  # not −3 × 0 = Decimal("-0")
        return max(item.points, _EXACT.multiply(item.per_case, count))
    value = _number(entry)
    if item.method is Method.BANDS:
        if value is None:
            raise EntryError(code, f"측정값 '{entry}'은(는) 숫자가 아닙니다")
        return next((b.points for b in reversed(item.bands) if b.min <= value), _ZERO)
    if value is None:
        raise EntryError(code, f"점수 '{entry}'은(는) 숫자가 아닙니다")
    if not 0 <= value <= item.points:
        raise EntryError(code, f"점수 {fmt(value)}은(는) 0~{fmt(item.points)} 범위를 벗어납니다")
    if _EXACT.remainder(value, item.step):
        raise EntryError(code, f"점수 {fmt(value)}은(는) {fmt(item.step)} 단위가 아닙니다")
    return value


# --- Sheets and results ------------------------------------------------------------------------


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


# --- Aggregation -------------------------------------------------------------------------------


def _check_settings(
    rubric: Rubric,
    substituted: frozenset[str],
    area_minimums: Mapping[str, Decimal],
    threshold: Decimal | None,
    disagreement_ratio: Decimal,
) -> list[str]:
    errors = []
    codes = {a.code: a for a in rubric.areas}
    for code in sorted(substituted):
        if code not in codes:
            errors.append(f"{code}: 평가지표에 없는 영역입니다 (대체 인정)")
        elif codes[code].award_ratio is None:
            errors.append(f"{code}: 대체 인정 대상 영역이 아닙니다")
    for code, ratio in sorted(area_minimums.items()):
        if code not in codes:
            errors.append(f"{code}: 평가지표에 없는 영역입니다 (최소 득점률)")
        elif not (isinstance(ratio, Decimal) and 0 <= ratio <= 1):
            errors.append(f"{code}: 최소 득점률 {ratio}은(는) 0~1 사이의 Decimal이어야 합니다")
        elif codes[code].points <= 0:
            errors.append(f"{code}: 배점이 0 이하인 영역에는 최소 득점률을 둘 수 없습니다")
    if threshold is not None and not isinstance(threshold, Decimal):
        errors.append(f"합격 기준 {threshold!r}은(는) Decimal이어야 합니다")
    if not (isinstance(disagreement_ratio, Decimal) and disagreement_ratio >= 0):
        errors.append(f"편차 기준 비율 {disagreement_ratio}은(는) 0 이상의 Decimal이어야 합니다")
    return errors


def _apply_rule(
    rule: Rule, names: list[str], rows: list[list[int]]
) -> tuple[list[int], int, tuple[str, ...], list[tuple[str, str]] | None]:
    """Per item, the sum of the values the rule keeps; how many each sum holds; kept sheets;
    under ``item_trimmed_mean``, the two evaluators dropped on each item."""
    n = len(rows)
    if rule is Rule.ITEM_TRIMMED_MEAN and n >= 3:
        nums, item_dropped = [], []
        for column in zip(*rows, strict=True):
            # lowest value, ties to the smallest key; highest value, ties to the greatest key
            order = sorted(range(n), key=lambda s, c=column: (c[s], names[s]))
            low, high = order[0], order[-1]
            nums.append(sum(column) - column[low] - column[high])
            item_dropped.append((names[low], names[high]))
        return nums, n - 2, tuple(names), item_dropped
    chosen: list[int] = list(range(n))
    if n >= 2 and rule in (Rule.TRIMMED_MEAN, Rule.MEDIAN):
        order = sorted(chosen, key=lambda s: (sum(rows[s]), names[s]))
        if rule is Rule.MEDIAN:
            chosen = sorted(order[(n - 1) // 2 : n // 2 + 1])
        elif n >= 3:
            chosen = sorted(order[1:-1])
    nums = [sum(column) for column in zip(*(rows[s] for s in chosen), strict=True)]
    return nums, len(chosen), tuple(names[s] for s in chosen), None


def aggregate(
    rubric: Rubric,
    sheets: Iterable[Sheet],
    *,
    rule: Rule | str = Rule.MEAN,
    threshold: Decimal | None = None,
    area_minimums: Mapping[str, Decimal] | None = None,
    substituted_areas: Iterable[str] = (),
    disagreement_ratio: Decimal = DEFAULT_DISAGREEMENT_RATIO,
) -> Result:
    """Aggregate one application's sheets under ``rule`` (see ADR 005).

    Raises ``SheetError`` listing every problem at once: duplicate evaluators, no counted sheet,
    points on unknown or substituted items, missing or out-of-range points, bad settings.
    """
    rule, area_minimums = Rule(rule), dict(area_minimums or {})
    sheets = sorted(sheets, key=lambda s: s.evaluator)
    keys = [s.evaluator for s in sheets]
    errors = [
        f"평가위원 {k}의 채점표가 두 번 이상 있습니다"
        for k in sorted(set(keys))
        if keys.count(k) > 1
    ]
    counted = [s for s in sheets if s.confirmed and not s.conflicted]
    excluded = tuple(s.evaluator for s in sheets if not s.confirmed or s.conflicted)
    if not counted:
        errors.append("집계할 채점표가 없습니다 (확정되고 이해충돌이 없는 채점표만 집계합니다)")
    substituted = frozenset(substituted_areas).union(*(s.substituted_areas for s in counted))
    errors += _check_settings(rubric, substituted, area_minimums, threshold, disagreement_ratio)
    if errors:
        raise SheetError(errors)
    plan = rubric._plan(substituted)
    rows = [plan.row(rubric, s, errors) for s in counted]
    if errors:
        raise SheetError(errors)

    names = [s.evaluator for s in counted]
    nums, m, kept, item_dropped = _apply_rule(rule, names, rows)
    scale = plan.scale
    unit = 10**scale
    den = m * unit  # every aggregated figure is (integer numerator) / den
    places, mode = rubric.rounding.places, rubric.rounding.mode
    shift, half_up = 10**places, mode is RoundingMode.HALF_UP

    memo = plan.scores

    def score(num: int) -> Score:
        made = memo.get((num, den))
        if made is None:
            if half_up:  # the common mode, inlined
                q, r = divmod(abs(num) * shift, den)
                q += 2 * r >= den
                made = Score(num, den, Decimal(-q if num < 0 else q).scaleb(-places, _EXACT))
            else:
                made = Score(num, den, _round(num, den, places, mode))
            if len(memo) < 10_000:  # immutable, so equal figures can share one object
                memo[num, den] = made
        return made

    def item_result(i: int) -> ItemResult:
        return ItemResult(
            plan.items[i].code, score(nums[i]), item_dropped[i] if item_dropped else ()
        )

    indicator_nums = [sum(nums[i] for i in own) for _, _, own in plan.indicators]
    indicators = tuple(
        IndicatorResult(ind.code, area, score(num))
        for (ind, area, _), num in zip(plan.indicators, indicator_nums, strict=True)
    )
    penalty_num = sum(nums[i] for i in plan.penalties)
    areas, reasons, total_num = [], [], penalty_num
    for area, parts in plan.areas:
        num = plan.awards[area.code] * m if parts is None else sum(indicator_nums[p] for p in parts)
        total_num += num
        areas.append(_area_result(area, score(num), parts is None, area_minimums, reasons))
    total = score(total_num)
    if threshold is not None and total.rounded < threshold:
        reasons.insert(0, f"총점 {total.rounded}점이 합격 기준 {fmt(threshold)}점에 미달")

    n = len(rows)
    disagreements = []
    limits = plan.limits(disagreement_ratio)
    for (code, limit, floor), column in zip(limits, zip(*rows, strict=True), strict=True):
        spread, sum_x = max(column) - min(column), sum(column)
        variance_num = n * sum([x * x for x in column]) - sum_x * sum_x  # / (n * unit) ** 2
        disagreements.append(
            Disagreement(
                code,
                Decimal(spread).scaleb(-scale, _EXACT),
                _round_sqrt(variance_num, n * unit, places, mode),
                limit,
                spread > floor,
            )
        )

    return Result(
        rule=rule,
        items=tuple(item_result(i) for i in plan.positive),
        indicators=indicators,
        areas=tuple(areas),
        penalties=tuple(item_result(i) for i in plan.penalties),
        penalty_total=score(penalty_num),
        total=total,
        passed=not reasons,
        reasons=tuple(reasons),
        kept=kept,
        dropped=tuple(k for k in names if k not in kept),
        excluded=excluded,
        disagreements=tuple(disagreements),
    )


def _area_result(
    area: Area,
    score: Score,
    substituted: bool,
    area_minimums: Mapping[str, Decimal],
    reasons: list[str],
) -> AreaResult:
    """The area's result; a failing minimum appends its reason. The rate is the *rounded*
    score over the points, shown in percent rounded down, so a failing rate never reads as
    its minimum (59.999…% shows 59.99%)."""
    minimum, meets, rate = area_minimums.get(area.code), True, None
    if area.points > 0:
        s_num, s_den = score.rounded.as_integer_ratio()
        p_num, p_den = area.points.as_integer_ratio()
        rate = _round(s_num * p_den * 100, s_den * p_num, 2, RoundingMode.DOWN)
        if minimum is not None and score.rounded < _EXACT.multiply(minimum, area.points):
            meets = False
            reasons.append(
                f"{area.code} 영역 득점률 {rate}%가 최소 기준 {fmt(_EXACT.multiply(minimum, 100))}%에 미달"
            )
    return AreaResult(area.code, area.points, score, substituted, rate, minimum, meets)


def rank(results: Mapping[K, Result]) -> dict[K, int]:
    """Competition ranking by rounded total, highest first; equal totals share a rank (1, 2, 2, 4).

    The returned dict lists keys best first (input order within a tie).
    """
    totals = {key: result.total.rounded for key, result in results.items()}
    first: dict[Decimal, int] = {}
    for position, total in enumerate(sorted(totals.values(), reverse=True), start=1):
        first.setdefault(total, position)
    ranks = {key: first[total] for key, total in totals.items()}
    return dict(sorted(ranks.items(), key=lambda pair: pair[1]))


# --- z_mean: normalised totals for competitive programmes (ADR 005, section z_mean) ---------------

Z_MIN_SHEETS = 5
# The normalisation's one inexact step is a square root: it runs at 34 significant digits
# (IEEE 754 decimal128), half-even, and only the final per-application figure is rounded to
# the rubric's places and mode. Anyone re-deriving with this context gets the same digits.
Z_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[Overflow, InvalidOperation])


@dataclass(frozen=True, slots=True)
class ZMean:
    """``totals``: the normalised total per application; ``raw``: the mean of its raw sheet
    totals (both rounded as the rubric says); the cycle's mean and standard deviation of the
    raw sheet totals; per evaluator (sheets, mean, standard deviation)."""

    totals: Mapping[Any, Decimal]
    raw: Mapping[Any, Decimal]
    mean: Decimal
    sd: Decimal
    evaluators: Mapping[str, tuple[int, Decimal, Decimal]]


def _mean_sd(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    """Mean and sample standard deviation (n − 1) in ``Z_CONTEXT``."""
    c = Z_CONTEXT
    mean = c.divide(sum(values, _ZERO), len(values))
    squares = sum((c.power(c.subtract(v, mean), 2) for v in values), _ZERO)
    return mean, c.sqrt(c.divide(squares, len(values) - 1))


def z_mean_problems(sheets_per_evaluator: Mapping[str, int], min_sheets: int) -> list[str]:
    """Why ``z_mean`` cannot normalise: every evaluator with fewer than ``min_sheets`` counted
    sheets (Korean, one line each)."""
    return [
        f"평가위원 {name}의 확정된 평가표가 {n}건뿐입니다 "
        f"(z 점수 표준화에는 평가위원마다 {min_sheets}건 이상 필요합니다)"
        for name, n in sorted(sheets_per_evaluator.items())
        if n < min_sheets
    ]


def z_mean(
    sheet_totals: Mapping[K, Mapping[str, Decimal]],
    *,
    rounding: Rounding = Rounding(),
    min_sheets: int = Z_MIN_SHEETS,
) -> ZMean:
    """Normalised totals: ``sheet_totals`` is application → evaluator → the raw total of that
    evaluator's counted sheet (an exact Decimal, e.g. ``aggregate`` of the one sheet).

    Each evaluator's totals are standardised over the applications they scored in the cycle,
    z = (x − mean_e) / sd_e, rescaled to the cycle's mean M and standard deviation S of every
    raw sheet total, x' = M + S·z, and averaged per application. Standard deviations are sample
    ones (n − 1). Raises ``SheetError`` naming every evaluator with fewer than ``min_sheets``
    sheets (at least 2) or whose totals are all equal (no spread to standardise by)."""
    if not isinstance(min_sheets, int) or min_sheets < 2:
        raise ScoringError(f"z 점수 최소 평가표 수 {min_sheets!r}은(는) 2 이상의 정수여야 합니다")
    by_evaluator: dict[str, list[Decimal]] = {}
    for per_app in sheet_totals.values():
        for name, total in per_app.items():
            by_evaluator.setdefault(name, []).append(_decimal(total, f"{name}: 총점"))
    errors = z_mean_problems({k: len(v) for k, v in by_evaluator.items()}, min_sheets)
    stats = {}
    for name, values in sorted(by_evaluator.items()):
        if len(values) >= min_sheets:
            mean, sd = _mean_sd(values)
            if sd == 0:
                errors.append(
                    f"평가위원 {name}의 총점 {len(values)}건이 모두 {fmt(values[0])}점으로 같아 "
                    "표준화할 수 없습니다"
                )
            stats[name] = (len(values), mean, sd)
    if not by_evaluator:
        errors.append("집계할 채점표가 없습니다 (확정되고 이해충돌이 없는 채점표만 집계합니다)")
    if errors:
        raise SheetError(errors)
    c = Z_CONTEXT
    cycle_mean, cycle_sd = _mean_sd([v for values in by_evaluator.values() for v in values])
    totals, raw = {}, {}
    for app, per_app in sheet_totals.items():
        if not per_app:
            continue
        scaled = [
            c.add(cycle_mean, c.multiply(cycle_sd, c.divide(c.subtract(x, m), sd)))
            for name, x in per_app.items()
            for _n, m, sd in [stats[name]]
        ]
        totals[app] = rounding.round(c.divide(sum(scaled, _ZERO), len(scaled)))
        raw[app] = rounding.round(Fraction(sum(per_app.values(), _ZERO)) / len(per_app))
    return ZMean(
        MappingProxyType(totals),
        MappingProxyType(raw),
        cycle_mean,
        cycle_sd,
        MappingProxyType(stats),
    )
