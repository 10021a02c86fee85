"""The validation walker's typed readers: each reads one value of a rubric document, records a
``Problem`` naming where it is when the value is wrong, and returns the value or None. Pure
Python, like ``validation``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .rubric_format import MAX_TEXT, POINTS_LIMIT, ROOT, Problem, fmt

_MISSING = object()
_INVALID = object()


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _show(value: object) -> str:
    if value is None:
        return "없음(null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "키-값 매핑"
    if isinstance(value, list):
        return "목록"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return f"'{text}'"
    if isinstance(value, Decimal):
        return fmt(value) if value.is_finite() else str(value)
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


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
        self.problems.append(Problem(where or ROOT, message, code, draft_ok))

    # -- typed readers ---------------------------------------------------------------------

    def mapping(self, value, path, keys, *, code=None) -> dict | None:
        required, optional = keys
        if not isinstance(value, dict):
            self.add(path, f"키-값 매핑이어야 합니다 (받은 값: {_show(value)})", code=code)
            return None
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                names = ", ".join((*required, *optional))
                self.add(
                    _join(path, key), f"알 수 없는 키입니다 (쓸 수 있는 키: {names})", code=code
                )
        for key in required:
            if key not in value:
                self.add(_join(path, key), "필수 키가 없습니다", code=code)
        return value

    def list(self, value, path, *, code=None) -> list | None:
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.add(path, f"목록이어야 합니다 (받은 값: {_show(value)})", code=code)
            return None
        return value

    def string(
        self, value, path, *, max_length, code=None, pattern=None, hint="", allow_empty=False
    ) -> str | None:
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(path, f"문자열이어야 합니다 (받은 값: {_show(value)}){hint}", code=code)
            return None
        if not value.strip() and not allow_empty:
            self.add(path, "비어 있으면 안 됩니다", code=code)
            return None
        if len(value) > max_length:
            self.add(path, f"{max_length}자 이하여야 합니다 (현재 {len(value)}자)", code=code)
            return None
        if pattern is not None and not pattern.match(value):
            self.add(path, f"쓸 수 없는 문자가 있습니다 ({_show(value)}){hint}", code=code)
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
            self.add(path, "부동소수점(float) 값은 받지 않습니다. Decimal로 읽으십시오", code=code)
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.add(path, f"숫자여야 합니다 (받은 값: {_show(value)})", code=code)
            return None
        number = Decimal(value)
        if not number.is_finite():
            self.add(path, f"유한한 숫자여야 합니다 (받은 값: {number})", code=code)
            return None
        if number != 0 and number.normalize().as_tuple().exponent < -places:
            self.add(
                path,
                f"소수점 아래 {places}자리까지만 쓸 수 있습니다 (받은 값: {fmt(number)})",
                code=code,
            )
            return None
        if abs(number) >= POINTS_LIMIT:
            self.add(path, f"너무 큰 수입니다 (받은 값: {fmt(number)})", code=code)
            return None
        if sign == "positive" and number <= 0:
            self.add(path, f"0보다 커야 합니다 (받은 값: {fmt(number)})", code=code)
            return None
        if sign == "negative" and number >= 0:
            self.add(path, f"0보다 작아야 합니다 (받은 값: {fmt(number)})", code=code)
            return None
        too_low = minimum is not None and number < minimum
        too_high = maximum is not None and number > maximum
        if too_low or too_high:
            if minimum is not None and maximum is not None:
                bound = f"{fmt(minimum)} 이상 {fmt(maximum)} 이하여야"
            elif minimum is not None:
                bound = f"{fmt(minimum)} 이상이어야"
            else:
                bound = f"{fmt(maximum)} 이하여야"
            self.add(path, f"{bound} 합니다 (받은 값: {fmt(number)})", code=code)
            return None
        return number
