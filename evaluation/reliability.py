"""How far the scores can be trusted: Krippendorff's α between evaluators and each evaluator's
severity. Pure Python and numpy, no Django (a test checks it); docs/decisions/015-reliability.md.

Input: ``Rating``s, one per (counted sheet, item): the application, the item, its area, the
evaluator, the points and the item's points, all exact (``Decimal``). The caller passes every
counted sheet (confirmed, not excluded, application not withdrawn), before any trimming, and no
penalty item.

**α** (Krippendorff 2004, *Content Analysis*, 2nd ed., ch. 11; "Computing Krippendorff's
Alpha-Reliability", 2011): units are (application, item), coders are evaluators, values are the
points as a percentage of the item's points, metric interval (δ² = (c − k)²). Only units with
two or more values are pairable; ``n`` is the number of pairable values.

    α = 1 − D_o / D_e,   D_o = (1/n) Σ_u Σ_{i≠j in u} δ²(v_i, v_j) / (m_u − 1),
                         D_e = 1/(n(n − 1)) Σ_{i≠j over all pairable values} δ²(v_i, v_j)

For the interval metric both double sums have a closed form in sums and sums of squares
(Σ_{i≠j}(v_i − v_j)² = 2(m Σv² − (Σv)²)), so α costs O(n). The ``krippendorff`` package
computes the same α through a units × values × values coincidence tensor (1.9 s and 750 MB for
19,000 units with 40 distinct values); the tests check this module against it and against the
published worked example.

**Interval**: the bootstrap of Hayes & Krippendorff (2007) as set out in Krippendorff's
"Algorithm for bootstrapping a distribution of α" (2006, revised 2011): D_e stays that of the
data; each resample draws M = Σ_u m_u(m_u − 1)/2 pairs of values with replacement from the
observed coincidences (each unordered pair in unit u weighted 2/(m_u − 1), so the weights sum
to n), and α* = 1 − mean(δ²)/D_e. Pairs are grouped by their δ², so a resample is a single
multinomial draw over the distinct δ² values: ``RESAMPLES`` (1,000) resamples cost
milliseconds. The 95 % interval is the 2.5th and 97.5th percentiles of α*; the generator is
numpy's PCG64 seeded with ``SEED`` (the same data give the same interval).

**Severity** of an evaluator: over the units they rated with at least one other evaluator, the
mean of (own points − mean of the others' points on that unit), in points and in percent of
the item's points; its standard error (sample standard deviation / √units); the units; how
often they were the highest and the lowest on a unit whose values were not all equal (ties at
the top or bottom count for every tied evaluator). Flagged when |severity %| exceeds ``bound``
percentage points with at least ``min_units`` units behind it.

Numbers: computed in float64 inside numpy; every figure leaves this module as a ``Decimal``
rounded half-even to 4 places (``PLACES``), or None with a Korean reason when it cannot be
computed ("계산할 수 없음").
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import combinations

import numpy as np

PLACES = 4
QUANTUM = Decimal(1).scaleb(-PLACES)
RESAMPLES = 1000
SEED = 20070101  # Hayes & Krippendorff 2007
MIN_UNITS = 5  # fewer pairable units than this: "계산할 수 없음"
SEVERITY_BOUND = Decimal(10)  # percentage points of the item's points
SEVERITY_MIN_UNITS = 20
# Krippendorff (2004, p. 241): rely on variables with α ≥ .800; consider variables with
# .667 ≤ α < .800 only for drawing tentative conclusions; below .667, do not rely on them.
RELIABLE = Decimal("0.800")
TENTATIVE = Decimal("0.667")


def rounded(value: float | None) -> Decimal | None:
    """A float figure as the ``Decimal`` this module returns: half-even to 4 places."""
    if value is None or not np.isfinite(value):
        return None
    return Decimal(repr(float(value))).quantize(QUANTUM, ROUND_HALF_EVEN)


def reading(value: Decimal | None) -> str:
    """The plain Korean reading of α (Krippendorff 2004)."""
    if value is None:
        return "계산할 수 없음"
    if value >= RELIABLE:
        return "신뢰 가능"
    if value >= TENTATIVE:
        return "잠정적 결론만"
    return "신뢰 곤란"


# --- input and output ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rating:
    """One evaluator's points on one item of one application."""

    application: Hashable
    item: str
    area: str
    evaluator: str
    points: Decimal
    item_points: Decimal  # > 0: penalty items are left out by the caller


@dataclass(frozen=True, slots=True)
class Alpha:
    """α with its 95 % interval, or None and ``reason``."""

    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    units: int  # pairable units (rated by two or more evaluators)
    pairable: int  # values in those units (n)
    reason: str = ""

    @property
    def reading(self) -> str:
        return reading(self.value)


