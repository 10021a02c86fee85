"""What one aggregation scores once some areas are substituted by a certificate: the items
in rubric order, penalties apart from the rest, each substituted area's award, and the sheet
values checked and converted to integers at one decimal scale."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .exact import _EXACT, Score, _places, fmt
from .rubric import Area, Indicator, Item, Rubric

if TYPE_CHECKING:
    from .results import Sheet


def plan_for(rubric: Rubric, substituted: frozenset[str]) -> Plan:
    """The rubric's plan for these substituted areas, made once and cached on the rubric."""
    plan = rubric._plans.get(substituted)
    if plan is None:
        plan = rubric._plans[substituted] = Plan(rubric, substituted)
    return plan


class Plan:
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
            errors.append(f"{code}: 점수({value!r})는 Decimal이 아닙니다 {who}")
        elif not value.is_finite():
            errors.append(f"{code}: 점수({value})는 유한한 수가 아닙니다 {who}")
        elif not lo <= value <= hi:
            errors.append(f"{code}: 점수({value})는 {fmt(lo)}~{fmt(hi)} 범위를 벗어납니다 {who}")
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
                f"{code}: 점수({value})는 이 항목에서 나올 수 없는 값입니다 "
                f"(소수점 이하 {self.scale}자리까지) {who}"
            )
        return None
