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

from indicators.messages import _

PERCENT_UNITS = frozenset({"%", "퍼센트", "percent"})
MAX_DIGITS = 11  # before the point: ItemScore.value is DECIMAL(16, 4) and SQLite keeps 15

_NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?")
_EXPONENT = re.compile(r"[+-]?[\d.,]*\d[eE][+-]?\d+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d{1,2}|[+-]?\d+,\d{4,}|[+-]?\d{1,3}(?:,\d{3})*,\d{1,2}")


class NumberError(ValueError):
    """A refused entry; ``str()`` is the message, in the active language (Korean msgids)."""


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True)
class Accepts:
    """What a number of one quantity may be."""

    what: str  # "측정값", "점수", "건수": pass it translated (the caller knows the language)
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
            parts.append(_("0 이상의 정수") if not self.negative_allowed else _("정수"))
            example = "3"
        else:
            parts.append(_("숫자 (소수점은 마침표 '.')"))
            example = "12.5"
            if self.maximum is not None and self.maximum < Decimal("12.5"):
                example = _fmt((self.maximum / 2).quantize(Decimal("0.01")))
        parts.append(_("천 단위 쉼표는 1,200처럼만"))
        if not self.negative_allowed:
            parts.append(_("부호 없이"))
        if not self.integer:
            parts.append(_("소수 %(places)s자리까지") % {"places": self.places})
        unit = f" {self.unit}" if self.unit else ""
        low = _fmt(self.minimum) if self.minimum is not None else ""
        high = _fmt(self.maximum) if self.maximum is not None else ""
        if self.minimum is not None and self.maximum is not None:
            parts.append(
                _("%(minimum)s~%(maximum)s%(unit)s")
                % {"minimum": low, "maximum": high, "unit": unit}
            )
        elif self.minimum is not None:
            parts.append(_("%(minimum)s%(unit)s 이상") % {"minimum": low, "unit": unit})
        elif self.maximum is not None:
            parts.append(_("%(maximum)s%(unit)s 이하") % {"maximum": high, "unit": unit})
        return _("%(parts)s (예: %(example)s)") % {"parts": ", ".join(parts), "example": example}


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

    def refuse(why: str):
        raise NumberError(
            _("%(code)s: %(what)s '%(entry)s': %(why)s. 쓸 수 있는 형식: %(form)s.")
            % {
                "code": code,
                "what": accepts.what,
                "entry": shown,
                "why": why,
                "form": accepts.form(),
            }
        )

    if not shown:
        refuse(_("값이 없습니다"))
    if len(shown) > 64:
        refuse(_("너무 깁니다"))
    match = _NUMBER.fullmatch(shown)
    if match is None:
        if _EXPONENT.fullmatch(shown):
            refuse(_("지수 표기(예: 1e3)는 쓸 수 없습니다"))
        if _DECIMAL_COMMA.fullmatch(shown):
            refuse(_("쉼표(,)는 천 단위 구분에만 씁니다. 소수점은 마침표(.)로 쓰십시오"))
        if "," in shown:
            refuse(_("쉼표(,)가 천 단위 자리(1,200)에 있지 않습니다"))
        if accepts.unit and shown.endswith(accepts.unit.strip()):
            refuse(_("단위(%(unit)s)는 빼고 숫자만 쓰십시오") % {"unit": accepts.unit})
        refuse(_("숫자가 아닙니다"))
    sign, whole, frac = match["sign"], match["int"].replace(",", ""), match["frac"] or ""
    if sign and not accepts.negative_allowed:
        refuse(_("부호(+, -)는 쓸 수 없습니다") if sign == "+" else _("음수일 수 없습니다"))
    if len(whole.lstrip("0")) > MAX_DIGITS:
        refuse(_("너무 큽니다"))
    if accepts.integer and frac.strip("0"):
        refuse(_("정수여야 합니다"))
    if not accepts.integer and len(frac.rstrip("0")) > accepts.places:
        refuse(_("소수점 이하 %(places)s자리까지만 쓸 수 있습니다") % {"places": accepts.places})
    value = Decimal(f"{sign}{whole}" + (f".{frac}" if frac else ""))
    if accepts.integer:
        value = value.to_integral_value()
    elif len(frac) > accepts.places:
        value = value.quantize(Decimal(1).scaleb(-accepts.places))  # only trailing zeros
    if value == 0:
        value = abs(value)  # "-0" is 0
    if accepts.minimum is not None and value < accepts.minimum:
        refuse(_("%(minimum)s보다 작아 믿기 어려운 값입니다") % {"minimum": _fmt(accepts.minimum)})
    if accepts.maximum is not None and value > accepts.maximum:
        refuse(_("%(maximum)s보다 커 믿기 어려운 값입니다") % {"maximum": _fmt(accepts.maximum)})
    return value
