"""The rubric's shape: areas → indicators → items, each item with its scoring method."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from .errors import RubricError
from .exact import _EXACT, _ZERO, Rounding, _decimal, _places, fmt

if TYPE_CHECKING:
    from .plan import Plan


class Method(StrEnum):
    GRADE = "grade"
    POINTS = "points"
    BANDS = "bands"
    PENALTY = "penalty"


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
            return f"단위({fmt(self.step)})는 0보다 커야 합니다"
        elif self.method is Method.BANDS:
            if len({b.min for b in self.bands}) != len(self.bands) or not self.bands:
                return "구간 하한(min)은 하나 이상이며 서로 달라야 합니다"
            if any(not 0 <= b.points <= self.points for b in self.bands):
                return f"구간 점수가 0~{fmt(self.points)} 범위를 벗어납니다"
        elif self.method is Method.PENALTY and self.per_case >= 0:
            return f"건당 감점({fmt(self.per_case)})은 음수여야 합니다"
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
                raise RubricError(f"{self.code}: 대체 인정 비율({fmt(ratio)})이 0~1 밖입니다")
            object.__setattr__(self, "award_ratio", ratio)


@dataclass(frozen=True, slots=True)
class Rubric:
    areas: tuple[Area, ...]
    rounding: Rounding = Rounding()
    _items: Mapping[str, tuple[Item, Area]] = field(init=False, repr=False, compare=False)
    _plans: dict[frozenset[str], Plan] = field(init=False, repr=False, compare=False)

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
