"""Entries → item points: what an evaluator's entry gives under each scoring method."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import EntryError, gettext_noop
from .exact import _EXACT, _ZERO, fmt
from .rubric import Item, Method


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
            raise EntryError(
                code, gettext_noop("'%(entry)s' 등급은 척도에 없습니다"), {"entry": entry}
            )
        return _EXACT.multiply(item.points, ratio)
    if item.method is Method.PENALTY:
        count = _number(entry)
        if count is None or count < 0 or count != count.to_integral_value():
            raise EntryError(
                code,
                gettext_noop("건수는 0 이상의 정수여야 합니다 (입력값: %(entry)s)"),
                {"entry": entry},
            )
        if not count:
            return _ZERO  # not −3 × 0 = Decimal("-0")
        return max(item.points, _EXACT.multiply(item.per_case, count))
    value = _number(entry)
    if item.method is Method.BANDS:
        if value is None:
            raise EntryError(
                code, gettext_noop("측정값('%(entry)s')은 숫자가 아닙니다"), {"entry": entry}
            )
        return next((b.points for b in reversed(item.bands) if b.min <= value), _ZERO)
    if value is None:
        raise EntryError(
            code, gettext_noop("점수('%(entry)s')는 숫자가 아닙니다"), {"entry": entry}
        )
    if not 0 <= value <= item.points:
        raise EntryError(
            code,
            gettext_noop("점수(%(value)s)는 0~%(points)s 범위를 벗어납니다"),
            {"value": fmt(value), "points": fmt(item.points)},
        )
    if _EXACT.remainder(value, item.step):
        raise EntryError(
            code,
            gettext_noop("점수(%(value)s)는 %(step)s 단위가 아닙니다"),
            {"value": fmt(value), "step": fmt(item.step)},
        )
    return value
