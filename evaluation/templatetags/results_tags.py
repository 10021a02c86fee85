"""Template helpers of the results pages: sortable column headers (plain links, no JS)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

# Columns whose first click sorts highest first.
DESCENDING_FIRST = {"total", "flags", "sheets"}


def _header(key: str, label: str, current: str, css: str = "", descending_first=False):
    active = current.lstrip("-") == key
    descending = current.startswith("-")
    if active:
        target = key if descending else f"-{key}"
        aria = "descending" if descending else "ascending"
        arrow = "▼" if descending else "▲"
        state = _("내림차순 정렬됨") if descending else _("오름차순 정렬됨")
    else:
        target = f"-{key}" if descending_first else key
        aria, arrow, state = "none", "↕", _("정렬")
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a class="sort-link" href="?sort={}">{} '
        '<span aria-hidden="true">{}</span><span class="visually-hidden">({})</span></a></th>',
        css,
        aria,
        target,
        label,
        arrow,
        state,
    )


@register.simple_tag
def sort_header(key, label, current, css=""):
    return _header(key, label, current, css, key in DESCENDING_FIRST)


@register.simple_tag
def area_sort_header(area, current):
    return _header(f"area:{area.code}", area.code, current, "text-end", True)


@register.filter
def index(sequence, i):
    return sequence[i]


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def chart_height(n_areas):
    """The area chart's height for ``n_areas`` bars (as ``charts.area_averages`` draws it)."""
    return max(240, 60 + 48 * int(n_areas))


@register.filter
def num(value):
    """A Decimal without exponent or trailing zeros: 700.000 → 700, 12.50 → 12.5."""
    if value is None or value == "":
        return "—"
    from decimal import Decimal

    from ..scoring import fmt

    return fmt(Decimal(value))


@register.filter
def fixed(value, places):
    """A stored (already rounded) figure shown with the rubric's ``places``: 152 → 152.00."""
    if value is None or value == "":
        return "—"
    from decimal import Decimal

    return format(Decimal(value).quantize(Decimal(1).scaleb(-int(places))), "f")


@register.filter
def severity_height(n_evaluators):
    """The severity chart's height for ``n_evaluators`` bars (as ``charts.evaluator_severity``)."""
    return max(240, 80 + 40 * int(n_evaluators))
