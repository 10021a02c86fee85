"""What an evaluator types on a sheet, before anything is written: an entry parsed into the
stored fields and its points (``entry_parse``, refusing in Korean with the item's code), the
range a typed number may take, the comments' limits, and the audit trail's snapshot of a row.
``services.sheet`` writes with them; ``import_scores`` parses with the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from indicators.models import Item, ScoringMethod

from .. import numbers, scoring
from ..adapters import scoring_rubric
from ..models import ItemScore
from ..queries.sheet import entry_text

MAX_COMMENT_CHARS = 4000
# ItemScore.value is DECIMAL(16, 4), but SQLite keeps only 15 significant digits (a REAL):
# 999999999999.9999 came back as 1E+12, which no longer fits, and every read of the row failed.
# So at most 11 digits before the point and 4 after, on every database.
VALUE_PLACES = 4
VALUE_LIMIT = Decimal(10) ** 11
MAX_COUNT = 2_000_000_000  # ItemScore.count: a PositiveIntegerField


@dataclass(frozen=True)
class Parsed:
    """An entry as stored: exactly one of grade / value / count is set, or none (no entry)."""

    grade: str = ""
    value: Decimal | None = None
    count: int | None = None
    points: Decimal | None = None

    @property
    def entered(self) -> bool:
        return bool(self.grade) or self.value is not None or self.count is not None


def entry_accepts(item: Item, pure: scoring.Item) -> numbers.Accepts:
    """What a typed number on ``item`` may be (evaluation/numbers.py): a penalty's count is a
    non-negative integer; points run 0 to the item's points; a measured value lies in its
    unit's plausible range or the rubric's own ``min``/``max``."""
    if item.method == ScoringMethod.PENALTY:
        return numbers.Accepts(_("건수"), _("건"), Decimal(0), Decimal(MAX_COUNT), integer=True)
    if item.method == ScoringMethod.BANDS:
        params = item.params or {}
        unit = params.get("unit") or ""
        low, high = numbers.band_range(
            unit,
            (band.min for band in pure.bands),
            Decimal(params["min"]) if params.get("min") is not None else None,
            Decimal(params["max"]) if params.get("max") is not None else None,
        )
        return numbers.Accepts(_("측정값"), unit, low, high, places=VALUE_PLACES)
    # The range 0..points and the step are the scoring's to check (its message names both).
    return numbers.Accepts(_("점수"), _("점"), Decimal(0), None, places=VALUE_PLACES)


def _entry_error(exc: scoring.EntryError) -> str:
    """The scoring package's refusal in the page's language (the package itself is Korean)."""
    return f"{exc.code}: {_(exc.template) % exc.params}"


def entry_parse(item: Item, entry: str | None, *, version=None) -> Parsed:
    """Turn what the evaluator typed for ``item`` into stored fields and points.

    ``""``/``None`` is "no entry yet". Raises ``ValidationError`` (Korean, naming the item)
    for an entry the item's method refuses: a grade not in its scale, points out of range or
    off-step, a measured value that is not a number, a negative or fractional count.
    ``version`` is the item's rubric version when the caller has it loaded already.
    """
    text = "" if entry is None else str(entry).strip()
    if not text:
        return Parsed()
    rubric = scoring_rubric(version if version is not None else item.version)
    pure = rubric.item(item.code)
    method = item.method
    if method == ScoringMethod.GRADE:
        try:
            points = scoring.item_points(pure, text)
        except scoring.EntryError as exc:
            raise ValidationError(_entry_error(exc)) from exc
        return Parsed(grade=text, points=points)
    try:
        number = numbers.parse(text, code=item.code, accepts=entry_accepts(item, pure))
    except numbers.NumberError as exc:
        raise ValidationError(str(exc)) from exc
    if method == ScoringMethod.PENALTY:
        try:
            points = scoring.item_points(pure, number)
        except scoring.EntryError as exc:
            raise ValidationError(_entry_error(exc)) from exc
        return Parsed(count=int(number), points=points)
    try:
        points = scoring.item_points(pure, number)
    except scoring.EntryError as exc:
        raise ValidationError(_entry_error(exc)) from exc
    return Parsed(value=number, points=points)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else scoring.fmt(value)


def score_snapshot(score: ItemScore | None) -> dict | None:
    """What the audit trail stores for a row (numbers as normalised strings)."""
    if score is None:
        return None
    return {
        "entry": entry_text(score) or None,
        "points": _dec(score.points),
        "strength": score.strength,
        "improvement": score.improvement,
        "version": score.version,
    }


def comment_clean(item: Item, label: str, text: str | None) -> str:
    """``label`` is the Korean field name ("강점", "개선사항"); it is translated here."""
    label = _(label)
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise ValidationError(
            _("%(code)s: %(label)s에 허용되지 않는 문자(NUL)가 있습니다.")
            % {"code": item.code, "label": label}
        )
    if len(text) > MAX_COMMENT_CHARS:
        raise ValidationError(
            _("%(code)s: %(label)s 내용이 너무 깁니다 (%(length)s자, 최대 %(limit)s자).")
            % {"code": item.code, "label": label, "length": len(text), "limit": MAX_COMMENT_CHARS}
        )
    return text
