"""Exact arithmetic: the trapping Decimal context, rounding by integer arithmetic, ``Score``.

No floats: ``_round`` and ``_round_sqrt`` round a fraction (or the square root of one) in the
rubric's mode from integers alone."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import (
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .errors import RubricError

# Every Decimal operation in this module runs in this context: an inexact result raises
# instead of rounding silently.
_EXACT = Context(prec=60, traps=[Inexact, Overflow, InvalidOperation, DivisionByZero])
_ZERO = Decimal(0)


class RoundingMode(StrEnum):
    HALF_UP = "half_up"  # ties away from zero, like decimal.ROUND_HALF_UP
    HALF_EVEN = "half_even"
    DOWN = "down"  # toward zero
    UP = "up"  # away from zero


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
            raise RubricError(f"반올림 자릿수({self.places!r})는 0~10 사이의 정수여야 합니다")
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


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise RubricError(f"{what} 값({value!r})은 Decimal이어야 합니다")


def _places(value: Decimal) -> int:
    return max(0, -_EXACT.normalize(value).as_tuple().exponent)
