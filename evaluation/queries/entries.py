"""What a stored score entry says: its text as typed, whether it is complete, what keeps a
sheet from being confirmed. Shared by the sheet page, the services, imports and exports."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Item, ScoringMethod

from .. import scoring, tally
from ..models import ItemScore

ENTRY_LABELS = {
    ScoringMethod.GRADE: gettext_lazy("등급"),
    ScoringMethod.POINTS: gettext_lazy("점수"),
    ScoringMethod.BANDS: gettext_lazy("측정값"),
    ScoringMethod.PENALTY: gettext_lazy("건수"),
}


# The entry as typed is part of a sheet's canonical content: the tally's (ADR 018).
entry_text = tally.entry_text


def has_entry(score) -> bool:
    return bool(entry_text(score))


def has_comment(score) -> bool:
    if score is None:
        return False
    get = score.get if isinstance(score, dict) else lambda name: getattr(score, name)
    return bool((get("strength") or "").strip() or (get("improvement") or "").strip())


def item_complete(score, require_comment: bool) -> bool:
    return has_entry(score) and (not require_comment or has_comment(score))


def sheet_missing(
    *, items: list[Item], scores: dict[int, ItemScore], substituted: set[int], require_comment
) -> list[str]:
    """What keeps a sheet from being confirmed, one Korean line per item, in rubric order.
    ``substituted`` holds area ids; their items are not scored."""
    problems = []
    for item in items:
        if item.indicator.area_id in substituted:
            continue
        score = scores.get(item.pk)
        lacks = []
        if not has_entry(score):
            entry = ENTRY_LABELS.get(item.method) or _("입력")
            lacks.append(_("%(entry)s 미입력") % {"entry": entry})
        if require_comment and not has_comment(score):
            lacks.append(_("강점 또는 개선사항 의견 없음"))
        if lacks:
            problems.append(f"{item.code} {item.title}: {', '.join(lacks)}")
    return problems


def fmt_points(value: Decimal | None) -> str:
    return "" if value is None else scoring.fmt(value)
