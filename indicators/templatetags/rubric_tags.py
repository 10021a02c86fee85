"""Template helpers for rubric pages: numbers as people write them and a Korean description of
each item's scoring method."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from ..validation import fmt

register = template.Library()


@register.filter
def pts(value) -> str:
    """``60.000`` → ``60``; ``0.500`` → ``0.5``."""
    if value is None or value == "":
        return ""
    try:
        return fmt(Decimal(str(value)))
    except Exception:
        return str(value)


@register.filter
def join_lines(values) -> str:
    """A list as text, one entry per line (for textareas)."""
    return "\n".join(str(v) for v in values or [])


def _levels_text(points: Decimal, scale) -> str:
    parts = []
    for level in scale.levels.all():
        parts.append(f"{level.code} {level.title} {fmt(points * level.ratio)}")
    return " · ".join(parts)


@register.simple_tag
def scoring_text(item, scales) -> str:
    """What the evaluator enters and what it is worth, in one Korean line."""
    params = item.params or {}
    method = item.method
    if method == "grade":
        scale = scales.get(params.get("scale"))
        if scale is None:
            return _("등급 평가 (척도 %(name)s)") % {"name": params.get("scale")}
        return _("등급 평가 — %(title)s: %(levels)s") % {
            "title": scale.title,
            "levels": _levels_text(item.points, scale),
        }
    if method == "points":
        step = params.get("step") or "1"
        return _("점수 입력 — 0~%(points)s점, %(step)s점 단위") % {
            "points": fmt(item.points),
            "step": fmt(Decimal(step)),
        }
    if method == "bands":
        unit = params.get("unit")
        bands = sorted(params.get("bands", []), key=lambda b: Decimal(b["min"]))
        parts = [
            _("%(min)s 이상 %(points)s점")
            % {"min": fmt(Decimal(b["min"])), "points": fmt(Decimal(b["points"]))}
            for b in bands
        ]
        unit_text = _(" (단위: %(unit)s)") % {"unit": unit} if unit else ""
        return _("구간 평가%(unit)s — %(bands)s; 최저 구간 미만 0점") % {
            "unit": unit_text,
            "bands": ", ".join(parts),
        }
    if method == "penalty":
        return _("감점 — 건당 %(per_case)s점, 최대 %(points)s점") % {
            "per_case": fmt(Decimal(params.get("per_case", "0"))),
            "points": fmt(item.points),
        }
    return method


@register.simple_tag
def method_label(item) -> str:
    labels = {
        "grade": _("등급"),
        "points": _("점수"),
        "bands": _("구간"),
        "penalty": _("감점"),
    }
    label = labels.get(item.method, item.method)
    if item.inherits_default:
        return _("%(label)s (기본)") % {"label": label}
    return label
