"""The one strict parser for numbers people type: sheet entries, ``import_scores`` cells and
the API to come. Pure Python (no Django).

Accepted form: digits, ``.`` as the only decimal separator, ``,`` only as a thousands
separator in valid positions (``1,200`` or ``1,200.5``; never ``13,5``), no exponents
(``1e3``), no sign unless the quantity may be negative, at most ``places`` decimals, and
within the plausible range of the quantity (``Accepts.minimum``/``maximum``). Every refusal
is a ``NumberError`` whose message names the item, what was typed, why, and the accepted form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

PERCENT_UNITS = frozenset({"%", "퍼센트", "percent"})
MAX_DIGITS = 11  # before the point: ItemScore.value is DECIMAL(16, 4) and SQLite keeps 15

_NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?")
_EXPONENT = re.compile(r"[+-]?[\d.,]*\d[eE][+-]?\d+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d{1,2}|[+-]?\d+,\d{4,}|[+-]?\d{1,3}(?:,\d{3})*,\d{1,2}")


class NumberError(ValueError):
    """A refused entry; ``str()`` is the Korean message."""


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True)
class Accepts:
    """What a number of one quantity may be."""

    what: str  # "측정값", "점수", "건수"
    unit: str = ""
    minimum: Decimal | None = None  # None: unbounded; a negative minimum allows the sign
    maximum: Decimal | None = None
    integer: bool = False
    places: int = 4

    @property
    def negative_allowed(self) -> bool:
        return self.minimum is None or self.minimum < 0

    def form(self) -> str:
        """The accepted form, in words, for messages and help texts."""
        parts = []
        if self.integer:
            parts.append("0 이상의 정수" if not self.negative_allowed else "정수")
            example = "3"
        else:
            parts.append("숫자 (소수점은 마침표 '.')")
            example = "12.5"
            if self.maximum is not None and self.maximum < Decimal("12.5"):
                example = _fmt((self.maximum / 2).quantize(Decimal("0.01")))
        parts.append("천 단위 쉼표는 1,200처럼만")
        if not self.negative_allowed:
            parts.append("부호 없이")
        if not self.integer:
            parts.append(f"소수 {self.places}자리까지")
        unit = f" {self.unit}" if self.unit else ""
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"{_fmt(self.minimum)}~{_fmt(self.maximum)}{unit}")
        elif self.minimum is not None:
            parts.append(f"{_fmt(self.minimum)}{unit} 이상")
        elif self.maximum is not None:
            parts.append(f"{_fmt(self.maximum)}{unit} 이하")
        return ", ".join(parts) + f" (예: {example})"


def band_range(
    unit: str,
    band_mins: Iterable[Decimal],
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> tuple[Decimal | None, Decimal | None]:
    """The plausible range of a band item's measured value: the rubric's own ``min``/``max``
    when set; else 0–100 for a percentage, widened to the bands' own lower bounds; else
    non-negative unless a band starts below 0."""
    mins = list(band_mins)
    lowest = min(mins, default=Decimal(0))
    highest = max(mins, default=Decimal(0))
    if minimum is None:
        minimum = min(Decimal(0), lowest)
    if maximum is None and unit.strip().lower() in PERCENT_UNITS:
        maximum = max(Decimal(100), highest)
    return minimum, maximum


def parse(text: str, *, code: str, accepts: Accepts) -> Decimal:
    """``text`` as a Decimal under ``accepts``, or ``NumberError``."""
    raw = "" if text is None else str(text)
    shown = raw.strip()
    where = f"{code}: {accepts.what} '{shown}'"

    def refuse(why: str):
        raise NumberError(f"{where}: {why}. 쓸 수 있는 형식: {accepts.form()}.")

    if not shown:
        refuse("값이 없습니다")
    if len(shown) > 64:
        refuse("너무 깁니다")
    match = _NUMBER.fullmatch(shown)
    if match is None:
        if _EXPONENT.fullmatch(shown):
            refuse("지수 표기(예: 1e3)는 쓸 수 없습니다")
        if _DECIMAL_COMMA.fullmatch(shown):
            refuse("쉼표(,)는 천 단위 구분에만 씁니다. 소수점은 마침표(.)로 쓰십시오")
        if "," in shown:
            refuse("쉼표(,)가 천 단위 자리(1,200)에 있지 않습니다")
        if accepts.unit and shown.endswith(accepts.unit.strip()):
            refuse(f"단위({accepts.unit})는 빼고 숫자만 쓰십시오")
        refuse("숫자가 아닙니다")
    sign, whole, frac = match["sign"], match["int"].replace(",", ""), match["frac"] or ""
    if sign and not accepts.negative_allowed:
        refuse("부호(+, -)는 쓸 수 없습니다" if sign == "+" else "음수일 수 없습니다")
    if len(whole.lstrip("0")) > MAX_DIGITS:
        refuse("너무 큽니다")
    if accepts.integer and frac.strip("0"):
        refuse("정수여야 합니다")
    if not accepts.integer and len(frac.rstrip("0")) > accepts.places:
        refuse(f"소수점 이하 {accepts.places}자리까지만 쓸 수 있습니다")
    value = Decimal(f"{sign}{whole}" + (f".{frac}" if frac else ""))
    if accepts.integer:
        value = value.to_integral_value()
    elif len(frac) > accepts.places:
        value = value.quantize(Decimal(1).scaleb(-accepts.places))  # only trailing zeros
    if value == 0:
        value = abs(value)  # "-0" is 0
    if accepts.minimum is not None and value < accepts.minimum:
        refuse(f"{_fmt(accepts.minimum)}보다 작아 믿기 어려운 값입니다")
    if accepts.maximum is not None and value > accepts.maximum:
        refuse(f"{_fmt(accepts.maximum)}보다 커 믿기 어려운 값입니다")
    return value
