"""평가 신뢰도: Krippendorff's α and evaluator severity of a cycle (admins and managers), and an
evaluator's own severity against the panel once the cycle is 확정 (ADR 015)."""

from csp.decorators import csp
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from .. import charts
from ..queries import reliability as policy
from ..services import reliability as service
from .results import _SVG_CSP


def _staff_cycle(request, slug):
    return get_object_or_404(
        policy.reliability_cycles(request.user).select_related("rubric_version"), slug=slug
    )


def _severity_rows(found, names):
    return [(names.get(s.evaluator, s.evaluator), s) for s in found.evaluators]


@login_required
def cycle_reliability(request, slug):
    """The 평가 신뢰도 section: the dashboard loads it with htmx; without JS it is a page."""
    cycle = _staff_cycle(request, slug)
    found = service.cycle_reliability(cycle)
    names = service.evaluator_names(s.evaluator for s in found.evaluators)
    context = {
        "cycle": cycle,
        "found": found,
        "severities": _severity_rows(found, names),
        "lowest_items": found.lowest_items(),
        "area_titles": policy.area_titles(cycle),
    }
    template = "evaluation/results/_reliability.html" if request.htmx else None
    return render(request, template or "evaluation/results/reliability.html", context)


@login_required
@csp(_SVG_CSP)
def reliability_chart(request, slug):
    cycle = _staff_cycle(request, slug)
    found = service.cycle_reliability(cycle, resamples=0)
    names = service.evaluator_names(s.evaluator for s in found.evaluators)
    svg = charts.evaluator_severity(
        [(name, s.percent, s.flagged) for name, s in _severity_rows(found, names)],
        bound=found.bound,
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_severity(request, slug):
    """The evaluator's own severity against the panel (no other evaluator is named)."""
    cycle = get_object_or_404(policy.own_severity_cycles(request.user), slug=slug)
    found = service.cycle_reliability(cycle, resamples=0)
    mine = next((s for s in found.evaluators if s.evaluator == request.user.get_username()), None)
    panel = sorted(s.percent for s in found.evaluators if s.percent is not None)
    stricter = sum(1 for p in panel if mine and mine.percent is not None and p < mine.percent)
    return render(
        request,
        "evaluation/results/my_severity.html",
        {
            "cycle": cycle,
            "found": found,
            "mine": mine,
            "panel": {
                "size": len(panel),
                "low": panel[0] if panel else None,
                "high": panel[-1] if panel else None,
                "median": panel[len(panel) // 2]
                if len(panel) % 2
                else ((panel[len(panel) // 2 - 1] + panel[len(panel) // 2]) / 2 if panel else None),
                "stricter": stricter,
            },
        },
    )