@dataclass(frozen=True, slots=True)
class Severity:
    evaluator: str
    points: Decimal | None  # mean of (own − mean of the others), in points
    percent: Decimal | None  # the same in percent of the item's points
    se_points: Decimal | None
    se_percent: Decimal | None
    units: int
    highest: int
    lowest: int
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class Reliability:
    overall: Alpha
    areas: dict[str, Alpha] = field(hash=False)
    items: dict[str, Alpha] = field(hash=False)
    evaluators: tuple[Severity, ...]
    resamples: int
    seed: int
    bound: Decimal
    min_units: int

    def lowest_items(self, n: int = 5) -> list[tuple[str, Alpha]]:
        """The ``n`` items with the lowest α (items without α are left out)."""
        known = [(code, a) for code, a in self.items.items() if a.value is not None]
        return sorted(known, key=lambda pair: (pair[1].value, pair[0]))[:n]


# --- arrays ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Data:
    """Ratings as arrays sorted by unit: ``unit`` index, ``value`` (percent), ``points``,
    ``coder`` index; plus each unit's item and area."""

    unit: np.ndarray
    value: np.ndarray
    points: np.ndarray
    coder: np.ndarray
    coders: tuple[str, ...]
    unit_item: np.ndarray
    unit_area: np.ndarray
    items: tuple[str, ...]
    areas: tuple[str, ...]


def _arrays(ratings: Iterable[Rating]) -> _Data:
    units: dict[tuple, int] = {}
    coders: dict[str, int] = {}
    items: dict[str, int] = {}
    areas: dict[str, int] = {}
    unit_item: list[int] = []
    unit_area: list[int] = []
    rows_unit, rows_value, rows_points, rows_coder = [], [], [], []
    percent_of: dict[tuple[Decimal, Decimal], float] = {}
    seen: set[tuple] = set()
    for r in ratings:
        key = (r.application, r.item)
        if (key, r.evaluator) in seen:
            raise ValueError(f"{r.item}: 평가위원 {r.evaluator}의 점수가 두 번 들어왔습니다")
        seen.add((key, r.evaluator))
        if r.item_points <= 0:
            raise ValueError(f"{r.item}: 배점({r.item_points})은 0보다 커야 합니다")
        u = units.get(key)
        if u is None:
            u = units[key] = len(units)
            unit_item.append(items.setdefault(r.item, len(items)))
            unit_area.append(areas.setdefault(r.area, len(areas)))
        pair = (r.points, r.item_points)
        pct = percent_of.get(pair)
        if pct is None:
            pct = percent_of[pair] = float(r.points * 100 / r.item_points)
        rows_unit.append(u)
        rows_value.append(pct)
        rows_points.append(float(r.points))
        rows_coder.append(coders.setdefault(r.evaluator, len(coders)))
    unit = np.asarray(rows_unit, dtype=np.int64)
    order = np.argsort(unit, kind="stable")
    return _Data(
        unit=unit[order],
        value=np.asarray(rows_value, dtype=np.float64)[order],
        points=np.asarray(rows_points, dtype=np.float64)[order],
        coder=np.asarray(rows_coder, dtype=np.int64)[order],
        coders=tuple(coders),
        unit_item=np.asarray(unit_item, dtype=np.int64),
        unit_area=np.asarray(unit_area, dtype=np.int64),
        items=tuple(items),
        areas=tuple(areas),
    )


# --- α ---------------------------------------------------------------------------------------


def _pairable(unit: np.ndarray, value: np.ndarray):
    """Values of units with two or more values: (unit ids relabelled 0.., values, m per unit)."""
    if unit.size == 0:
        return unit, value, np.zeros(0, dtype=np.int64)
    _, inverse, counts = np.unique(unit, return_inverse=True, return_counts=True)
    keep = counts[inverse] >= 2
    _, inverse, counts = np.unique(unit[keep], return_inverse=True, return_counts=True)
    return inverse, value[keep], counts


def alpha_interval(unit, value) -> tuple[float | None, int, int, str]:
    """Krippendorff's α, interval metric, of values ``value`` grouped by ``unit`` (missing
    values are simply absent). Returns (α or None, pairable units, n, reason)."""
    unit, value = np.asarray(unit), np.asarray(value, dtype=np.float64)
    inverse, value, m = _pairable(unit, value)
    n_units, n = int(m.size), int(value.size)
    if n_units == 0:
        return None, 0, 0, "두 명 이상이 평가한 단위가 없습니다"
    s1 = np.bincount(inverse, weights=value, minlength=n_units)
    s2 = np.bincount(inverse, weights=value * value, minlength=n_units)
    observed = float(np.sum(2 * (m * s2 - s1 * s1) / (m - 1)))
    centred = value - value.mean()
    expected = float(2 * n * np.dot(centred, centred))  # = 2(nΣv² − (Σv)²), stably
    if expected <= 0:
        return None, n_units, n, "모든 값이 같아 기대 불일치가 0입니다"
    observed = max(observed, 0.0)
    return 1 - (n - 1) * observed / expected, n_units, n, ""


