"""z_mean: normalised totals for competitive programmes (ADR 005, section z_mean)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation, Overflow
from fractions import Fraction
from types import MappingProxyType
from typing import Any, TypeVar

from .errors import ScoringError, SheetError
from .exact import _ZERO, Rounding, _decimal, fmt

K = TypeVar("K")
_DEFAULT_ROUNDING = Rounding()  # frozen: one shared default is safe

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
    rounding: Rounding = _DEFAULT_ROUNDING,
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
        raise ScoringError(f"z 점수 최소 평가표 수({min_sheets!r})는 2 이상의 정수여야 합니다")
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
