"""The validation walker's typed readers: each reads one value of a rubric document, records a
``Problem`` naming where it is when the value is wrong, and returns the value or None. Pure
Python, like ``validation``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .messages import _
from .rubric_format import MAX_TEXT, POINTS_LIMIT, ROOT, Problem, fmt

_MISSING = object()
_INVALID = object()


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _show(value: object) -> str:
    if value is None:
        return _("없음(null)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return _("키-값 매핑")
    if isinstance(value, list):
        return _("목록")
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return f"'{text}'"
    if isinstance(value, Decimal):
        return fmt(value) if value.is_finite() else str(value)
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def must_be_mapping(value: object) -> str:
    return _("키-값 매핑이어야 합니다 (받은 값: %(value)s)") % {"value": _show(value)}


@dataclass
class Node:
    code: str | None
    path: str
    points: Decimal | None

    @property
    def where(self) -> str:
        return self.code or self.path


class Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str, *, code: str | None = None, draft_ok: bool = False):
        self.problems.append(Problem(where or _(ROOT), message, code, draft_ok))

    # -- typed readers ---------------------------------------------------------------------

    def mapping(self, value, path, keys, *, code=None) -> dict | None:
        required, optional = keys
        if not isinstance(value, dict):
            self.add(path, must_be_mapping(value), code=code)
            return None
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                names = ", ".join((*required, *optional))
                self.add(
                    _join(path, key),
                    _("알 수 없는 키입니다 (쓸 수 있는 키: %(names)s)") % {"names": names},
                    code=code,
                )
        for key in required:
            if key not in value:
                self.add(_join(path, key), _("필수 키가 없습니다"), code=code)
        return value

    def list(self, value, path, *, code=None) -> list | None:
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.add(
                path,
                _("목록이어야 합니다 (받은 값: %(value)s)") % {"value": _show(value)},
                code=code,
            )
            return None
        return value

    def string(
        self, value, path, *, max_length, code=None, pattern=None, hint="", allow_empty=False
    ) -> str | None:
        """``hint`` (already translated) follows a refusal of the value's type or characters."""
        if value is _MISSING:
            return None
        hint = f" — {hint}" if hint else ""
        if not isinstance(value, str):
            message = _("문자열이어야 합니다 (받은 값: %(value)s)") % {"value": _show(value)}
            self.add(path, message + hint, code=code)
            return None
        if not value.strip() and not allow_empty:
            self.add(path, _("비어 있으면 안 됩니다"), code=code)
            return None
        if len(value) > max_length:
            message = _("%(max)s자 이하여야 합니다 (현재 %(n)s자)") % {
                "max": max_length,
                "n": len(value),
            }
            self.add(path, message, code=code)
            return None
        if pattern is not None and not pattern.match(value):
            message = _("쓸 수 없는 문자가 있습니다 (%(value)s)") % {"value": _show(value)}
            self.add(path, message + hint, code=code)
            return None
        return value

    def strings(self, value, path, *, max_length=MAX_TEXT, code=None) -> list[str] | None:
        items = self.list(value, path, code=code)
        if items is None:
            return None
        ok = True
        for i, text in enumerate(items):
            ok &= self.string(text, f"{path}[{i}]", max_length=max_length, code=code) is not None
        return items if ok else None

    def number(
        self, value, path, *, places, code=None, minimum=None, maximum=None, sign=None
    ) -> Decimal | None:
        """A Decimal (YAML/JSON numbers are parsed as Decimal; floats are refused).

        ``sign`` is ``"positive"`` or ``"negative"`` for a strict bound at zero.
        """
        if value is _MISSING:
            return None
        if isinstance(value, float):
            self.add(
                path, _("부동소수점(float) 값은 받지 않습니다. Decimal로 읽으십시오"), code=code
            )
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.add(
                path, _("숫자여야 합니다 (받은 값: %(value)s)") % {"value": _show(value)}, code=code
            )
            return None
        number = Decimal(value)
        if not number.is_finite():
            message = _("유한한 숫자여야 합니다 (받은 값: %(value)s)") % {"value": number}
            self.add(path, message, code=code)
            return None
        if number != 0 and number.normalize().as_tuple().exponent < -places:
            self.add(
                path,
                _("소수점 아래 %(places)s자리까지만 쓸 수 있습니다 (받은 값: %(value)s)")
                % {"places": places, "value": fmt(number)},
                code=code,
            )
            return None
        got = {"value": fmt(number)}
        if abs(number) >= POINTS_LIMIT:
            self.add(path, _("너무 큰 수입니다 (받은 값: %(value)s)") % got, code=code)
            return None
        if sign == "positive" and number <= 0:
            self.add(path, _("0보다 커야 합니다 (받은 값: %(value)s)") % got, code=code)
            return None
        if sign == "negative" and number >= 0:
            self.add(path, _("0보다 작아야 합니다 (받은 값: %(value)s)") % got, code=code)
            return None
        too_low = minimum is not None and number < minimum
        too_high = maximum is not None and number > maximum
        if too_low or too_high:
            bounds = {**got, "min": fmt(minimum or 0), "max": fmt(maximum or 0)}
            if minimum is not None and maximum is not None:
                message = _("%(min)s 이상 %(max)s 이하여야 합니다 (받은 값: %(value)s)")
            elif minimum is not None:
                message = _("%(min)s 이상이어야 합니다 (받은 값: %(value)s)")
            else:
                message = _("%(max)s 이하여야 합니다 (받은 값: %(value)s)")
            self.add(path, message % bounds, code=code)
            return None
        return number