def _pair_deltas(unit: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Distinct δ² of the within-unit pairs of pairable values, each with its probability
    (weights 2/(m_u − 1) per unordered pair, over n), and M = the number of pairs."""
    inverse, value, m = _pairable(unit, value)
    deltas, weights = [], []
    order = np.argsort(inverse, kind="stable")
    value = value[order]
    starts = np.concatenate(([0], np.cumsum(m)[:-1]))
    for size in np.unique(m):
        rows = value[starts[m == size][:, None] + np.arange(size)]  # units of this size
        for i, j in combinations(range(int(size)), 2):
            d = rows[:, i] - rows[:, j]
            deltas.append(d * d)
            weights.append(np.full(d.size, 2.0 / (size - 1)))
    delta = np.concatenate(deltas)
    distinct, which = np.unique(delta, return_inverse=True)
    p = np.bincount(which, weights=np.concatenate(weights), minlength=distinct.size)
    pairs = int(np.sum(m * (m - 1) // 2))
    return distinct, p / p.sum(), pairs


def bootstrap_interval(
    unit, value, *, resamples: int = RESAMPLES, seed: int = SEED
) -> tuple[float, float] | None:
    """The 95 % interval of α by the Hayes & Krippendorff bootstrap (see the module doc)."""
    unit, value = np.asarray(unit), np.asarray(value, dtype=np.float64)
    inverse, kept, m = _pairable(unit, value)
    n = kept.size
    if n < 2 or resamples <= 0:
        return None
    centred = kept - kept.mean()
    expected = 2 * n * float(np.dot(centred, centred)) / (n * (n - 1))  # D_e
    if expected <= 0:
        return None
    delta, p, pairs = _pair_deltas(unit, value)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(pairs, p, size=resamples)
    alphas = 1 - (counts @ delta) / pairs / expected
    low, high = np.percentile(alphas, [2.5, 97.5])
    return float(low), float(high)


def _alpha(unit, value, *, resamples, seed, min_units) -> Alpha:
    a, n_units, n, reason = alpha_interval(unit, value)
    if a is not None and n_units < min_units:
        a, reason = None, f"두 명 이상이 평가한 단위가 {n_units}개뿐입니다 (최소 {min_units}개)"
    if a is None:
        return Alpha(None, None, None, n_units, n, reason)
    interval = bootstrap_interval(unit, value, resamples=resamples, seed=seed)
    low, high = interval if interval else (None, None)
    return Alpha(rounded(a), rounded(low), rounded(high), n_units, n)


# --- severity --------------------------------------------------------------------------------


def _severity(data: _Data, *, bound: Decimal, min_units: int) -> tuple[Severity, ...]:
    counts = np.bincount(data.unit, minlength=int(data.unit_item.size))
    keep = counts[data.unit] >= 2
    unit, coder = data.unit[keep], data.coder[keep]
    k = len(data.coders)
    out = []
    columns = {}
    for name, values in (("points", data.points[keep]), ("percent", data.value[keep])):
        size = counts[unit].astype(np.float64)
        total = np.bincount(unit, weights=values, minlength=counts.size)[unit]
        diff = values - (total - values) / (size - 1)
        n = np.bincount(coder, minlength=k)
        s1 = np.bincount(coder, weights=diff, minlength=k)
        s2 = np.bincount(coder, weights=diff * diff, minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s1 / n
            var = (s2 - n * mean * mean) / (n - 1)
            se = np.sqrt(np.maximum(var, 0) / n)
        columns[name] = (mean, se, n)
    values = data.value[keep]
    if values.size:
        starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
        top = np.maximum.reduceat(values, starts)
        bottom = np.minimum.reduceat(values, starts)
        slot = np.cumsum(np.r_[True, unit[1:] != unit[:-1]]) - 1
        varied = top[slot] > bottom[slot]
        highest = np.bincount(coder[varied & (values == top[slot])], minlength=k)
        lowest = np.bincount(coder[varied & (values == bottom[slot])], minlength=k)
    else:
        highest = lowest = np.zeros(k, dtype=np.int64)
    mean_p, se_p, n = columns["points"]
    mean_c, se_c, _ = columns["percent"]
    for c, name in enumerate(data.coders):
        units = int(n[c])
        rated = units > 0
        percent = rounded(mean_c[c]) if rated else None
        flagged = percent is not None and units >= min_units and abs(percent) > bound
        out.append(
            Severity(
                evaluator=name,
                points=rounded(mean_p[c]) if rated else None,
                percent=percent,
                se_points=rounded(se_p[c]) if units > 1 else None,
                se_percent=rounded(se_c[c]) if units > 1 else None,
                units=units,
                highest=int(highest[c]),
                lowest=int(lowest[c]),
                flagged=bool(flagged),
            )
        )
    return tuple(sorted(out, key=lambda s: s.evaluator))


# --- everything ------------------------------------------------------------------------------


def analyse(
    ratings: Iterable[Rating],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    min_units: int = MIN_UNITS,
    bound: Decimal = SEVERITY_BOUND,
    severity_min_units: int = SEVERITY_MIN_UNITS,
    item_order: Iterable[str] = (),
    area_order: Iterable[str] = (),
) -> Reliability:
    """α overall, per area and per item (with 95 % intervals) and every evaluator's severity.

    ``item_order``/``area_order`` give the order of the result's dicts (the rubric's); codes
    without ratings are reported as "계산할 수 없음"."""
    data = _arrays(ratings)
    opts = {"resamples": resamples, "seed": seed, "min_units": min_units}
    single = len(data.coders) < 2
    single_reason = (
        "평가위원이 한 명뿐이라 비교할 수 없습니다" if data.coders else "확정된 평가표가 없습니다"
    )

    def part(mask) -> Alpha:
        if single:
            return Alpha(None, None, None, 0, 0, single_reason)
        if mask is None:
            return _alpha(data.unit, data.value, **opts)
        return _alpha(data.unit[mask], data.value[mask], **opts)

    overall = part(None)
    item_of_row = data.unit_item[data.unit] if data.unit.size else data.unit
    area_of_row = data.unit_area[data.unit] if data.unit.size else data.unit
    none = Alpha(None, None, None, 0, 0, "평가된 값이 없습니다")
    items = {code: none for code in item_order}
    for i, code in enumerate(data.items):
        items[code] = part(item_of_row == i)
    areas = {code: none for code in area_order}
    for i, code in enumerate(data.areas):
        areas[code] = part(area_of_row == i)
    if single:
        items = dict.fromkeys(items, overall)
        areas = dict.fromkeys(areas, overall)
    return Reliability(
        overall=overall,
        areas=areas,
        items=items,
        evaluators=_severity(data, bound=bound, min_units=severity_min_units),
        resamples=resamples,
        seed=seed,
        bound=bound,
        min_units=severity_min_units,
    )


# --- plain shapes (the ``reliability`` command, the 집계표 XLSX) ---------------------------------


def _number(value: Decimal | None) -> float | None:
    """A 4-place Decimal as a JSON number (None stays None)."""
    return None if value is None else float(value)


def _alpha_document(a: Alpha) -> dict:
    return {
        "value": _number(a.value),
        "low": _number(a.low),
        "high": _number(a.high),
        "units": a.units,
    }


def document(found: Reliability) -> dict:
    """The JSON document of ``manage.py reliability``: numbers rounded to 4 places, null where
    a figure cannot be computed."""
    return {
        "alpha": {
            "overall": _alpha_document(found.overall),
            "areas": {code: _alpha_document(a) for code, a in found.areas.items()},
            "items": {code: _alpha_document(a) for code, a in found.items.items()},
        },
        "evaluators": [
            {
                "evaluator": s.evaluator,
                "severity_points": _number(s.points),
                "severity_percent": _number(s.percent),
                "units": s.units,
                "highest": s.highest,
                "lowest": s.lowest,
            }
            for s in found.evaluators
        ],
    }


TABLE_COLUMNS = (
    "kind",
    "code",
    "alpha",
    "low",
    "high",
    "units",
    "pairable",
    "reading",
    "severity_points",
    "severity_percent",
    "se_percent",
    "highest",
    "lowest",
    "flagged",
    "reason",
)


def table(found: Reliability) -> list[list]:
    """One row per α (overall, areas, items) and per evaluator, under ``TABLE_COLUMNS``."""

    def alpha_row(kind: str, code: str, a: Alpha) -> list:
        return [kind, code, a.value, a.low, a.high, a.units, a.pairable, a.reading]

    rows = [alpha_row("overall", "", found.overall) + [None] * 6 + [found.overall.reason]]
    rows += [alpha_row("area", c, a) + [None] * 6 + [a.reason] for c, a in found.areas.items()]
    rows += [alpha_row("item", c, a) + [None] * 6 + [a.reason] for c, a in found.items.items()]
    for s in found.evaluators:
        rows.append(
            ["evaluator", s.evaluator, None, None, None, s.units, None, None]
            + [s.points, s.percent, s.se_percent, s.highest, s.lowest, s.flagged, ""]
        )
    return rows
