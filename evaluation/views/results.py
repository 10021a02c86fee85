"""Results: the cycle dashboard and its SVG charts (admins and managers), the result page of
one application, the 인증위원회 decision and area substitution (admins)."""

from csp.decorators import csp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import charts, process, queries, scoring
from ..forms.results import CommitteeDecisionForm, substitution_form_for
from ..models import Decision
from ..queries import process as pq
from ..queries import results as rq
from ..services import results as results_service
from .common import error_messages, require


def _staff_cycle(request, slug):
    require(rq.can_read_results(request.user))
    return get_object_or_404(
        queries.visible_cycles(request.user).select_related("rubric_version__rubric"), slug=slug
    )


def _result_application(request, pk):
    require(rq.can_read_results(request.user))
    return get_object_or_404(
        queries.visible_applications(request.user, action="review").select_related(
            "cycle__rubric_version", "institution"
        ),
        pk=pk,
    )


# --- dashboard -----------------------------------------------------------------------------


@login_required
def cycle_dashboard(request, slug):
    cycle = _staff_cycle(request, slug)
    areas = rq.cycle_areas(cycle)
    rows = rq.cycle_results_table(cycle, areas)
    averages = rq.area_averages(rows, areas)
    ordered, sort = rq.sort_rows(rows, request.GET.get("sort", ""), [a.code for a in areas])
    flagged = [row for row in rows if row.flagged]
    return render(
        request,
        "evaluation/results/dashboard.html",
        {
            "cycle": cycle,
            "areas": areas,
            "rows": ordered,
            "sort": sort,
            "progress": rq.cycle_progress(cycle),
            "averages": averages,
            "flagged": flagged,
            "n_computed": len(rq.computed_totals(rows)),
            # the totals chart's numbers, shown beside it as a table (ADR 021)
            "bands": charts.totals_bands(
                rq.computed_totals(rows),
                max_points=cycle.rubric_version.total_points,
                threshold=cycle.pass_threshold,
            ),
            "n_pass": sum(1 for r in rows if r.decision == Decision.PASS),
            "can_decide": rq.can_decide(request.user),
            "places": cycle.rubric_version.rounding_places,
        },
    )


# SVG served as an image: its styles stay inside it; no script, nothing loaded from anywhere.
_SVG_CSP = {"default-src": ["'none'"], "style-src": ["'unsafe-inline'"]}


@login_required
@csp(_SVG_CSP)
def cycle_chart(request, slug, kind):
    cycle = _staff_cycle(request, slug)
    require(kind in ("totals", "areas"))
    areas = rq.cycle_areas(cycle)
    rows = rq.cycle_results_table(cycle, areas)
    if kind == "totals":
        svg = charts.totals_histogram(
            rq.computed_totals(rows),
            max_points=cycle.rubric_version.total_points,
            threshold=cycle.pass_threshold,
        )
    else:
        svg = charts.area_averages(
            [(a.area.code, a.area.title, a.rate) for a in rq.area_averages(rows, areas)]
        )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def cycle_recompute(request, slug):
    require(rq.can_decide(request.user))
    cycle = _staff_cycle(request, slug)
    try:
        outcome = results_service.cycle_results_recompute(cycle=cycle)
    except scoring.SheetError as exc:
        for message in exc.errors:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "결과를 다시 계산했습니다: 새 결과 %(created)d건, 변경 %(updated)d건, 순위만 변경 %(reranked)d건."
            )
            % outcome,
        )
    return redirect("evaluation:cycle_dashboard", slug=cycle.slug)


# --- one application -----------------------------------------------------------------------


def _result_page(request, application, *, decision_form=None, substitution_form=None, status=200):
    data = rq.application_result(application)
    can_decide = rq.can_decide(request.user)
    result = data.result
    if can_decide and decision_form is None and result is not None:
        decision_form = CommitteeDecisionForm(
            initial={
                "decision": result.committee_decision or result.decision,
                "reason": result.committee_reason,
            }
        )
    if can_decide and substitution_form is None:
        substitution_form = substitution_form_for(data)
    stale = bool(
        result
        and data.computed
        and data.computed.total is not None
        and not data.problems
        and any(getattr(result, k) != v for k, v in data.computed.figures.items())
    )
    return render(
        request,
        "evaluation/results/application.html",
        {
            "application": application,
            "cycle": application.cycle,
            "data": data,
            "result": result,
            "can_decide": can_decide,
            "decision_form": decision_form,
            "substitution_form": substitution_form,
            "incomplete": (
                results_service.result_incomplete_reasons(result, data.sheets) if result else []
            ),
            "stale": stale,
            "stale_decision": bool(result and process.stale_decisions([result])),
            "places": application.cycle.rubric_version.rounding_places,
        },
        status=status,
    )


@login_required
def application_result(request, pk):
    if not rq.can_read_results(request.user):
        # The institution's own result, from 결과통보 on (404 before and for anyone else).
        application = pq.objectable_application(request.user, pk)
        return render(
            request,
            "evaluation/results/institution.html",
            {"data": pq.institution_result(application), "application": application},
        )
    application = _result_application(request, pk)
    return _result_page(request, application)


@login_required
@require_POST
def committee_decide(request, pk):
    require(rq.can_decide(request.user))
    application = _result_application(request, pk)
    result = get_object_or_404(rq.visible_results(request.user), application=application)
    form = CommitteeDecisionForm(request.POST)
    if form.is_valid():
        try:
            results_service.result_committee_decide(
                result=result,
                by=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for message in error_messages(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("인증위원회 결정을 기록했습니다."))
            return redirect("evaluation:application_result", pk=application.pk)
    return _result_page(request, application, decision_form=form, status=400)


@login_required
@require_POST
def substitution_confirm(request, pk):
    require(rq.can_decide(request.user))
    application = _result_application(request, pk)
    data = rq.application_result(application)
    form = substitution_form_for(data, request.POST)
    if form.is_valid():
        try:
            results_service.area_substitution_confirm(
                application=application,
                area=form.cleaned_data["area"],
                certificate=form.cleaned_data["certificate"],
                by=request.user,
            )
        except (ValidationError, scoring.SheetError) as exc:
            for message in getattr(exc, "errors", None) or error_messages(exc):
                form.add_error(None, message)
        else:
            area = form.cleaned_data["area"]
            messages.success(
                request,
                _("%(area)s 영역을 인증서로 대체 인정했습니다.") % {"area": area.code},
            )
            return redirect("evaluation:application_result", pk=application.pk)
    return _result_page(request, application, substitution_form=form, status=400)
